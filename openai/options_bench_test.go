package openai_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/redact"
)

// BenchmarkOptionOverhead measures what each production option adds to a
// chat call whose reply comes from an in-memory transport (no socket, no
// server), on a cache miss: the baseline is the same call without options.
func BenchmarkOptionOverhead(b *testing.B) {
	body := []byte(chatReply1K)
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
	})}
	base := []openai.Option{openai.WithAPIKey("sk-bench"), openai.WithHTTPClient(hc)}
	cases := []struct {
		name string
		opts []openai.Option
	}{
		{"baseline", nil},
		{"cache-miss", []openai.Option{openai.WithCache(openai.NewLRUCache(64<<20), time.Minute)}},
		{"usage-hook", []openai.Option{openai.WithUsageHook(func(context.Context, openai.UsageEvent) {})}},
		{"fallback", []openai.Option{openai.WithFallback("gpt-4o", "gpt-4o-mini")}},
		{"redactor", []openai.Option{openai.WithRedactor(redact.New())}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			c, err := openai.NewClient(append(append([]openai.Option(nil), base...), bc.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			req := openai.ChatRequest{Model: "gpt-4o", Temperature: openai.Ptr(0.0),
				Messages: []openai.ChatMessage{openai.SystemMessage("You write subject lines."), openai.UserMessage("")}}
			var n atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// A different prompt every call: the cache always misses.
				req.Messages[1].Content.Text = "spring sale " + strconv.FormatInt(n.Add(1), 10)
				if _, err := c.Chat.New(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
