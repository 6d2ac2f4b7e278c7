package faults_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/davecgh/go-spew/spew"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/internal/faults"
	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of loggers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// leakForms are the forms in which a key would show: as is, its
// distinctive middle, and hex and base64 encodings of it.
func leakForms(key string) []string {
	return []string{key, key[8 : len(key)-3], hex.EncodeToString([]byte(key)), base64.StdEncoding.EncodeToString([]byte(key)),
		base64.StdEncoding.EncodeToString([]byte("Bearer " + key))}
}

// sensitiveHeader reports the headers a log must not show as they are.
func sensitiveHeader(name string) bool {
	n := http.CanonicalHeaderKey(name)
	return n == "Authorization" || n == "Api-Key" || n == "Cookie" || strings.HasPrefix(n, "Openai-")
}

// redactHeaders is what a logging middleware should log instead of the raw
// headers.
func redactHeaders(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		if sensitiveHeader(k) {
			out[k] = []string{"[REDACTED]"}
		} else {
			out[k] = v
		}
	}
	return out
}

// logging is the middleware a user might add: method, URL, headers and
// status of every attempt. With redact false it logs headers raw, which
// the test must catch.
func logging(l *slog.Logger, redact bool) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			h := r.Header
			if redact {
				h = redactHeaders(h)
			}
			l.Debug("http request", "method", r.Method, "url", r.URL.String(), "header", h)
			resp, err := next.RoundTrip(r)
			if err != nil {
				l.Warn("http error", "err", err)
				return resp, err
			}
			rh := resp.Header
			if redact {
				rh = redactHeaders(rh)
			}
			l.Debug("http response", "status", resp.StatusCode, "header", rh)
			return resp, nil
		})
	}
}

// echoHeaders is an error page of a proxy that shows the request it got,
// headers included, as some debugging proxies and gateways do.
func echoHeaders(status int) faults.Fault {
	return faults.Func(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><h1>%d</h1><pre>", status)
		for k, v := range r.Header {
			fmt.Fprintf(w, "%s: %s\n", k, strings.Join(v, ", "))
		}
		fmt.Fprint(w, "</pre></body></html>")
	})
}

// TestKeysNeverLeak runs calls of every kind, successes and failures, with
// debug logging, prompt and body logging, and a user's logging middleware,
// then looks for the keys in every error string, log line, panic message,
// fmt verb and JSON encoding of the values the calls involved, and checks
// that no request left for a remote host over plain http.
func TestKeysNeverLeak(t *testing.T) {
	var logs, mwLogs, rawLogs syncBuffer
	lib := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.Level(-8)}))
	libJSON := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.Level(-8)}))
	user := slog.New(slog.NewJSONHandler(&mwLogs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	raw := slog.New(slog.NewTextHandler(&rawLogs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	in := faults.New(fallback())
	defer in.Close()
	retry := ratelimit.RetryPolicy{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond}
	oopts := []openai.Option{
		openai.WithAPIKey(openaiKey), openai.WithBaseURL(in.URL() + "/v1"), openai.WithHTTPClient(in.HTTPClient()),
		openai.WithOrganization("org-faults"), openai.WithProject("proj_faults"),
		openai.WithLogger(lib), openai.WithLogPrompts(true), openai.WithLogHeaders(true), openai.WithRetry(retry),
		openai.WithMiddleware(ratelimit.Throttle(ratelimit.NewLimiter(ratelimit.LimiterConfig{})), logging(user, true)),
		openai.WithTimeout(2 * time.Second), openai.WithHeader("X-Team", "growth"),
	}
	oc, err := openai.NewClient(oopts...)
	if err != nil {
		t.Fatal(err)
	}
	ocJSON, err := openai.NewClient(append(oopts[:len(oopts):len(oopts)], openai.WithLogger(libJSON))...)
	if err != nil {
		t.Fatal(err)
	}
	// The same client with a middleware that logs raw headers: the detector
	// must see the key there, or it would see nothing anywhere.
	ocRaw, err := openai.NewClient(openai.WithAPIKey(openaiKey), openai.WithBaseURL(in.URL()+"/v1"),
		openai.WithHTTPClient(in.HTTPClient()), openai.WithMiddleware(logging(raw, false)))
	if err != nil {
		t.Fatal(err)
	}
	bopts := []brevo.Option{
		brevo.WithAPIKey(brevoKey), brevo.WithBaseURL(in.URL() + "/v3"), brevo.WithHTTPClient(in.HTTPClient()),
		brevo.WithLogger(lib), brevo.WithLogBodies(true), brevo.WithLogHeaders(true), brevo.WithRetry(retry),
		brevo.WithMiddleware(logging(user, true)), brevo.WithTimeout(2 * time.Second),
	}
	bc, err := brevo.NewClient(bopts...)
	if err != nil {
		t.Fatal(err)
	}
	bcJSON, err := brevo.NewClient(append(bopts[:len(bopts):len(bopts)], brevo.WithLogger(libJSON))...)
	if err != nil {
		t.Fatal(err)
	}

	var seen []any // every value the calls produced, to be printed every way
	var errs []error
	note := func(vals ...any) { seen = append(seen, vals...) }
	ctx := context.Background()
	keep := func(v any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
		note(v)
	}

	// openai: successes, API errors, retries, HTML pages, decode errors,
	// timeouts, refused and reset connections, streams.
	for _, script := range [][]faults.Fault{
		{faults.Status(401, "application/json", `{"error":{"message":"Incorrect API key provided: sk-proj-****c9c","type":"invalid_request_error","code":"invalid_api_key"}}`)},
		{statusFault(chatNew, 429, header("Retry-After-Ms", "1"))},
		{jsonReply(429, quota)},
		faults.Repeat(3, faults.Status(502, "text/html", htmlPage)),
		{faults.Status(200, "text/html", "<html>captive portal</html>")},
		{jsonReply(200, partialOf(chatJSON("Hi!")))},
		faults.Repeat(3, faults.Refused()),
		faults.Repeat(3, faults.ResetBeforeHeaders()),
		faults.Repeat(3, jsonReply(500, "")),
	} {
		in.Script(script...)
		keep(oc.Chat.New(ctx, hello))
	}
	in.Script(faults.Stall())
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	keep(ocJSON.Chat.New(tctx, hello))
	cancel()
	keep(ocJSON.Models.List(ctx))
	for _, script := range [][]faults.Fault{nil, {faults.SSE(chunk("Hi"), errorEv)}, {faults.Status(401, "application/json", `{"error":{"message":"bad key","code":"invalid_api_key"}}`)},
		{faults.ResetAfter(200, "text/event-stream", chunk("Hi"), 0)}, {faults.SSE(chunk("Hi"), "data: {not json\n\n")}} {
		in.Script(script...)
		st := oc.Chat.Stream(ctx, hello)
		for st.Next() {
			note(st.Current())
		}
		keep(st.Completion(), st.Err())
		note(st, *st, st.Meta())
		st.Close()
		in.Script(script...)
		rs := oc.Responses.Stream(ctx, openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("hello")})
		for rs.Next() {
			note(rs.Current())
		}
		keep(rs.Response(), rs.Err())
		note(rs, *rs)
		rs.Close()
	}
	in.Script(faults.Status(200, "application/json", chatJSON("Hi!")))
	keep(ocRaw.Chat.New(ctx, hello))

	// brevo: the same kinds of outcome.
	for _, script := range [][]faults.Fault{
		{faults.Status(401, "application/json", `{"code":"unauthorized","message":"Key not found"}`)},
		faults.Repeat(3, faults.Status(503, "text/html", htmlPage)),
		{faults.Status(200, "application/json", `{"id":`)},
		{faults.Status(404, "application/json", `{"code":"document_not_found","message":"Contact does not exist"}`)},
		faults.Repeat(3, faults.ResetBeforeHeaders()),
		nil,
	} {
		in.Script(script...)
		keep(bc.Contacts.Get(ctx, brevo.ByEmail("ada@example.com")))
	}
	keep(bcJSON.Contacts.Get(ctx, brevo.ByID(7)))
	keep(bc.Email.Send(ctx, brevo.SendEmailRequest{Sender: &brevo.Sender{Email: "shop@example.com"}, To: []brevo.Address{{Email: "ada@example.com"}}, Subject: "Hi", HTMLContent: "<p>Hi</p>"}))
	in.Script(faults.Status(400, "application/json", `{"code":"invalid_parameter","message":"Emails are not valid","unexistingEmails":["ada@example.com"]}`))
	keep(bc.Campaigns.SendTest(ctx, 7, []string{"ada@example.com"}))

	// Misuse that panics must not put a key in the panic message.
	var panics []string
	for _, f := range []func(){
		func() { var st openai.ChatStream; st.Next() },
		func() { var c openai.Client; _, _ = c.Chat.New(ctx, hello) },
		func() { var c brevo.Client; _, _ = c.Contacts.Get(ctx, brevo.ByID(1)) },
		func() { _, _ = oc.Chat.New(nil, hello) },             //lint:ignore SA1012 a nil context is the misuse tested
		func() { _, _ = bc.Contacts.Get(nil, brevo.ByID(1)) }, //lint:ignore SA1012 a nil context is the misuse tested
	} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					panics = append(panics, fmt.Sprint(p))
				}
			}()
			f()
		}()
	}

	// Every value, printed every way.
	note(oc, ocJSON, bc, *oc, *bc, oc.Chat, *oc.Chat, oc.Responses, oc.Embeddings, oc.Images, oc.Audio, oc.Moderations, oc.Models,
		bc.Contacts, *bc.Contacts, bc.Attributes, bc.Lists, bc.Folders, bc.Email, bc.Campaigns, hello,
		openai.WithRequestHeader("Idempotency-Key", "k1"), brevo.WithRequestHeader("X-Trace", "t1"))
	for _, o := range oopts {
		note(o)
	}
	for _, o := range bopts {
		note(o)
	}
	for _, e := range errs {
		note(e)
	}
	var printed []string
	for _, v := range seen {
		for _, verb := range []string{"%v", "%+v", "%#v", "%T"} {
			printed = append(printed, fmt.Sprintf(verb, v))
		}
		if b, err := json.Marshal(v); err == nil {
			printed = append(printed, string(b))
		}
	}
	for _, e := range errs {
		printed = append(printed, e.Error())
	}
	findLeaks(t, "errors and printed values", printed)

	// Deep printers that follow pointers into unexported fields and ignore
	// Format, as testify's diffs do: the key is held only in closures.
	deep := spew.ConfigState{DisableMethods: true, MaxDepth: 12, Indent: " "}
	var dumped []string
	for _, v := range []any{oc, *oc, ocJSON, bc, *bc, oc.Chat, bc.Contacts} {
		dumped = append(dumped, deep.Sdump(v), spew.Sdump(v))
	}
	if len(strings.Join(dumped, "")) < 10000 {
		t.Error("the deep dumps are too short to have looked inside the clients")
	}
	findLeaks(t, "deep dumps (go-spew)", dumped)
	findLeaks(t, "client logs", []string{logs.String()})
	findLeaks(t, "logging middleware", []string{mwLogs.String()})
	findLeaks(t, "panic messages", panics)

	// The other verbs: %s, %q and %t of a service print the client's
	// configuration through a bad-verb fallback that follows the pointer.
	t.Run("other verbs", func(t *testing.T) {
		var other []string
		for _, v := range seen {
			for _, verb := range []string{"%s", "%q", "%t", "%x", "%d", "%+s"} {
				other = append(other, fmt.Sprintf(verb, v))
			}
		}
		findLeaks(t, "other fmt verbs", other)
	})

	// With WithLogHeaders the clients log headers, the sensitive ones
	// redacted, in both handler formats.
	for _, h := range []string{"Authorization", "Api-Key", "Openai-Organization", "Openai-Project"} {
		text := regexp.MustCompile(`request_headers\.` + h + `=\[REDACTED\]`)
		jsonForm := regexp.MustCompile(`"` + h + `":"\[REDACTED\]"`)
		if !text.MatchString(logs.String()) || !jsonForm.MatchString(logs.String()) {
			t.Errorf("the client logs do not show %s redacted in both formats", h)
		}
	}
	for _, v := range []string{"org-faults", "proj_faults", "Bearer"} {
		if strings.Contains(logs.String(), v) {
			t.Errorf("the client logs show %q", v)
		}
	}
	if !strings.Contains(logs.String(), "response_headers.") {
		t.Error("the client logs show no response headers: the test saw too little")
	}
	if !strings.Contains(logs.String(), "level=DEBUG") || !strings.Contains(logs.String(), `"level":"WARN"`) || !strings.Contains(logs.String(), "body=") {
		t.Errorf("the client logs lack debug lines, warn lines or bodies: the test saw too little\n%s", logs.String())
	}
	if !strings.Contains(rawLogs.String(), openaiKey) {
		t.Error("a middleware logging raw headers shows no key: the detector is blind")
	}
	if len(errs) < 20 || len(panics) == 0 {
		t.Errorf("only %d errors and %d panics: the test saw too little", len(errs), len(panics))
	}
	for _, r := range in.Escaped() {
		t.Errorf("a request left for %s", r.URL.Redacted())
	}
	// Plain http to a remote host is refused unless asked for.
	if _, err := openai.NewClient(openai.WithAPIKey(openaiKey), openai.WithBaseURL("http://api.example.com/v1")); err == nil {
		t.Error("openai: plain http to a remote host accepted")
	}
	if _, err := brevo.NewClient(brevo.WithAPIKey(brevoKey), brevo.WithBaseURL("http://api.example.com/v3")); err == nil {
		t.Error("brevo: plain http to a remote host accepted")
	}
}

// findLeaks fails for each text that holds a key in any of its forms.
func findLeaks(t *testing.T, place string, texts []string) {
	t.Helper()
	for _, s := range texts {
		for _, key := range []string{openaiKey, brevoKey} {
			for _, form := range leakForms(key) {
				if i := strings.Index(s, form); i >= 0 {
					t.Errorf("a key (as %q) in %s: …%s…", form, place, s[max(0, i-80):min(len(s), i+len(form)+20)])
					return
				}
			}
		}
	}
}

// TestKeysNeverLeakFromEchoedHeaders: a reply that quotes the request's
// headers (the error page of a debugging proxy or of some gateways) must
// not put the key into an error or a log line through the message or the
// body snippet the client quotes.
func TestKeysNeverLeakFromEchoedHeaders(t *testing.T) {
	var logs syncBuffer
	lib := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	in := faults.New(fallback())
	defer in.Close()
	oc, err := openai.NewClient(openai.WithAPIKey(openaiKey), openai.WithBaseURL(in.URL()+"/v1"), openai.WithHTTPClient(in.HTTPClient()),
		openai.WithLogger(lib), openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	if err != nil {
		t.Fatal(err)
	}
	bc, err := brevo.NewClient(brevo.WithAPIKey(brevoKey), brevo.WithBaseURL(in.URL()+"/v3"), brevo.WithHTTPClient(in.HTTPClient()),
		brevo.WithLogger(lib), brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var texts []string
	for _, status := range []int{502, 200} {
		in.Script(echoHeaders(status))
		_, err := oc.Chat.New(ctx, hello)
		texts = append(texts, fmt.Sprintf("%v|%+v|%#v", err, err, err))
		in.Script(echoHeaders(status))
		st := oc.Chat.Stream(ctx, hello)
		for st.Next() {
		}
		texts = append(texts, fmt.Sprint(st.Err()))
		in.Script(echoHeaders(status))
		_, err = bc.Contacts.Get(ctx, brevo.ByID(7))
		texts = append(texts, fmt.Sprintf("%v|%+v|%#v", err, err, err))
	}
	texts = append(texts, logs.String())
	for _, s := range texts {
		for _, key := range []string{openaiKey, brevoKey} {
			if strings.Contains(s, key) {
				i := strings.Index(s, key)
				t.Errorf("the key in: …%s…", s[max(0, i-60):min(len(s), i+len(key)+10)])
			}
		}
	}
}
