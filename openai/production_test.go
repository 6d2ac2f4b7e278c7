package openai_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
	"github.com/reachkit/reachkit/openai/redact"
	"github.com/reachkit/reachkit/ratelimit"
)

func TestCache(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client(openai.WithCache(openai.NewLRUCache(1<<20), time.Minute))
	ctx := context.Background()
	det := helloReq
	det.Temperature = openai.Ptr(0.0)

	first, err := c.Chat.New(ctx, det)
	require.NoError(t, err)
	assert.False(t, first.Meta.Cached)
	second, err := c.Chat.New(ctx, det)
	require.NoError(t, err)
	assert.True(t, second.Meta.Cached)
	assert.Equal(t, first.Choices, second.Choices)
	assert.Equal(t, 1, srv.RequestCount("chat/completions"), "the second identical deterministic call sends nothing")

	seeded := helloReq
	seeded.Seed = openai.Ptr(int64(7))
	_, _ = c.Chat.New(ctx, seeded)
	_, _ = c.Chat.New(ctx, seeded)
	assert.Equal(t, 2, srv.RequestCount("chat/completions"), "a seed makes a request cacheable")

	_, _ = c.Chat.New(ctx, helloReq)
	_, _ = c.Chat.New(ctx, helloReq)
	assert.Equal(t, 4, srv.RequestCount("chat/completions"), "sampled requests are not cached")

	_, _ = c.Chat.New(ctx, helloReq, openai.Cacheable())
	r, err := c.Chat.New(ctx, helloReq, openai.Cacheable())
	require.NoError(t, err)
	assert.True(t, r.Meta.Cached)
	assert.Equal(t, 5, srv.RequestCount("chat/completions"), "Cacheable marks a call")

	other := det
	other.Messages = []openai.ChatMessage{openai.UserMessage("something else")}
	srv.Enqueue("chat/completions", openaitest.Error(500, "server_error", "boom"))
	_, err = c.Chat.New(ctx, other)
	require.Error(t, err)
	_, err = c.Chat.New(ctx, other)
	require.NoError(t, err)
	assert.Equal(t, 7, srv.RequestCount("chat/completions"), "errors are never cached")

	st := c.Chat.Stream(ctx, det)
	for st.Next() {
	}
	require.NoError(t, st.Err())
	assert.Equal(t, 8, srv.RequestCount("chat/completions"), "streams are never served from the cache")
}

func TestCacheCoalescesConcurrentCalls(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client(openai.WithCache(openai.NewLRUCache(1<<20), time.Minute))
	srv.Enqueue("chat/completions", openaitest.Reply{Delay: 200 * time.Millisecond, Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"slow"},"finish_reason":"stop"}]}`)})
	det := helloReq
	det.Temperature = openai.Ptr(0.0)
	var wg sync.WaitGroup
	texts := make([]string, 50)
	for i := range texts {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := c.Chat.New(context.Background(), det)
			if err == nil {
				texts[i] = r.Text()
			}
		}(i)
	}
	wg.Wait()
	assert.Equal(t, 1, srv.RequestCount("chat/completions"), "50 identical concurrent calls make one request")
	for _, s := range texts {
		assert.Equal(t, "slow", s)
	}
}

func TestLRUCacheBound(t *testing.T) {
	const bound = 1 << 20
	c := openai.NewLRUCache(bound)
	ctx := context.Background()
	for i := 0; i < 100_000; i++ {
		c.Set(ctx, fmt.Sprintf("key-%d", i), make([]byte, 100), 0)
		if c.Size() > bound {
			t.Fatalf("size %d over the bound after %d keys", c.Size(), i)
		}
	}
	_, ok := c.Get(ctx, "key-0")
	assert.False(t, ok, "the oldest keys are evicted")
	_, ok = c.Get(ctx, "key-99999")
	assert.True(t, ok)
	c.Set(ctx, "big", make([]byte, 2*bound), 0)
	_, ok = c.Get(ctx, "big")
	assert.False(t, ok, "a value over the bound is not stored")

	c.Set(ctx, "short", []byte("x"), time.Nanosecond)
	time.Sleep(time.Millisecond)
	_, ok = c.Get(ctx, "short")
	assert.False(t, ok, "expired entries are gone")
}

// TestUsageHookTotals: over 1,000 mixed calls the hook's totals equal the
// sums of the replies' usage.
func TestUsageHookTotals(t *testing.T) {
	srv := openaitest.NewServer(t)
	var mu sync.Mutex
	var events []openai.UsageEvent
	c := srv.Client(openai.WithUsageHook(func(_ context.Context, ev openai.UsageEvent) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}))
	ctx := context.Background()
	var wantPrompt, wantCompletion int
	for i := 0; i < 1000; i++ {
		msg := fmt.Sprintf("message number %d about shoes", i)
		switch i % 4 {
		case 0:
			r, err := c.Chat.New(ctx, openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage(msg)}})
			require.NoError(t, err)
			wantPrompt += r.Usage.PromptTokens
			wantCompletion += r.Usage.CompletionTokens
		case 1:
			st := c.Chat.Stream(ctx, openai.ChatRequest{Model: "gpt-4o", Messages: []openai.ChatMessage{openai.UserMessage(msg)}})
			for st.Next() {
			}
			require.NoError(t, st.Err())
			u := st.Completion().Usage
			wantPrompt += u.PromptTokens
			wantCompletion += u.CompletionTokens
		case 2:
			r, err := c.Responses.New(ctx, openai.ResponseRequest{Model: "gpt-4.1", Input: openai.TextInput(msg)})
			require.NoError(t, err)
			wantPrompt += r.Usage.InputTokens
			wantCompletion += r.Usage.OutputTokens
		case 3:
			r, err := c.Embeddings.New(ctx, openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: []string{msg}, Dimensions: 8})
			require.NoError(t, err)
			wantPrompt += r.Usage.PromptTokens
		}
	}
	require.Len(t, events, 1000, "one event per logical call")
	var gotPrompt, gotCompletion int
	streams := 0
	for _, ev := range events {
		gotPrompt += ev.PromptTokens
		gotCompletion += ev.CompletionTokens
		assert.Equal(t, 200, ev.Status)
		assert.Equal(t, 1, ev.Attempts)
		assert.True(t, ev.CostKnown, ev.Model)
		if ev.Stream {
			streams++
		}
	}
	assert.Equal(t, wantPrompt, gotPrompt)
	assert.Equal(t, wantCompletion, gotCompletion)
	assert.Equal(t, 250, streams)
}

// TestUsageHookCost checks the cost against prices worked out by hand
// (USD per 1M tokens, tokens/cost.go): gpt-4o-mini 0.15 in, 0.075 cached,
// 0.60 out; gpt-4o 2.50 / 1.25 / 10.00; gpt-4.1 2.00 / 0.50 / 8.00.
func TestUsageHookCost(t *testing.T) {
	tests := []struct {
		model                     string
		prompt, cached, completed int
		want                      float64
	}{
		{"gpt-4o-mini", 1000, 200, 500, (800*0.15 + 200*0.075 + 500*0.60) / 1e6},
		{"gpt-4o", 2000, 0, 1000, (2000*2.50 + 1000*10.00) / 1e6},
		{"gpt-4.1-2025-04-14", 10000, 4000, 100, (6000*2.00 + 4000*0.50 + 100*8.00) / 1e6},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			srv := openaitest.NewServer(t)
			var got openai.UsageEvent
			c := srv.Client(openai.WithUsageHook(func(_ context.Context, ev openai.UsageEvent) { got = ev }))
			srv.Enqueue("chat/completions", openaitest.JSON(map[string]any{"id": "x", "model": tt.model,
				"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": "ok"}, "finish_reason": "stop"}},
				"usage": map[string]any{"prompt_tokens": tt.prompt, "completion_tokens": tt.completed, "total_tokens": tt.prompt + tt.completed,
					"prompt_tokens_details": map[string]any{"cached_tokens": tt.cached}}}))
			_, err := c.Chat.New(context.Background(), openai.ChatRequest{Model: tt.model, Messages: helloReq.Messages})
			require.NoError(t, err)
			assert.True(t, got.CostKnown)
			assert.InDelta(t, tt.want, got.Cost, 1e-12)
		})
	}
	srv := openaitest.NewServer(t)
	var got openai.UsageEvent
	c := srv.Client(openai.WithUsageHook(func(_ context.Context, ev openai.UsageEvent) { got = ev }))
	_, err := c.Chat.New(context.Background(), openai.ChatRequest{Model: "my-private-model", Messages: helloReq.Messages})
	require.NoError(t, err)
	assert.False(t, got.CostKnown, "a model without a price has an unknown cost, not zero")
	assert.False(t, math.IsNaN(got.Cost))
}

func TestFallback(t *testing.T) {
	tests := []struct {
		name     string
		reply    openaitest.Reply
		fallback bool
	}{
		{"503 overloaded", openaitest.Error(503, "overloaded", "The engine is currently overloaded"), true},
		{"500", openaitest.Error(500, "server_error", "boom"), true},
		{"502 HTML", openaitest.Raw(502, "text/html", "<html>bad gateway</html>"), true},
		{"429 rate limit", openaitest.Error(429, "rate_limit_exceeded", "slow down"), true},
		{"408", openaitest.Error(408, "timeout", "request timeout"), true},
		{"timeout", openaitest.Reply{Delay: time.Second}, true},
		{"400", openaitest.Error(400, "invalid_value", "bad"), false},
		{"401", openaitest.Error(401, "invalid_api_key", "bad key"), false},
		{"404", openaitest.Error(404, "model_not_found", "no such model"), false},
		{"422", openaitest.Error(422, "unprocessable", "no"), false},
		{"429 quota", openaitest.Error(429, "insufficient_quota", "no credit"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t)
			var events []openai.UsageEvent
			c := srv.Client(openai.WithFallback("gpt-4o", "gpt-4o-mini", "gpt-4.1-mini"), openai.WithTimeout(100*time.Millisecond),
				openai.WithUsageHook(func(_ context.Context, ev openai.UsageEvent) { events = append(events, ev) }))
			srv.Enqueue("chat/completions", tt.reply)
			resp, err := c.Chat.New(context.Background(), openai.ChatRequest{Model: "gpt-4o", Messages: helloReq.Messages})
			if !tt.fallback {
				require.Error(t, err)
				assert.Equal(t, 1, srv.RequestCount("chat/completions"), "no fallback")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "gpt-4o-mini", resp.Meta.Model)
			assert.Contains(t, resp.Meta.FallbackReason, "gpt-4o failed")
			assert.Equal(t, "gpt-4o-mini", resp.Model)
			require.Len(t, events, 2, "the hook sees each model tried")
			assert.Equal(t, "gpt-4o", events[0].Model)
			assert.Error(t, events[0].Err)
			assert.True(t, events[1].Fallback)
		})
	}

	// Retries happen before falling back; a cancelled caller never falls back.
	srv := openaitest.NewServer(t)
	c := srv.Client(openai.WithFallback("gpt-4o", "gpt-4o-mini"), openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: 1, InitialInterval: time.Millisecond}))
	srv.Enqueue("chat/completions", openaitest.Error(503, "overloaded", "a"), openaitest.Error(503, "overloaded", "b"))
	resp, err := c.Chat.New(context.Background(), openai.ChatRequest{Model: "gpt-4o", Messages: helloReq.Messages})
	require.NoError(t, err)
	assert.Equal(t, "gpt-4o-mini", resp.Meta.Model)
	assert.Equal(t, 3, srv.RequestCount("chat/completions"), "two attempts on the primary, then the fallback")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Chat.New(ctx, openai.ChatRequest{Model: "gpt-4o", Messages: helloReq.Messages})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRedactor(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client(openai.WithRedactor(redact.New()))
	ctx := context.Background()
	text := "Write to jane.doe@example.com or call +44 20 7946 0958 about order 42, 请联系 zhang.wei@example.cn"
	resp, err := c.Chat.New(ctx, openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage(text)}})
	require.NoError(t, err)
	assert.Equal(t, "Reply from openaitest to: "+text, resp.Text(), "the fake echoes the placeholders and the client restores them")
	assert.Equal(t, 3, resp.Meta.Redacted)
	sent := string(srv.Requests()[0].Body)
	assert.NotContains(t, sent, "jane.doe@example.com")
	assert.NotContains(t, sent, "7946")
	assert.NotContains(t, sent, "zhang.wei")
	assert.Contains(t, sent, "[EMAIL_1]")

	st := c.Chat.Stream(ctx, openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage(text)}})
	for st.Next() {
	}
	require.NoError(t, st.Err())
	assert.Equal(t, "Reply from openaitest to: "+text, st.Completion().Text())

	r, err := c.Responses.New(ctx, openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput(text)})
	require.NoError(t, err)
	assert.Equal(t, "Reply from openaitest to: "+text, r.OutputText())
	assert.NotContains(t, string(srv.Requests()[2].Body), "jane.doe@example.com")
}
