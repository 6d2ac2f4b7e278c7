package openai_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai"
)

// chatReply1K is a realistic chat completion of about 1 KB.
var chatReply1K = `{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"` + strings.Repeat("Spring into savings: our new running shoes are here, lighter and faster than ever. ", 8) +
	`","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},` +
	`"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},` +
	`"service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}`

func BenchmarkChatNew(b *testing.B) {
	body := []byte(chatReply1K)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req_1")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := openai.NewClient(openai.WithAPIKey("sk-bench"), openai.WithBaseURL(srv.URL), openai.WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	req := openai.ChatRequest{
		Model: "gpt-4o",
		Messages: []openai.ChatMessage{
			openai.SystemMessage("You write short, friendly email subject lines."),
			openai.UserMessage("Write one subject line for our spring sale on running shoes."),
		},
		Temperature: openai.Ptr(0.7),
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := c.Chat.New(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if len(resp.Choices) != 1 {
			b.Fatal("bad reply")
		}
	}
}
