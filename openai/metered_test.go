package openai

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// Middleware sees the call's Cost and Settlement in the request context; a
// client without middleware does not build them.
func TestCostReachesMiddleware(t *testing.T) {
	reply := `{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"completion_tokens":1}}`
	base := transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(reply)), Request: r}, nil
	})
	var seen []ratelimit.Cost
	mw := func(next http.RoundTripper) http.RoundTripper {
		return transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			if c, ok := ratelimit.CostFrom(r.Context()); ok {
				seen = append(seen, c)
			}
			return next.RoundTrip(r)
		})
	}
	req := ChatRequest{Model: "gpt-4o-mini", Messages: []ChatMessage{UserMessage("hello there")}, MaxCompletionTokens: 10}
	for _, withMW := range []bool{true, false} {
		opts := []Option{WithAPIKey("k"), WithBaseURL("http://127.0.0.1:1"), WithHTTPClient(&http.Client{Transport: base}),
			WithRetry(ratelimit.RetryPolicy{MaxRetries: -1})}
		if withMW {
			opts = append(opts, WithMiddleware(mw))
		}
		c, err := NewClient(opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Chat.New(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if c.core.metered != withMW {
			t.Errorf("middleware %v: metered %v", withMW, c.core.metered)
		}
	}
	if len(seen) != 1 || seen[0].Key != "gpt-4o-mini" || seen[0].Tokens < 10 {
		t.Fatalf("middleware saw costs %+v", seen)
	}
}
