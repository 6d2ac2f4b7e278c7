package ratelimit_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/ratelimit"
)

// staticAPI answers every request with the same reply, allocating nothing.
type staticAPI struct{ resp *http.Response }

func (s staticAPI) RoundTrip(*http.Request) (*http.Response, error) { return s.resp, nil }

// BenchmarkThrottleAmple measures what Throttle adds to a request when the
// budget is ample: admission, the reply's header parsing and the
// reconciliation. The reply carries all six x-ratelimit-* headers and
// openai-processing-ms.
func BenchmarkThrottleAmple(b *testing.B) {
	h := rlHeaders(1_000_000_000, 999_999_999, "1ms", 1_000_000_000_000, 999_999_999_000, "1ms")
	h.Set("Openai-Processing-Ms", "412")
	resp := &http.Response{StatusCode: 200, Header: h, Body: http.NoBody}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{})
	rt := ratelimit.Throttle(l)(staticAPI{resp})
	ctx := ratelimit.WithCost(context.Background(), ratelimit.Cost{Key: "gpt-4o-mini", Requests: 1, Tokens: 1200})
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://api.invalid/v1/chat/completions", nil)
	if _, err := rt.RoundTrip(req); err != nil { // the probe
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := rt.RoundTrip(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkThrottleAmpleParallel is BenchmarkThrottleAmple from all
// processors at once, on one key.
func BenchmarkThrottleAmpleParallel(b *testing.B) {
	h := rlHeaders(1_000_000_000, 999_999_999, "1ms", 1_000_000_000_000, 999_999_999_000, "1ms")
	resp := &http.Response{StatusCode: 200, Header: h, Body: http.NoBody}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{})
	rt := ratelimit.Throttle(l)(staticAPI{resp})
	ctx := ratelimit.WithCost(context.Background(), ratelimit.Cost{Key: "gpt-4o-mini", Requests: 1, Tokens: 1200})
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://api.invalid/v1/chat/completions", nil)
	rt.RoundTrip(req)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := rt.RoundTrip(req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRetrySuccess measures Retry on a request that succeeds at once.
func BenchmarkRetrySuccess(b *testing.B) {
	resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody}
	rt := ratelimit.Retry(ratelimit.DefaultRetryPolicy())(staticAPI{resp})
	req, _ := http.NewRequest("POST", "http://api.invalid/v1/chat/completions", io.NopCloser(strings.NewReader("")))
	req.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.RoundTrip(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseOpenAIHeaders measures parsing all six headers.
func BenchmarkParseOpenAIHeaders(b *testing.B) {
	h := rlHeaders(5000, 4999, "12ms", 2000000, 1999000, "6m0s")
	b.ReportAllocs()
	for b.Loop() {
		if !ratelimit.ParseOpenAIHeaders(h).Known() {
			b.Fatal("unknown")
		}
	}
}
