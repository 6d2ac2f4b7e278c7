package openai_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
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

// BenchmarkLRUCacheHeap fills a 16 MiB cache with 100,000 distinct replies
// of 1 KB (100 MB offered) and reports the live heap it holds afterwards.
func BenchmarkLRUCacheHeap(b *testing.B) {
	const bound = 16 << 20
	value := make([]byte, 1024)
	for i := 0; i < b.N; i++ {
		c := openai.NewLRUCache(bound)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for k := 0; k < 100_000; k++ {
			c.Set(context.Background(), "reachkit:openai:"+strconv.Itoa(k), bytes.Clone(value), 0)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-live")
		b.ReportMetric(float64(c.Size())/(1<<20), "MiB-accounted")
		b.ReportMetric(float64(c.Len()), "entries")
		runtime.KeepAlive(c)
	}
}
