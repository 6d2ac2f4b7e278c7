package ratelimit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/reachkit/reachkit/ratelimit"
)

func ExampleRetry() {
	// A server that is unavailable once, then answers.
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After-Ms", "10")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()

	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: ratelimit.Retry(ratelimit.RetryPolicy{MaxRetries: 4})(transport)}

	// A strings.Reader body gets a GetBody, so the retry can replay it.
	ctx, info := ratelimit.WithRetryInfo(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL, strings.NewReader(`{"model":"gpt-4o-mini"}`))
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body), "after", info.Attempts(), "attempts")
	// Output: 200 {"ok":true} after 2 attempts
}

func ExampleThrottle() {
	// A server that reports its limits: 30,000 tokens per minute.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Ratelimit-Limit-Requests", "500")
		h.Set("X-Ratelimit-Remaining-Requests", "499")
		h.Set("X-Ratelimit-Reset-Requests", "120ms")
		h.Set("X-Ratelimit-Limit-Tokens", "30000")
		h.Set("X-Ratelimit-Remaining-Tokens", "29000")
		h.Set("X-Ratelimit-Reset-Tokens", "2s")
		io.WriteString(w, `{"usage":{"completion_tokens":150}}`)
	}))
	defer srv.Close()

	limiter := ratelimit.NewLimiter(ratelimit.LimiterConfig{Refunds: true})
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	// Retry outside, Throttle inside: every attempt waits for budget.
	client := &http.Client{Transport: ratelimit.Retry(ratelimit.DefaultRetryPolicy())(ratelimit.Throttle(limiter)(transport))}

	// The caller states the request's cost: a prompt estimate (characters
	// / 4) plus the maximum output, charged to the model's budget.
	ctx := ratelimit.WithCost(context.Background(), ratelimit.Cost{Key: "gpt-4o-mini", Requests: 1, Tokens: 1000})
	ctx, settle := ratelimit.WithSettlement(ctx)
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL, strings.NewReader(`{"model":"gpt-4o-mini","max_tokens":800}`))
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// The reply used 150 of the 800 output tokens reserved.
	settle.Refund(800 - 150)

	for _, k := range limiter.Snapshot() {
		fmt.Printf("%s: learned=%v tokens limit %d per %v\n", k.Key, k.Learned, k.Tokens.Limit, k.Tokens.Window.Round(time.Second))
	}
	// Output: gpt-4o-mini: learned=true tokens limit 30000 per 1m0s
}
