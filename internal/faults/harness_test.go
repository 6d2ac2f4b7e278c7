package faults_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/internal/faults"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Recognisable keys: a test that finds them anywhere they should not be
// fails.
const (
	openaiKey = "sk-proj-FAULTS-canary-7f3a9c"
	brevoKey  = "xkeysib-FAULTS-canary-2b8e1d"
)

var hello = openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage("hello")}}

func chatJSON(text string) string {
	return `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"` + text + `"},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}`
}

// chunk is one SSE event of a chat stream carrying text.
func chunk(text string) string {
	return `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini",` +
		`"choices":[{"index":0,"delta":{"content":"` + text + `"},"finish_reason":null}]}` + "\n\n"
}

const (
	finish  = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n"
	done    = "data: [DONE]\n\n"
	errorEv = "event: error\ndata: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\",\"code\":\"server_error\"}}\n\n"

	contactJSON = `{"id":7,"email":"ada@example.com","emailBlacklisted":false,"smsBlacklisted":false,` +
		`"createdAt":"2024-01-01T00:00:00Z","modifiedAt":"2024-01-01T00:00:00Z","listIds":[1],"attributes":{"FIRSTNAME":"Ada"}}`
	sentJSON = `{"messageId":"<m1@relay>"}`

	htmlPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)

// respEvent is one SSE event of a Responses stream.
func respEvent(typ, rest string) string {
	return "event: " + typ + "\ndata: {\"type\":\"" + typ + "\"," + rest + "}\n\n"
}

var (
	respCreated = respEvent("response.created", `"sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-4o-mini","output":[]}`)
	respDelta   = func(s string) string {
		return respEvent("response.output_text.delta", `"item_id":"msg_1","output_index":0,"delta":"`+s+`"`)
	}
	respCompleted = respEvent("response.completed", `"response":{"id":"resp_1","object":"response","status":"completed","model":"gpt-4o-mini",`+
		`"output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi!","annotations":[]}]}]}`)
	respError = respEvent("error", `"code":"server_error","message":"The server had an error","param":null`)
)

// fallback answers both APIs' routes with small valid replies.
func fallback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p := r.URL.Path
		switch {
		case strings.HasSuffix(p, "/chat/completions") && bytes.Contains(body, []byte(`"stream":true`)):
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, chunk("Hi")+chunk("!")+finish+done)
		case strings.HasSuffix(p, "/chat/completions"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, chatJSON("Hi!"))
		case strings.HasSuffix(p, "/responses"):
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, respCreated+respDelta("Hi")+respDelta("!")+respCompleted)
		case strings.HasSuffix(p, "/models"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1,"owned_by":"openai"}]}`)
		case strings.Contains(p, "/contacts/"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, contactJSON)
		case strings.HasSuffix(p, "/smtp/email"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, sentJSON)
		default:
			http.NotFound(w, r)
		}
	})
}

// result is what a call gave the user.
type result struct {
	err    error
	text   string // the reply's text, message id or email
	events int    // stream events delivered
}

// env is one scenario's injector and clients.
type env struct {
	in *faults.Injector
	oc *openai.Client
	bc *brevo.Client
}

type target struct {
	name string
	run  func(ctx context.Context, e *env) result
}

var (
	chatNew = target{"openai Chat.New", func(ctx context.Context, e *env) result {
		resp, err := e.oc.Chat.New(ctx, hello)
		if err != nil {
			return result{err: err}
		}
		return result{text: resp.Text()}
	}}
	chatStream = target{"openai Chat.Stream", func(ctx context.Context, e *env) result {
		st := e.oc.Chat.Stream(ctx, hello)
		defer st.Close()
		var r result
		for st.Next() {
			r.events++
		}
		r.err = st.Err()
		r.text = st.Completion().Text()
		return r
	}}
	respStream = target{"openai Responses.Stream", func(ctx context.Context, e *env) result {
		st := e.oc.Responses.Stream(ctx, openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("hello")})
		defer st.Close()
		var r result
		for st.Next() {
			r.events++
		}
		r.err = st.Err()
		r.text = st.OutputText()
		return r
	}}
	brevoGet = target{"brevo Contacts.Get", func(ctx context.Context, e *env) result {
		c, err := e.bc.Contacts.Get(ctx, brevo.ByEmail("ada@example.com"))
		if err != nil {
			return result{err: err}
		}
		return result{text: c.Email}
	}}
	brevoSend = target{"brevo Email.Send", func(ctx context.Context, e *env) result {
		sent, err := e.bc.Email.Send(ctx, brevo.SendEmailRequest{
			Sender: &brevo.Sender{Email: "shop@example.com"}, To: []brevo.Address{{Email: "ada@example.com"}},
			Subject: "Spring sale", HTMLContent: "<p>Hi Ada</p>",
		})
		if err != nil {
			return result{err: err}
		}
		return result{text: sent.MessageID}
	}}
)

// fast retries quickly, so that scenarios cost milliseconds.
var fast = ratelimit.RetryPolicy{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: 4 * time.Millisecond}

type scenario struct {
	fault  string
	target target
	script []faults.Fault

	policy   *ratelimit.RetryPolicy // nil means fast
	timeout  time.Duration          // WithTimeout of both clients
	idle     time.Duration          // WithStreamIdleTimeout of the openai client
	maxBody  int64                  // WithMaxResponseSize of both clients
	deadline time.Duration          // the caller's context deadline; 0 means 10 s
	cancel   time.Duration          // cancel the caller's context after this long
	prime    int                    // calls made (and discarded) before the measured one
	// primeScript scripts the primed calls.
	primeScript []faults.Fault

	want expect
	note string
}

type expect struct {
	text     *string // success with this text
	api      int     // an *openai.APIError or *brevo.APIError with this status
	decode   bool    // a *DecodeError in the chain
	is       []error // errors.Is for each
	anyOf    []error // errors.Is for at least one
	attempts int     // attempts Retry made (0: not checked)
	events   int     // stream events delivered (-1 or 0: not checked)
	min, max time.Duration
	check    func(t *testing.T, r result, e *env)
}

func ok(s string) *string { return &s }

// outcome is one measured scenario, a row of the reliability table.
type outcome struct {
	sc       *scenario
	res      result
	attempts int
	hits     int
	elapsed  time.Duration
	deadline time.Duration
	peak     uint64
	leaked   bool
	panicked any
	escaped  []*http.Request // requests for another host than the server

}

// heapSampler records the peak of live heap objects while a call runs.
type heapSampler struct {
	base uint64
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startSampler() *heapSampler {
	runtime.GC()
	h := &heapSampler{base: readHeap(), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		for {
			if v := readHeap(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// Stop returns the peak growth over the heap at the start.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	if v := readHeap(); v > h.peak.Load() {
		h.peak.Store(v)
	}
	if p := h.peak.Load(); p > h.base {
		return p - h.base
	}
	return 0
}

func (sc *scenario) env() *env {
	in := faults.New(fallback())
	policy := fast
	if sc.policy != nil {
		policy = *sc.policy
	}
	oopts := []openai.Option{
		openai.WithAPIKey(openaiKey), openai.WithBaseURL(in.URL() + "/v1"), openai.WithHTTPClient(in.HTTPClient()),
		openai.WithOrganization("org-faults"), openai.WithProject("proj_faults"), openai.WithRetry(policy), openai.WithMiddleware(ratelimit.Throttle(ratelimit.NewLimiter(ratelimit.LimiterConfig{}))),
	}
	bopts := []brevo.Option{
		brevo.WithAPIKey(brevoKey), brevo.WithBaseURL(in.URL() + "/v3"), brevo.WithHTTPClient(in.HTTPClient()),
		brevo.WithRetry(policy), brevo.WithMiddleware(brevo.Throttle()),
	}
	if sc.idle > 0 {
		oopts = append(oopts, openai.WithStreamIdleTimeout(sc.idle))
	}
	if sc.timeout > 0 {
		oopts = append(oopts, openai.WithTimeout(sc.timeout))
		bopts = append(bopts, brevo.WithTimeout(sc.timeout))
	}
	if sc.maxBody > 0 {
		oopts = append(oopts, openai.WithMaxResponseSize(sc.maxBody))
		bopts = append(bopts, brevo.WithMaxResponseSize(sc.maxBody))
	}
	oc, err := openai.NewClient(oopts...)
	if err != nil {
		panic(err)
	}
	bc, err := brevo.NewClient(bopts...)
	if err != nil {
		panic(err)
	}
	return &env{in: in, oc: oc, bc: bc}
}

// slack is how far past its context deadline a call may return and still
// count as not hanging: scheduling on a loaded two-core machine.
const slack = 750 * time.Millisecond

// maxPeak bounds the heap growth of any scenario: every body is capped at
// 32 MiB by default, and the scenarios that send more set a 1 MiB cap.
const maxPeak = 64 << 20

// run measures one scenario: the universal properties (no panic, no hang
// past the deadline, bounded memory, no leaked goroutine) are checked here;
// the scenario's own expectations by check.
func run(t *testing.T, sc *scenario) *outcome {
	t.Helper()
	leakOpt := goleak.IgnoreCurrent()
	e := sc.env()
	out := &outcome{sc: sc, deadline: sc.deadline}
	if out.deadline == 0 {
		out.deadline = 10 * time.Second
	}
	e.in.Script(sc.primeScript...)
	for range sc.prime {
		sc.target.run(context.Background(), e)
	}
	e.in.Script(sc.script...)
	hitsBefore := e.in.Hits()

	h := startSampler()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), out.deadline)
	if sc.cancel > 0 {
		timer := time.AfterFunc(sc.cancel, cancel)
		defer timer.Stop()
	}
	ctx, info := ratelimit.WithRetryInfo(ctx)
	func() {
		defer func() { out.panicked = recover() }()
		out.res = sc.target.run(ctx, e)
	}()
	out.elapsed = time.Since(start)
	out.peak = h.Stop()
	cancel()
	out.attempts = info.Attempts()
	out.hits = e.in.Hits() - hitsBefore
	out.escaped = e.in.Escaped()
	e.in.Close()
	if err := goroutinesLeft(leakOpt); err != nil {
		out.leaked = true
		t.Errorf("leaked goroutines: %v", err)
	}
	if out.panicked != nil {
		t.Errorf("panic: %v", out.panicked)
	}
	if limit := out.deadline + slack; out.elapsed > limit {
		t.Errorf("returned after %v, past the deadline %v", out.elapsed, out.deadline)
	}
	if out.peak > maxPeak {
		t.Errorf("heap grew by %d MiB", out.peak>>20)
	}
	return out
}

// goroutinesLeft reports the goroutines started since opt was taken that
// are still running after a few seconds: goroutines that end late on a
// loaded machine (a hijacked connection's handler, say) are not leaks.
func goroutinesLeft(opt goleak.Option) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := goleak.Find(opt)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkEscapes fails when a request left for another host over plain http.
func checkEscapes(t *testing.T, escaped []*http.Request) {
	t.Helper()
	for _, r := range escaped {
		if !faults.Loopback(r) {
			t.Errorf("a %s request went to %s over plain http (api-key sent: %v, Authorization sent: %v, OpenAI-Organization sent: %v, body: %d bytes)",
				r.Method, r.URL.Redacted(), r.Header.Get("Api-Key") != "", r.Header.Get("Authorization") != "",
				r.Header.Get("Openai-Organization") != "", r.ContentLength)
		}
	}
}

func (o *outcome) check(t *testing.T) {
	t.Helper()
	w, r := o.sc.want, o.res
	checkEscapes(t, o.escaped)
	if w.text != nil {
		if r.err != nil {
			t.Fatalf("want success, got %v", r.err)
		}
		if r.text != *w.text {
			t.Errorf("text %q, want %q", r.text, *w.text)
		}
	} else if r.err == nil && w.check == nil {
		t.Fatalf("want an error, got success (%q)", r.text)
	}
	if w.api != 0 {
		var oe *openai.APIError
		var be *brevo.APIError
		switch {
		case errors.As(r.err, &oe):
			if oe.StatusCode != w.api {
				t.Errorf("status %d, want %d", oe.StatusCode, w.api)
			}
		case errors.As(r.err, &be):
			if be.StatusCode != w.api {
				t.Errorf("status %d, want %d", be.StatusCode, w.api)
			}
		default:
			t.Errorf("want an *APIError %d, got %T: %v", w.api, r.err, r.err)
		}
	}
	var de *openai.DecodeError
	if w.decode && !errors.As(r.err, &de) {
		t.Errorf("want a *DecodeError, got %T: %v", r.err, r.err)
	}
	for _, target := range w.is {
		if !errors.Is(r.err, target) {
			t.Errorf("want errors.Is(err, %v), got %v", target, r.err)
		}
	}
	if len(w.anyOf) > 0 {
		found := false
		for _, target := range w.anyOf {
			found = found || errors.Is(r.err, target)
		}
		if !found {
			t.Errorf("want errors.Is(err, one of %v), got %v", w.anyOf, r.err)
		}
	}
	if w.attempts != 0 && o.attempts != w.attempts {
		t.Errorf("%d attempts, want %d", o.attempts, w.attempts)
	}
	if w.events > 0 && r.events != w.events {
		t.Errorf("%d events, want %d", r.events, w.events)
	}
	if w.min > 0 && o.elapsed < w.min {
		t.Errorf("returned after %v, before %v", o.elapsed, w.min)
	}
	if w.max > 0 && o.elapsed > w.max {
		t.Errorf("returned after %v, later than %v", o.elapsed, w.max)
	}
}

// describe names what a user can match in err.
func describe(err error) string {
	if err == nil {
		return "success"
	}
	var parts []string
	var oe *openai.APIError
	var be *brevo.APIError
	var de *openai.DecodeError
	var re *ratelimit.RetryError
	switch {
	case errors.As(err, &oe):
		s := fmt.Sprintf("`*openai.APIError` %d", oe.StatusCode)
		if oe.Code != "" {
			s += " " + oe.Code
		}
		parts = append(parts, s)
	case errors.As(err, &be):
		s := fmt.Sprintf("`*brevo.APIError` %d", be.StatusCode)
		if be.Code != "" {
			s += " " + be.Code
		}
		parts = append(parts, s)
	}
	if errors.As(err, &re) {
		parts = append(parts, "`*ratelimit.RetryError`")
	}
	if errors.As(err, &de) {
		parts = append(parts, "`*DecodeError` ("+cause(de.Err)+")")
	}
	for _, k := range []struct {
		err  error
		name string
	}{
		{context.DeadlineExceeded, "`context.DeadlineExceeded`"}, {context.Canceled, "`context.Canceled`"},
		{syscall.ECONNREFUSED, "`ECONNREFUSED`"}, {syscall.ECONNRESET, "`ECONNRESET`"},
		{io.ErrUnexpectedEOF, "`io.ErrUnexpectedEOF`"}, {openai.ErrBodyTooLarge, "`ErrBodyTooLarge`"},
		{openai.ErrEmptyBody, "`ErrEmptyBody`"}, {openai.ErrStreamTruncated, "`ErrStreamTruncated`"},
		{openai.ErrStreamIdle, "`ErrStreamIdle`"},
	} {
		if errors.Is(err, k.err) {
			parts = append(parts, k.name)
		}
	}
	if errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		parts = append(parts, "`io.EOF`")
	}
	if len(parts) == 0 {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 && len(msg)-i < 80 {
			msg = msg[i+2:]
		}
		if len(msg) > 60 {
			msg = msg[:60] + "…"
		}
		parts = append(parts, "“"+msg+"”")
	}
	return strings.Join(parts, ", ")
}

// cause names the cause of a *DecodeError briefly.
func cause(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, openai.ErrBodyTooLarge):
		return "too large"
	case errors.Is(err, openai.ErrEmptyBody):
		return "empty"
	case errors.Is(err, openai.ErrStreamTruncated) && errors.Is(err, syscall.ECONNRESET):
		return "cut: reset"
	case errors.Is(err, openai.ErrStreamTruncated) && errors.Is(err, io.ErrUnexpectedEOF):
		return "cut: body shorter than declared"
	case errors.Is(err, openai.ErrStreamTruncated):
		return "cut before its last event"
	case errors.Is(err, syscall.ECONNRESET):
		return "read: reset"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "cut short"
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "truncated JSON"):
		return "truncated JSON"
	case strings.HasPrefix(msg, "expected JSON, got "):
		return msg[:strings.Index(msg, ":")]
	case strings.Contains(msg, "cannot unmarshal number"):
		return "number out of range"
	case strings.Contains(msg, "gzip"):
		return "gzip: " + msg[strings.LastIndex(msg, " ")+1:]
	}
	if len(msg) > 40 {
		msg = msg[:40] + "…"
	}
	return msg
}

func mib(n uint64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.0f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// short quotes s, cut to a few characters.
func short(s string) string {
	if r := []rune(s); len(r) > 16 {
		return fmt.Sprintf("%q… (%d bytes)", string(r[:8]), len(s))
	}
	return fmt.Sprintf("%q", s)
}

func (o *outcome) row() string {
	outcome := describe(o.res.err)
	if o.res.err == nil {
		outcome = "success " + short(o.res.text)
	} else if o.res.events > 0 || o.res.text != "" {
		outcome += fmt.Sprintf("; %d event(s), text so far %s", o.res.events, short(o.res.text))
	}
	retried := "no"
	if o.attempts > 1 {
		retried = "yes"
	}
	attempts := fmt.Sprintf("%s, %d", retried, o.attempts)
	if o.hits != o.attempts {
		attempts += fmt.Sprintf(" (server saw %d)", o.hits)
	}
	note := o.sc.note
	return fmt.Sprintf("| %s | %s | %s | %s | %.2f s / %.1f s | %s | %s |",
		o.sc.fault, o.sc.target.name, outcome, attempts, o.elapsed.Seconds(), o.deadline.Seconds(), mib(o.peak), note)
}

// report collects the rows of the reliability table; it is written to the
// file named by REACHKIT_FAULTS_REPORT, if set.
type report struct {
	mu   sync.Mutex
	rows []string
}

func (r *report) add(row string) {
	r.mu.Lock()
	r.rows = append(r.rows, row)
	r.mu.Unlock()
}

func (r *report) write(t *testing.T) {
	path := os.Getenv("REACHKIT_FAULTS_REPORT")
	if path == "" {
		return
	}
	var b strings.Builder
	b.WriteString("| Fault | Call | Outcome (what `errors.Is`/`errors.As` match) | Retried, attempts | Time / ctx deadline | Peak heap | Note |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, row := range r.rows {
		b.WriteString(row + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
	}
}
