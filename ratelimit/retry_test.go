package ratelimit_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/reachkit/reachkit/ratelimit"
)

// reply is one scripted answer of a test server.
type reply struct {
	status int
	header http.Header
	body   string
}

// script serves replies in order (the last one repeats) and records the
// bodies it received.
type script struct {
	mu      sync.Mutex
	replies []reply
	bodies  [][]byte
	srv     *httptest.Server
}

func newScript(t *testing.T, replies ...reply) *script {
	t.Helper()
	s := &script{replies: replies}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, b)
		rep := s.replies[min(len(s.bodies), len(s.replies))-1]
		s.mu.Unlock()
		for k, v := range rep.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rep.status)
		io.WriteString(w, rep.body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *script) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

// fast is a policy whose waits take a millisecond at most.
var fast = ratelimit.RetryPolicy{MaxRetries: 3, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}

func retryClient(p ratelimit.RetryPolicy) (*http.Client, func()) {
	tr := &http.Transport{}
	return &http.Client{Transport: ratelimit.Retry(p)(tr)}, tr.CloseIdleConnections
}

func TestRetryStatuses(t *testing.T) {
	ok := reply{status: 200, body: `{"ok":true}`}
	quota := reply{status: 429, body: string(errorJSON("insufficient_quota", "insufficient_quota", "You exceeded your current quota"))}
	limited := reply{status: 429, header: header("retry-after-ms", "1"), body: string(errorJSON("tokens", "rate_limit_exceeded", "Please try again in 1ms."))}
	for _, tc := range []struct {
		name     string
		replies  []reply
		calls    int
		status   int
		infoErr  error
		maxRetry int
	}{
		{"success", []reply{ok}, 1, 200, nil, 3},
		{"500 then ok", []reply{{status: 500}, ok}, 2, 200, nil, 3},
		{"502 503 504 then ok", []reply{{status: 502}, {status: 503}, {status: 504}, ok}, 4, 200, nil, 3},
		{"408 then ok", []reply{{status: 408}, ok}, 2, 200, nil, 3},
		{"409 then ok", []reply{{status: 409}, ok}, 2, 200, nil, 3},
		{"429 then ok", []reply{limited, ok}, 2, 200, nil, 3},
		{"429 quota", []reply{quota, ok}, 1, 429, nil, 3},
		{"429 credit", []reply{{status: 429, body: string(errorJSON("", "credit_balance_exhausted", "x"))}, ok}, 1, 429, nil, 3},
		{"429 org usage", []reply{{status: 429, body: string(errorJSON("", "organization_usage_limit_exceeded", "x"))}, ok}, 1, 429, nil, 3},
		{"429 org spend", []reply{{status: 429, body: string(errorJSON("", "organization_spend_limit_exceeded", "x"))}, ok}, 1, 429, nil, 3},
		{"429 project spend", []reply{{status: 429, body: string(errorJSON("", "project_spend_limit_exceeded", "x"))}, ok}, 1, 429, nil, 3},
		{"429 too large", []reply{{status: 429, body: string(errorJSON("tokens", "rate_limit_exceeded", "Request too large for gpt-4o: Limit 100, Requested 200."))}, ok}, 1, 429, nil, 3},
		{"400", []reply{{status: 400}, ok}, 1, 400, nil, 3},
		{"401", []reply{{status: 401}, ok}, 1, 401, nil, 3},
		{"403", []reply{{status: 403}, ok}, 1, 403, nil, 3},
		{"404", []reply{{status: 404}, ok}, 1, 404, nil, 3},
		{"422", []reply{{status: 422}, ok}, 1, 422, nil, 3},
		{"x-should-retry false", []reply{{status: 503, header: header("x-should-retry", "false")}, ok}, 1, 503, nil, 3},
		{"x-should-retry true on 400", []reply{{status: 400, header: header("x-should-retry", "true")}, ok}, 2, 200, nil, 3},
		{"exhausted", []reply{{status: 500}}, 4, 500, ratelimit.ErrRetriesExhausted, 3},
		{"disabled", []reply{{status: 500}, ok}, 1, 500, ratelimit.ErrRetriesExhausted, -1},
		{"wait above MaxServerWait", []reply{{status: 429, header: header("retry-after", "120")}, ok}, 1, 429, ratelimit.ErrWaitTooLong, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, tc.replies...)
			p := fast
			p.MaxRetries = tc.maxRetry
			client, done := retryClient(p)
			defer done()
			ctx, info := ratelimit.WithRetryInfo(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "POST", s.srv.URL, strings.NewReader(`{"model":"gpt-4o-mini"}`))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || s.calls() != tc.calls || info.Attempts() != tc.calls {
				t.Fatalf("status %d after %d calls (info %d); want %d after %d", resp.StatusCode, s.calls(), info.Attempts(), tc.status, tc.calls)
			}
			if !errors.Is(info.Err(), tc.infoErr) || (tc.infoErr == nil) != (info.Err() == nil) {
				t.Errorf("info.Err() = %v, want %v", info.Err(), tc.infoErr)
			}
			if want := tc.replies[min(tc.calls, len(tc.replies))-1].body; string(body) != want {
				t.Errorf("body %q, want the last reply's %q", body, want)
			}
			for i, b := range s.bodies {
				if string(b) != `{"model":"gpt-4o-mini"}` {
					t.Errorf("attempt %d sent body %q", i+1, b)
				}
			}
		})
	}
}

// TestRetryHonoursServerWait checks the precedence and the lower bound of
// each kind of advice: retry-after-ms, then Retry-After seconds or date.
func TestRetryHonoursServerWait(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.Header
		min  time.Duration
	}{
		{"retry-after-ms", header("retry-after-ms", "60", "retry-after", "0"), 60 * time.Millisecond},
		{"retry-after seconds", header("retry-after", "0.05"), 50 * time.Millisecond},
		{"retry-after date", header("retry-after", time.Now().Add(1500*time.Millisecond).UTC().Format(http.TimeFormat)), 400 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, reply{status: 429, header: tc.h}, reply{status: 200})
			client, done := retryClient(fast)
			defer done()
			start := time.Now()
			resp, err := client.Get(s.srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if d := time.Since(start); d < tc.min || resp.StatusCode != 200 {
				t.Fatalf("status %d after %v; want 200 after at least %v", resp.StatusCode, d, tc.min)
			}
		})
	}
}

func TestRetryReplaysMultipart(t *testing.T) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("model", "whisper-1")
	fw, _ := mw.CreateFormFile("file", "call.mp3")
	fw.Write(bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x00}, 4096))
	mw.Close()
	want := buf.Bytes()

	s := newScript(t, reply{status: 503}, reply{status: 500}, reply{status: 200})
	client, done := retryClient(fast)
	defer done()
	req, _ := http.NewRequest("POST", s.srv.URL, bytes.NewReader(want))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || s.calls() != 3 {
		t.Fatalf("status %d after %d calls", resp.StatusCode, s.calls())
	}
	for i, b := range s.bodies {
		if !bytes.Equal(b, want) {
			t.Fatalf("attempt %d sent %d bytes, want the same %d", i+1, len(b), len(want))
		}
	}
}

func TestRetryWithoutGetBody(t *testing.T) {
	s := newScript(t, reply{status: 503}, reply{status: 200})
	client, done := retryClient(fast)
	defer done()
	ctx, info := ratelimit.WithRetryInfo(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", s.srv.URL, io.NopCloser(strings.NewReader("once")))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || s.calls() != 1 || !errors.Is(info.Err(), ratelimit.ErrBodyNotReplayable) {
		t.Fatalf("status %d after %d calls, info %v", resp.StatusCode, s.calls(), info.Err())
	}

	// A transport error says why in the error itself.
	rt := ratelimit.Retry(fast)(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return nil, io.ErrUnexpectedEOF
	}))
	req, _ = http.NewRequest("POST", "http://example.invalid", io.NopCloser(strings.NewReader("once")))
	_, err = rt.RoundTrip(req)
	var re *ratelimit.RetryError
	if !errors.As(err, &re) || re.Attempts != 1 || !errors.Is(err, ratelimit.ErrBodyNotReplayable) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// trackedBody records how much of it was read and whether it was closed.
type trackedBody struct {
	r      io.Reader
	read   atomic.Int64
	closed atomic.Bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

func TestRetryDrainsDiscardedBodies(t *testing.T) {
	var bodies []*trackedBody
	rt := ratelimit.Retry(fast)(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		status := 503
		if len(bodies) == 2 {
			status = 200
		}
		b := &trackedBody{r: io.LimitReader(zeros{}, 1<<20)}
		bodies = append(bodies, b)
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: b, Request: r}, nil
	}))
	req, _ := http.NewRequest("GET", "http://example.invalid", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range bodies[:2] {
		if !b.closed.Load() || b.read.Load() == 0 || b.read.Load() > 64<<10 {
			t.Errorf("discarded body %d: closed %v, read %d bytes (want some, at most 64 KiB)", i, b.closed.Load(), b.read.Load())
		}
	}
	if bodies[2].closed.Load() || resp.Body != io.ReadCloser(bodies[2]) {
		t.Error("the returned body was touched")
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestRetryCancelDuringBackoff(t *testing.T) {
	s := newScript(t, reply{status: 503})
	p := ratelimit.RetryPolicy{MaxRetries: 3, InitialInterval: time.Hour, MaxInterval: time.Hour,
		NewBackOff: func() backoff.BackOff { return backoff.NewConstantBackOff(time.Hour) }}
	client, done := retryClient(p)
	defer done()
	ctx, cancel := context.WithCancel(context.Background())
	ctx, info := ratelimit.WithRetryInfo(ctx)
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL, nil)
	_, err := client.Do(req)
	var re *ratelimit.RetryError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &re) || re.Attempts != 1 || re.StatusCode != 503 {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v to notice the cancel", d)
	}
	if !errors.Is(info.Err(), context.Canceled) || info.Attempts() != 1 {
		t.Fatalf("info: %d attempts, err %v", info.Attempts(), info.Err())
	}
	if !strings.Contains(err.Error(), "gave up after 1 attempt (last reply: HTTP 503)") {
		t.Errorf("message %q", err)
	}
}

func TestRetryDeadlineTooSoon(t *testing.T) {
	s := newScript(t, reply{status: 429, header: header("retry-after", "30")})
	client, done := retryClient(fast)
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx, info := ratelimit.WithRetryInfo(ctx)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL, nil)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || time.Since(start) > time.Second || !errors.Is(info.Err(), ratelimit.ErrDeadlineTooSoon) {
		t.Fatalf("status %d after %v, info %v", resp.StatusCode, time.Since(start), info.Err())
	}
}

func TestRetryBackOffStop(t *testing.T) {
	s := newScript(t, reply{status: 500})
	p := ratelimit.RetryPolicy{MaxRetries: 10, NewBackOff: func() backoff.BackOff {
		return backoff.WithMaxRetries(backoff.NewConstantBackOff(time.Millisecond), 1)
	}}
	client, done := retryClient(p)
	defer done()
	resp, err := client.Get(s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s.calls() != 2 {
		t.Fatalf("%d calls; the schedule allowed 2", s.calls())
	}
}

func TestRetryFullJitterBounds(t *testing.T) {
	// With MaxRetries 3 and InitialInterval 40ms capped at 50ms, the three
	// waits are at most 40 + 50 + 50 ms.
	s := newScript(t, reply{status: 500})
	client, done := retryClient(ratelimit.RetryPolicy{MaxRetries: 3, InitialInterval: 40 * time.Millisecond, MaxInterval: 50 * time.Millisecond})
	defer done()
	start := time.Now()
	resp, err := client.Get(s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d > 140*time.Millisecond+time.Second || s.calls() != 4 {
		t.Fatalf("%d calls in %v", s.calls(), d)
	}
}

// TestRetryConnectionErrors covers a server that closes the connection
// while reading the request body (retried, and the body is replayed whole)
// and one that closes it in the middle of the reply's body (not retried:
// the reply was already returned, and reading it fails).
func TestRetryConnectionErrors(t *testing.T) {
	var calls atomic.Int32
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch {
		case r.URL.Path == "/mid-request" && n == 1:
			io.CopyN(io.Discard, r.Body, 10)
			hijackClose(t, w)
		case r.URL.Path == "/mid-request":
			got, _ = io.ReadAll(r.Body)
			w.WriteHeader(200)
		case r.URL.Path == "/mid-reply":
			conn, bw := hijack(t, w)
			bw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
			bw.Flush()
			conn.Close()
		}
	}))
	defer srv.Close()
	client, done := retryClient(fast)
	defer done()

	payload := bytes.Repeat([]byte("x"), 256<<10)
	ctx, info := ratelimit.WithRetryInfo(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/mid-request", bytes.NewReader(payload))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || info.Attempts() != 2 || !bytes.Equal(got, payload) {
		t.Fatalf("status %d, %d attempts, replayed %d of %d bytes", resp.StatusCode, info.Attempts(), len(got), len(payload))
	}

	calls.Store(0)
	ctx, info = ratelimit.WithRetryInfo(context.Background())
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL+"/mid-reply", nil)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || info.Attempts() != 1 || calls.Load() != 1 {
		t.Fatalf("read error %v after %d attempts", err, info.Attempts())
	}
}

func hijack(t *testing.T, w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	conn, bw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
	}
	return conn, bw
}

func hijackClose(t *testing.T, w http.ResponseWriter) {
	conn, _ := hijack(t, w)
	conn.Close()
}

func TestRetryRefusedConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	client, done := retryClient(ratelimit.RetryPolicy{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond})
	defer done()
	_, err = client.Get("http://" + addr)
	var re *ratelimit.RetryError
	if !errors.As(err, &re) || re.Attempts != 3 || !errors.Is(err, ratelimit.ErrRetriesExhausted) {
		t.Fatalf("err = %v", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("the transport error is not reachable: %v", err)
	}
}

func TestRetryPassesContextErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls int
	rt := ratelimit.Retry(fast)(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		return nil, r.Context().Err()
	}))
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://example.invalid", nil)
	_, err := rt.RoundTrip(req)
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
}

func TestRetryErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		e    *ratelimit.RetryError
		want string
	}{
		{&ratelimit.RetryError{Attempts: 3, Err: io.EOF}, "ratelimit: gave up after 3 attempts: EOF"},
		{&ratelimit.RetryError{Attempts: 1, StatusCode: 503, Stop: context.Canceled}, "ratelimit: gave up after 1 attempt (last reply: HTTP 503): context canceled"},
		{&ratelimit.RetryError{Attempts: 2, Err: io.EOF, Stop: ratelimit.ErrRetriesExhausted}, "ratelimit: gave up after 2 attempts: ratelimit: retries exhausted: EOF"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if (&ratelimit.RetryError{}).Unwrap() != nil {
		t.Error("empty RetryError unwraps to something")
	}
}

func TestRetryDefaults(t *testing.T) {
	p := ratelimit.DefaultRetryPolicy()
	if p.MaxRetries != 2 || p.InitialInterval != 500*time.Millisecond || p.MaxInterval != 8*time.Second || p.MaxServerWait != time.Minute {
		t.Fatalf("DefaultRetryPolicy() = %+v", p)
	}
}

// TestRetryDoesNotModifyRequest checks the RoundTripper contract.
func TestRetryDoesNotModifyRequest(t *testing.T) {
	var seen []*http.Request
	rt := ratelimit.Retry(fast)(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r)
		r.Header.Set("X-Attempt", "mutated by an inner middleware")
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		return &http.Response{StatusCode: 500, Header: http.Header{}, Body: http.NoBody}, nil
	}))
	req, _ := http.NewRequest("POST", "http://example.invalid", strings.NewReader("x"))
	req.Header.Set("X-Original", "1")
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(seen) != 4 || seen[0] != req {
		t.Fatalf("%d attempts", len(seen))
	}
	for _, r := range seen[1:] {
		if r == req || r.Header.Get("X-Original") != "1" {
			t.Fatal("a retry reused the caller's request or lost its headers")
		}
	}
}
