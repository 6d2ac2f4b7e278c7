package openai_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
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
