package openai_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
	"github.com/reachkit/reachkit/openai/redact"
	"github.com/reachkit/reachkit/ratelimit"
)

func ExampleChatService_New() {
	srv := openaitest.NewServer(nil)
	defer srv.Close()
	client := srv.Client() // in production: openai.NewClient() with OPENAI_API_KEY set

	resp, err := client.Chat.New(context.Background(), openai.ChatRequest{
		Model: "gpt-4o-mini",
		Messages: []openai.ChatMessage{
			openai.SystemMessage("You write email subject lines."),
			openai.UserMessage("Spring sale on running shoes"),
		},
		Temperature: openai.Ptr(0.0), // sent as 0, not dropped
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output: Reply from openaitest to: Spring sale on running shoes
}

func ExampleAPIError() {
	srv := openaitest.NewServer(nil)
	defer srv.Close()
	srv.Enqueue("chat/completions", openaitest.Error(429, "insufficient_quota", "You exceeded your current quota"))

	_, err := srv.Client().Chat.New(context.Background(), openai.ChatRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatMessage{openai.UserMessage("Hi")},
	})
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
		fmt.Println("retry later:", apiErr.IsRateLimit(), "quota:", apiErr.IsQuotaExceeded())
	}
	// Output:
	// 429 insufficient_quota
	// retry later: false quota: true
}

// The production setup from the README: retry, throttle, cache, metering,
// fallback and redaction on one client.
func ExampleNewClient_production() {
	srv := openaitest.NewServer(nil)
	defer srv.Close()

	var spent float64
	limiter := ratelimit.NewLimiter(ratelimit.LimiterConfig{}) // learns RPM/TPM from the headers
	client, err := openai.NewClient(
		openai.WithAPIKey(openaitest.APIKey), openai.WithBaseURL(srv.URL()), // omit both in production
		openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: 4}),
		openai.WithMiddleware(ratelimit.Throttle(limiter)),
		openai.WithCache(openai.NewLRUCache(64<<20), 24*time.Hour),
		openai.WithUsageHook(func(_ context.Context, ev openai.UsageEvent) { spent += ev.Cost }),
		openai.WithFallback("gpt-4o", "gpt-4o-mini"),
		openai.WithRedactor(redact.New()),
		openai.WithTimeout(30*time.Second),
		openai.WithStreamIdleTimeout(time.Minute), // a stalled stream ends; a paused caller does not count
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	req := openai.ChatRequest{Model: "gpt-4o", Temperature: openai.Ptr(0.0),
		Messages: []openai.ChatMessage{openai.UserMessage("Thank jane@example.com for her order")}}
	first, _ := client.Chat.New(context.Background(), req)
	second, _ := client.Chat.New(context.Background(), req)
	fmt.Println(first.Text())
	fmt.Println(second.Meta.Cached, srv.RequestCount("chat/completions"), spent > 0)
	// Output:
	// Reply from openaitest to: Thank jane@example.com for her order
	// true 1 true
}
