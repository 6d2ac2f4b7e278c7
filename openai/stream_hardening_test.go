package openai_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

func sizedClient(t *testing.T, rt http.RoundTripper, maxBody int64) *openai.Client {
	t.Helper()
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL("http://127.0.0.1:9/v1"),
		openai.WithHTTPClient(&http.Client{Transport: rt}), openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}),
		openai.WithMaxResponseSize(maxBody))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A proxy or a gateway that answers a stream request with a JSON body or an
// HTML page must not look like an empty, successful stream.
func TestStreamRejectsABodyThatIsNotAnEventStream(t *testing.T) {
	for _, reply := range []struct{ ctype, body string }{
		{"application/json", okBody},
		{"text/html", "<html><body>Please log in to the guest Wi-Fi</body></html>"},
	} {
		rt := &memoryTransport{status: 200, header: http.Header{"Content-Type": {reply.ctype}, "X-Request-Id": {"req_1"}}, body: []byte(reply.body)}
		c := memoryClient(t, rt)
		st := c.Chat.Stream(context.Background(), helloReq)
		for st.Next() {
		}
		var de *openai.DecodeError
		if !errors.As(st.Err(), &de) || de.ContentType != reply.ctype || de.RequestID != "req_1" {
			t.Errorf("chat stream answered with %s: err %v, want a *DecodeError naming the content type", reply.ctype, st.Err())
		}
		rs := c.Responses.Stream(context.Background(), openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("hi")})
		for rs.Next() {
		}
		if !errors.As(rs.Err(), &de) {
			t.Errorf("responses stream answered with %s: err %v, want a *DecodeError", reply.ctype, rs.Err())
		}
	}
}

// WithMaxResponseSize must bound what a stream holds, not only each event:
// a server that streams deltas without end must not exhaust memory.
func TestStreamAccumulationIsBounded(t *testing.T) {
	delta := `data: {"choices":[{"index":0,"delta":{"content":"` + strings.Repeat("x", 4000) + `"}}]}` + "\n\n"
	rt := &memoryTransport{status: 200, header: http.Header{"Content-Type": {"text/event-stream"}}, body: []byte(strings.Repeat(delta, 1024))}
	st := sizedClient(t, rt, 1<<20).Chat.Stream(context.Background(), helloReq)
	for st.Next() {
	}
	if !errors.Is(st.Err(), openai.ErrBodyTooLarge) {
		t.Errorf("4 MiB of deltas with a 1 MiB cap: err %v, %d bytes accumulated; want ErrBodyTooLarge", st.Err(), len(st.Text()))
	}
}

// An event over the size cap must be recognisable with the package's own
// error, not only with a type from an internal package.
func TestStreamOversizedEventIsTyped(t *testing.T) {
	rt := &memoryTransport{status: 200, header: http.Header{"Content-Type": {"text/event-stream"}},
		body: []byte("data: " + strings.Repeat("x", 2<<20) + "\n\n")}
	st := sizedClient(t, rt, 1<<20).Chat.Stream(context.Background(), helloReq)
	for st.Next() {
	}
	if !errors.Is(st.Err(), openai.ErrBodyTooLarge) {
		t.Errorf("err %v, want ErrBodyTooLarge", st.Err())
	}
}

// A stream event that is not the JSON it should be is a body that is not
// what it claims: README promises a *DecodeError with status and request id.
func TestStreamUndecodableEventIsDecodeError(t *testing.T) {
	for _, ev := range []string{"data: {not json\n\n", `data: {"choices":{}}` + "\n\n"} {
		rt := &memoryTransport{status: 200, header: http.Header{"Content-Type": {"text/event-stream"}, "X-Request-Id": {"req_2"}}, body: []byte(ev)}
		st := memoryClient(t, rt).Chat.Stream(context.Background(), helloReq)
		for st.Next() {
		}
		var de *openai.DecodeError
		if !errors.As(st.Err(), &de) || de.StatusCode != 200 || de.RequestID != "req_2" || de.Snippet == "" {
			t.Errorf("%q: err %v, want a *DecodeError with status, request id and snippet", ev, st.Err())
		}
	}
}

// A 429 "Request too large" can never succeed as sent: Retry knows it, and
// the error's predicates must agree.
func TestRequestTooLargeIsNotRetryable(t *testing.T) {
	body := `{"error":{"message":"Request too large for gpt-4o on tokens per min (TPM): Limit 30000, Requested 50000. The input or output tokens must be reduced in order to run successfully.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}`
	rt := &memoryTransport{status: 429, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(body)}
	_, err := memoryClient(t, rt).Chat.New(context.Background(), helloReq)
	var e *openai.APIError
	if !errors.As(err, &e) {
		t.Fatalf("err %v", err)
	}
	if e.IsRetryable() || e.IsRateLimit() || openai.IsRateLimit(err) {
		t.Errorf("IsRetryable %v, IsRateLimit %v for a request that can never fit; Retry's verdict: %+v",
			e.IsRetryable(), e.IsRateLimit(), ratelimit.Classify(429, e.Header, []byte(body)))
	}
}

// redirecting answers the first request with a redirect to location and
// records every request; requests for other hosts are answered 200.
type redirecting struct {
	location string
	mu       sync.Mutex
	seen     []*http.Request
}

func (r *redirecting) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = append(r.seen, req)
	first := len(r.seen) == 1
	r.mu.Unlock()
	if first {
		return (&memoryTransport{status: http.StatusTemporaryRedirect, header: http.Header{"Location": {r.location}}}).RoundTrip(req)
	}
	return (&memoryTransport{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(okBody)}).RoundTrip(req)
}

// A redirect, from a compromised proxy or a misconfigured gateway, must not
// carry the organization, project or prompt to another host, and never over
// plain http: the client must not follow it.
func TestRedirectDoesNotLeaveTheHost(t *testing.T) {
	rt := &redirecting{location: "http://203.0.113.7/v1/chat/completions"}
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL("http://127.0.0.1:9/v1"),
		openai.WithHTTPClient(&http.Client{Transport: rt}), openai.WithOrganization("org-x"), openai.WithProject("proj-y"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Chat.New(context.Background(), helloReq)
	for _, r := range rt.seen {
		if r.URL.Scheme == "http" && !transport.IsLoopback(r.URL.Hostname()) {
			t.Errorf("a %s went to %s with OpenAI-Organization %q and a %d-byte body", r.Method, r.URL, r.Header.Get("Openai-Organization"), r.ContentLength)
		}
	}
	var e *openai.APIError
	if !errors.As(err, &e) || e.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("err %v, want an *APIError 307 carrying Location", err)
	}
}
