package faults_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reachkit/reachkit/internal/faults"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

func jsonReply(status int, body string) faults.Fault {
	return faults.Status(status, "application/json", body)
}

func header(kv ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

const (
	rateLimited = `{"error":{"message":"Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`
	quota       = `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`
	serverError = `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`
	brevoLimit  = `{"code":"too_many_requests","message":"The expected rate limit is exceeded."}`
)

// statusFault answers status with a body in the API's error format.
func statusFault(tg target, status int, h http.Header) faults.Fault {
	body := serverError
	if status == http.StatusTooManyRequests {
		body = rateLimited
	}
	if strings.HasPrefix(tg.name, "brevo") {
		body = `{"code":"internal_error","message":"Internal server error"}`
		if status == http.StatusTooManyRequests {
			body = brevoLimit
		}
	}
	if h == nil {
		h = header()
	}
	return faults.Reply(status, h, body)
}

func sequence(tg target, statuses ...int) []faults.Fault {
	var out []faults.Fault
	for _, s := range statuses {
		out = append(out, statusFault(tg, s, nil))
	}
	return out
}

// okText is the text each target's fallback reply carries.
func okText(tg target) *string {
	switch tg.name {
	case brevoGet.name:
		return ok("ada@example.com")
	case brevoSend.name:
		return ok("<m1@relay>")
	}
	return ok("Hi!")
}

// partialOf returns the first half of a reply, for cut bodies.
func partialOf(s string) string { return s[:len(s)/2] }

func scenarios() []*scenario {
	var s []*scenario
	add := func(sc ...*scenario) { s = append(s, sc...) }
	retries5 := ratelimit.RetryPolicy{MaxRetries: 5, InitialInterval: time.Millisecond, MaxInterval: 4 * time.Millisecond}
	resetOrEOF := []error{syscall.ECONNRESET, io.EOF, io.ErrUnexpectedEOF}

	// The connection.
	for _, tg := range []target{chatNew, chatStream, brevoGet} {
		add(&scenario{fault: "connection refused ×3", target: tg, script: faults.Repeat(3, faults.Refused()),
			want: expect{is: []error{syscall.ECONNREFUSED}, attempts: 3}})
	}
	for _, tg := range []target{chatNew, brevoSend} {
		add(&scenario{fault: "connection refused, then OK", target: tg, script: []faults.Fault{faults.Refused()},
			want: expect{text: okText(tg), attempts: 2}})
	}
	for _, tg := range []target{chatNew, chatStream, brevoGet} {
		add(&scenario{fault: "reset before headers ×3", target: tg, script: faults.Repeat(3, faults.ResetBeforeHeaders()),
			want: expect{anyOf: resetOrEOF, attempts: 3}})
	}
	for _, tg := range []target{chatNew, brevoSend} {
		add(&scenario{fault: "reset before headers, then OK", target: tg, script: []faults.Fault{faults.ResetBeforeHeaders()},
			want: expect{text: okText(tg), attempts: 2}})
	}
	add(&scenario{fault: "reset mid-body (200, half the declared length)", target: chatNew,
		script: []faults.Fault{faults.ResetAfter(200, "application/json", partialOf(chatJSON("Hi!")), len(chatJSON("Hi!")))},
		want:   expect{decode: true, anyOf: resetOrEOF, attempts: 1},
		note:   "a body cut after the headers is not retried"})
	add(&scenario{fault: "reset mid-body (200, half the declared length)", target: brevoGet,
		script: []faults.Fault{faults.ResetAfter(200, "application/json", partialOf(contactJSON), len(contactJSON))},
		want:   expect{decode: true, anyOf: resetOrEOF, attempts: 1}})
	add(&scenario{fault: "reset mid-stream (after one event)", target: chatStream,
		script: []faults.Fault{faults.ResetAfter(200, "text/event-stream", chunk("Hi"), 0)},
		want:   expect{anyOf: resetOrEOF, is: []error{openai.ErrStreamTruncated}, decode: true, attempts: 1},
		note:   "the events before the reset are delivered; Completion() keeps them"})

	// Timeouts.
	for _, tg := range []target{chatNew, chatStream, brevoGet} {
		add(&scenario{fault: "no reply (ctx deadline 200 ms)", target: tg, script: []faults.Fault{faults.Stall()}, deadline: 200 * time.Millisecond,
			want: expect{is: []error{context.DeadlineExceeded}, attempts: 1, min: 190 * time.Millisecond}})
		add(&scenario{fault: "no reply (WithTimeout 200 ms)", target: tg, script: []faults.Fault{faults.Stall()}, timeout: 200 * time.Millisecond,
			want: expect{is: []error{context.DeadlineExceeded}, attempts: 1, min: 190 * time.Millisecond, max: 200*time.Millisecond + slack}})
	}
	add(&scenario{fault: "stall mid-body (ctx deadline 200 ms)", target: chatNew, deadline: 200 * time.Millisecond,
		script: []faults.Fault{faults.StallAfter(200, "application/json", partialOf(chatJSON("Hi!")))},
		want:   expect{is: []error{context.DeadlineExceeded}, decode: true, attempts: 1},
		note:   "both the context error and the *DecodeError are in the chain"})
	add(&scenario{fault: "stall mid-body (WithTimeout 200 ms)", target: brevoGet, timeout: 200 * time.Millisecond,
		script: []faults.Fault{faults.StallAfter(200, "application/json", partialOf(contactJSON))},
		want:   expect{is: []error{context.DeadlineExceeded}, attempts: 1, max: 200*time.Millisecond + slack}})
	add(&scenario{fault: "stall mid-stream (ctx deadline 200 ms)", target: chatStream, deadline: 200 * time.Millisecond,
		script: []faults.Fault{faults.StallAfter(200, "text/event-stream", chunk("Hi"))},
		want:   expect{is: []error{context.DeadlineExceeded}, events: 1, attempts: 1}})
	add(&scenario{fault: "stall mid-stream (WithTimeout 200 ms; ctx cancelled at 400 ms)", target: chatStream,
		timeout: 200 * time.Millisecond, cancel: 400 * time.Millisecond,
		script: []faults.Fault{faults.StallAfter(200, "text/event-stream", chunk("Hi"))},
		want:   expect{is: []error{context.Canceled}, events: 1, min: 390 * time.Millisecond},
		note:   "as documented, WithTimeout bounds only a stream's wait for headers; a stalled stream waits for ctx"})
	add(&scenario{fault: "stall mid-stream (WithStreamIdleTimeout 200 ms)", target: chatStream, idle: 200 * time.Millisecond,
		script: []faults.Fault{faults.StallAfter(200, "text/event-stream", chunk("Hi"))},
		want:   expect{is: []error{openai.ErrStreamIdle, context.DeadlineExceeded}, events: 1, min: 190 * time.Millisecond, max: 200*time.Millisecond + slack},
		note:   "Completion() keeps what arrived"})

	// Status sequences and Retry-After.
	for _, tg := range []target{chatNew, chatStream, brevoGet} {
		add(&scenario{fault: "429, 500, 502, 503, 504, then OK (MaxRetries 5)", target: tg, policy: &retries5,
			script: sequence(tg, 429, 500, 502, 503, 504), want: expect{text: okText(tg), attempts: 6}})
	}
	for _, tg := range []target{chatNew, brevoSend} {
		add(&scenario{fault: "500, 502, 503 (2 retries)", target: tg, script: sequence(tg, 500, 502, 503),
			want: expect{api: 503, attempts: 3}})
	}
	add(&scenario{fault: "429 insufficient_quota", target: chatNew, script: []faults.Fault{jsonReply(429, quota)},
		want: expect{api: 429, attempts: 1, check: func(t *testing.T, r result, _ *env) {
			if !openai.IsQuotaExceeded(r.err) || openai.IsRateLimit(r.err) {
				t.Errorf("want IsQuotaExceeded and not IsRateLimit: %v", r.err)
			}
		}}, note: "never retried: waiting cannot cure it"})
	add(&scenario{fault: "429 `Retry-After: 1`, then OK", target: chatNew,
		script: []faults.Fault{statusFault(chatNew, 429, header("Retry-After", "1"))},
		want:   expect{text: ok("Hi!"), attempts: 2, min: 990 * time.Millisecond, max: 2 * time.Second}})
	add(&scenario{fault: "503 `Retry-After: <HTTP-date in 2 s>`, then OK", target: brevoGet,
		script: []faults.Fault{faults.Func(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(503)
			io.WriteString(w, `{"code":"internal_error","message":"Service unavailable"}`)
		})},
		want: expect{text: ok("ada@example.com"), attempts: 2, min: 900 * time.Millisecond, max: 3 * time.Second},
		note: "an HTTP date has whole seconds: the wait is 1–2 s"})
	add(&scenario{fault: "429 `Retry-After: soon` (garbage), then OK", target: chatNew,
		script: []faults.Fault{statusFault(chatNew, 429, header("Retry-After", "soon"))},
		want:   expect{text: ok("Hi!"), attempts: 2, max: 500 * time.Millisecond}, note: "falls back to the backoff schedule"})
	add(&scenario{fault: "429 `Retry-After: 120` (over MaxServerWait 60 s)", target: chatNew,
		script: []faults.Fault{statusFault(chatNew, 429, header("Retry-After", "120"))},
		want:   expect{api: 429, attempts: 1, max: 500 * time.Millisecond}, note: "returned at once, not slept on"})
	add(&scenario{fault: "429 `Retry-After: 5` with ctx deadline 1 s", target: brevoGet, deadline: time.Second,
		script: []faults.Fault{statusFault(brevoGet, 429, header("Retry-After", "5"))},
		want:   expect{api: 429, attempts: 1, max: 500 * time.Millisecond}, note: "the wait would pass the deadline: returned at once"})

	// Bodies that are not what they claim.
	for _, tg := range []target{chatNew, brevoGet} {
		add(&scenario{fault: "502 HTML error page ×3", target: tg, script: faults.Repeat(3, faults.Status(502, "text/html", htmlPage)),
			want: expect{api: 502, decode: true, attempts: 3}, note: "Message quotes the page: “Bad Gateway: <html>…”"})
		add(&scenario{fault: "200 HTML page", target: tg, script: []faults.Fault{faults.Status(200, "text/html", "<html><body>Please log in to the guest Wi-Fi</body></html>")},
			want: expect{decode: true, attempts: 1}})
		add(&scenario{fault: "200 empty body", target: tg, script: []faults.Fault{jsonReply(200, "")},
			want: expect{decode: true, is: []error{openai.ErrEmptyBody}, attempts: 1}})
		add(&scenario{fault: "500 empty body ×3", target: tg, script: faults.Repeat(3, jsonReply(500, "")),
			want: expect{api: 500, decode: true, is: []error{openai.ErrEmptyBody}, attempts: 3}})
		body := chatJSON("Hi!")
		if tg.name == brevoGet.name {
			body = contactJSON
		}
		add(&scenario{fault: "200 truncated JSON", target: tg, script: []faults.Fault{jsonReply(200, partialOf(body))},
			want: expect{decode: true, attempts: 1}})
		add(&scenario{fault: "200 JSON labelled `text/plain`", target: tg, script: []faults.Fault{faults.Status(200, "text/plain", body)},
			want: expect{text: okText(tg)}, note: "content type is not required to be JSON"})
		add(&scenario{fault: "200 gzip-encoded JSON", target: tg, script: []faults.Fault{faults.Gzip(200, "application/json", body)},
			want: expect{text: okText(tg)}})
		add(&scenario{fault: "200 `Content-Encoding: gzip`, body not gzip", target: tg,
			script: []faults.Fault{faults.Reply(200, header("Content-Encoding", "gzip"), body)},
			want:   expect{decode: true, attempts: 1}})
		add(&scenario{fault: "200 gzip bomb (max body 1 MiB)", target: tg, maxBody: 1 << 20,
			script: []faults.Fault{faults.GzipBomb(200, "application/json", `{"id":"`)},
			want:   expect{decode: true, is: []error{openai.ErrBodyTooLarge}, attempts: 1}})
		add(&scenario{fault: "200 body that never ends (max body 1 MiB)", target: tg, maxBody: 1 << 20,
			script: []faults.Fault{faults.Endless(200, "application/json", `{"id":"`, "x")},
			want:   expect{decode: true, is: []error{openai.ErrBodyTooLarge}, attempts: 1}})
		add(&scenario{fault: "200 `Content-Length: 10 GB`, small body, then close", target: tg,
			script: []faults.Fault{faults.Declared(200, "application/json", 10<<30, body[:20], false)},
			want:   expect{decode: true, is: []error{openai.ErrBodyTooLarge}, attempts: 1, max: 500 * time.Millisecond},
			note:   "refused from the declared length, before reading"})
		add(&scenario{fault: "200 `Content-Length: 10 GB`, small body, held open", target: tg,
			script: []faults.Fault{faults.Declared(200, "application/json", 10<<30, body[:20], true)},
			want:   expect{decode: true, is: []error{openai.ErrBodyTooLarge}, attempts: 1, max: 500 * time.Millisecond}})
	}
	add(&scenario{fault: "500 body that never ends ×3", target: chatNew, script: faults.Repeat(3, faults.Endless(500, "text/html", "<html>", "x")),
		want: expect{api: 500, is: []error{openai.ErrBodyTooLarge}, attempts: 3}, note: "error bodies are read up to 1 MiB, discarded ones drained up to 64 KiB"})
	add(&scenario{fault: "429 body that never ends ×3", target: chatNew, script: faults.Repeat(3, faults.Endless(429, "application/json", `{"error":{"message":"`, "x")),
		want: expect{api: 429, attempts: 3}, note: "Retry peeks at most 64 KiB to classify a 429"})

	// Streams.
	add(&scenario{fault: "stream answered `200 application/json`", target: chatStream,
		script: []faults.Fault{jsonReply(200, chatJSON("Hi!"))}, want: expect{decode: true}})
	add(&scenario{fault: "stream answered `200 text/html` (captive portal)", target: chatStream,
		script: []faults.Fault{faults.Status(200, "text/html", "<html><body>Please log in to the guest Wi-Fi</body></html>")},
		want:   expect{decode: true}})
	add(&scenario{fault: "stream answered `200 text/html`", target: respStream,
		script: []faults.Fault{faults.Status(200, "text/html", "<html><body>Please log in to the guest Wi-Fi</body></html>")},
		want:   expect{decode: true}})
	add(&scenario{fault: "gzip-encoded stream", target: chatStream,
		script: []faults.Fault{faults.Gzip(200, "text/event-stream", chunk("Hi")+chunk("!")+finish+done)},
		want:   expect{text: ok("Hi!"), events: 3}})
	add(&scenario{fault: "stream ends without `[DONE]`", target: chatStream,
		script: []faults.Fault{faults.SSE(chunk("Hi"), chunk("!"))},
		want:   expect{decode: true, is: []error{openai.ErrStreamTruncated}, events: 2},
		note:   "Completion() keeps the 2 deltas that arrived"})
	add(&scenario{fault: "stream ends without `[DONE]` after the finish reason", target: chatStream,
		script: []faults.Fault{faults.SSE(chunk("Hi"), chunk("!"), finish)},
		want:   expect{text: ok("Hi!"), events: 3}, note: "nothing of the completion is missing"})
	add(&scenario{fault: "stream with no event at all", target: chatStream,
		script: []faults.Fault{faults.SSE(": keep-alive\n\n")},
		want:   expect{decode: true, is: []error{openai.ErrEmptyBody}}})
	add(&scenario{fault: "`[DONE]` twice, then more", target: chatStream,
		script: []faults.Fault{faults.SSE(chunk("Hi"), chunk("!"), finish, done, done, chunk(" late"))},
		want:   expect{text: ok("Hi!"), events: 3}, note: "the stream ends at the first [DONE]"})
	add(&scenario{fault: "error event after content", target: chatStream,
		script: []faults.Fault{faults.SSE(chunk("Hi"), errorEv)},
		want:   expect{api: 200, events: 1, check: wantCode("server_error")}, note: "Completion() keeps the text before the error"})
	add(&scenario{fault: "error event after content", target: respStream,
		script: []faults.Fault{faults.SSE(respCreated, respDelta("Hi"), respError)},
		want:   expect{api: 200, events: 3, check: wantCode("server_error")}, note: "the error event is delivered, then Err reports it"})
	add(&scenario{fault: "event that is not JSON", target: chatStream,
		script: []faults.Fault{faults.SSE(chunk("Hi"), "data: {\"id\": not json\n\n")},
		want:   expect{decode: true, events: 1}})
	add(&scenario{fault: "event with a wrong type (`\"choices\":{}`)", target: chatStream,
		script: []faults.Fault{faults.SSE(chunk("Hi"), `data: {"id":"c","choices":{}}`+"\n\n")},
		want:   expect{decode: true, events: 1}})
	add(&scenario{fault: "event that is not JSON", target: respStream,
		script: []faults.Fault{faults.SSE(respCreated, "data: {\"type\": not json\n\n")},
		want:   expect{decode: true, events: 1}})
	add(&scenario{fault: "stream ends without `response.completed`", target: respStream,
		script: []faults.Fault{faults.SSE(respCreated, respDelta("Hi"))},
		want:   expect{decode: true, is: []error{openai.ErrStreamTruncated}, events: 2}, note: "OutputText() keeps the delta that arrived"})
	add(&scenario{fault: "`Content-Length: 10 GB`, one event, then close", target: chatStream,
		script: []faults.Fault{faults.Declared(200, "text/event-stream", 10<<30, chunk("Hi"), false)},
		want:   expect{is: []error{io.ErrUnexpectedEOF, openai.ErrStreamTruncated}, decode: true, events: 1}})
	add(&scenario{fault: "`Content-Length: 10 GB`, one event, held open (ctx 200 ms)", target: chatStream, deadline: 200 * time.Millisecond,
		script: []faults.Fault{faults.Declared(200, "text/event-stream", 10<<30, chunk("Hi"), true)},
		want:   expect{is: []error{context.DeadlineExceeded}, events: 1}})
	add(&scenario{fault: "event line that never ends (max body 1 MiB)", target: chatStream, maxBody: 1 << 20,
		script: []faults.Fault{faults.Endless(200, "text/event-stream", "data: ", "x")},
		want:   expect{is: []error{openai.ErrBodyTooLarge}}})
	add(&scenario{fault: "4 MiB of deltas, then stall (max body 1 MiB, ctx 200 ms)", target: chatStream, maxBody: 1 << 20, deadline: 200 * time.Millisecond,
		script: []faults.Fault{faults.StallAfter(200, "text/event-stream", strings.Repeat(chunk(strings.Repeat("x", 4000)), 1024))},
		want:   expect{is: []error{openai.ErrBodyTooLarge}},
		note:   "WithMaxResponseSize bounds the bytes a stream reads"})

	// Odd JSON.
	add(&scenario{fault: "invalid UTF-8 in JSON strings", target: chatNew, script: []faults.Fault{jsonReply(200, chatJSON("Hi\xff!"))},
		want: expect{text: ok("Hi\uFFFD!")}, note: "replaced by U+FFFD"})
	add(&scenario{fault: "invalid UTF-8 in JSON strings", target: chatStream, script: []faults.Fault{faults.SSE(chunk("Hi\xff"), chunk("!"), done)},
		want: expect{text: ok("Hi\uFFFD!")}})
	add(&scenario{fault: "invalid UTF-8 in JSON strings", target: brevoGet, script: []faults.Fault{jsonReply(200, strings.Replace(contactJSON, "ada@", "ada\xfe@", 1))},
		want: expect{check: func(t *testing.T, r result, _ *env) {
			if r.err != nil || !utf8.ValidString(r.text) {
				t.Errorf("got %q, %v", r.text, r.err)
			}
		}}})
	add(&scenario{fault: "duplicate keys", target: chatNew,
		script: []faults.Fault{jsonReply(200, `{"id":"a","id":"b","choices":[{"index":0,"message":{"role":"assistant","content":"first","content":"Hi!"}}]}`)},
		want:   expect{text: ok("Hi!")}, note: "the last one wins, as in encoding/json"})
	add(&scenario{fault: "duplicate keys", target: brevoGet,
		script: []faults.Fault{jsonReply(200, `{"id":1,"email":"bob@example.com","id":7,"email":"ada@example.com"}`)},
		want:   expect{text: ok("ada@example.com")}})
	add(&scenario{fault: "numbers out of range", target: chatNew,
		script: []faults.Fault{jsonReply(200, strings.Replace(chatJSON("Hi!"), `"created":1`, `"created":1e400`, 1))},
		want:   expect{decode: true, attempts: 1}})
	add(&scenario{fault: "numbers out of range", target: brevoGet,
		script: []faults.Fault{jsonReply(200, strings.Replace(contactJSON, `"id":7`, `"id":99999999999999999999`, 1))},
		want:   expect{decode: true, attempts: 1}})
	add(&scenario{fault: "`null` where objects are expected", target: chatNew,
		script: []faults.Fault{jsonReply(200, `{"id":null,"choices":[null,{"index":1,"message":null,"logprobs":null}],"usage":null}`)},
		want:   expect{text: ok("")}, note: "zero values; TestMutatedReplies covers every field of every reply"})
	add(&scenario{fault: "`null` where objects are expected", target: chatStream,
		script: []faults.Fault{faults.SSE("data: null\n\n", `data: {"choices":[null,{"index":0,"delta":null}],"usage":null}`+"\n\n", chunk("Hi"), done)},
		want:   expect{text: ok("Hi"), events: 3}})
	add(&scenario{fault: "`null` where objects are expected", target: brevoGet,
		script: []faults.Fault{jsonReply(200, `{"id":7,"email":"ada@example.com","attributes":null,"listIds":null,"statistics":null}`)},
		want:   expect{text: ok("ada@example.com")}})

	// Throttle paths.
	// A first call learns from its reply that the budget is spent for 20 s;
	// the measured one waits for budget and gives up with its context.
	add(&scenario{fault: "throttle: budget spent, reset in 20 s (ctx 200 ms)", target: chatNew, deadline: 200 * time.Millisecond, prime: 1,
		primeScript: []faults.Fault{faults.Reply(200, header("X-Ratelimit-Limit-Requests", "10", "X-Ratelimit-Remaining-Requests", "0",
			"X-Ratelimit-Reset-Requests", "20s"), chatJSON("Hi!"))},
		want: expect{is: []error{context.DeadlineExceeded}, attempts: 1, max: 200*time.Millisecond + slack},
		note: "nothing is sent: the request waits for budget, then for ctx"})
	add(&scenario{fault: "throttle: 429 `retry-after-ms: 200` pauses the key, then OK", target: chatNew,
		script: []faults.Fault{faults.Reply(429, header("Retry-After-Ms", "200"), rateLimited)},
		want:   expect{text: ok("Hi!"), attempts: 2, min: 190 * time.Millisecond}})

	// Redirects.
	add(&scenario{fault: "307 redirect to a plain-http remote host", target: brevoGet,
		script: []faults.Fault{faults.Redirect("http://203.0.113.7/v3/contacts/ada%40example.com")},
		want:   expect{api: 307}})
	add(&scenario{fault: "307 redirect to a plain-http remote host", target: chatNew,
		script: []faults.Fault{faults.Redirect("http://203.0.113.7/v1/chat/completions")},
		want:   expect{api: 307}, note: "not followed: Message names the Location; nothing reaches the other host"})
	return s
}

func wantCode(code string) func(t *testing.T, r result, _ *env) {
	return func(t *testing.T, r result, _ *env) {
		if got := openaiCode(r.err); got != code {
			t.Errorf("code %q, want %q (%v)", got, code, r.err)
		}
	}
}

func openaiCode(err error) string {
	var e *openai.APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TestFaults drives the clients through every fault of the table and
// checks, for each, the outcome a user can act on; with
// REACHKIT_FAULTS_REPORT=file it writes the table of RELIABILITY.md.
func TestFaults(t *testing.T) {
	var rep report
	defer rep.write(t)
	for _, sc := range scenarios() {
		t.Run(sc.fault+"/"+sc.target.name, func(t *testing.T) {
			out := run(t, sc)
			rep.add(out.row())
			out.check(t)
			if sc.want.check != nil {
				sc.want.check(t, out.res, nil)
			}
		})
	}
}
