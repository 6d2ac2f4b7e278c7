package openaitest_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var req = openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage("Write a subject line")}}

func TestDefaultChatIsDeterministic(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	a, err := c.Chat.New(context.Background(), req)
	require.NoError(t, err)
	b, err := c.Chat.New(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, a.Text(), b.Text())
	assert.Contains(t, a.Text(), "Write a subject line")
	assert.Equal(t, "gpt-4o-mini", a.Model)
	assert.Positive(t, a.Usage.PromptTokens)
	assert.Equal(t, a.Usage.PromptTokens+a.Usage.CompletionTokens, a.Usage.TotalTokens)
	assert.NotEmpty(t, a.Meta.RequestID)

	n3 := req
	n3.N = 3
	r, err := c.Chat.New(context.Background(), n3)
	require.NoError(t, err)
	assert.Len(t, r.Choices, 3)

	short := req
	short.MaxCompletionTokens = 2
	r, err = c.Chat.New(context.Background(), short)
	require.NoError(t, err)
	assert.Equal(t, "length", r.Choices[0].FinishReason)
}

func TestScriptedRepliesAndRecording(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	srv.Enqueue("/v1/chat/completions",
		openaitest.Error(http.StatusTooManyRequests, "rate_limit_exceeded", "slow down"),
		openaitest.Raw(http.StatusBadGateway, "text/html", "<html>bad gateway</html>"),
		openaitest.JSON(map[string]any{"id": "x", "choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": "scripted"}, "finish_reason": "stop"}}}),
	)
	_, err := c.Chat.New(context.Background(), req)
	assert.True(t, openai.IsRateLimit(err), "got %v", err)
	_, err = c.Chat.New(context.Background(), req)
	var apiErr *openai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	r, err := c.Chat.New(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "scripted", r.Text())
	r, err = c.Chat.New(context.Background(), req)
	require.NoError(t, err)
	assert.Contains(t, r.Text(), "Reply from openaitest", "the default answers once the queue is empty")

	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, "/chat/completions", reqs[0].Path)
	assert.Equal(t, "Bearer "+openaitest.APIKey, reqs[0].Header.Get("Authorization"))
	var sent openai.ChatRequest
	require.NoError(t, reqs[0].DecodeJSON(&sent))
	assert.Equal(t, "gpt-4o-mini", sent.Model)
	assert.Equal(t, 4, srv.RequestCount("chat/completions"))
	assert.Equal(t, 0, srv.RequestCount("models"))
}

func TestQuotaError(t *testing.T) {
	srv := openaitest.NewServer(t)
	srv.Enqueue("chat/completions", openaitest.Error(http.StatusTooManyRequests, "insufficient_quota", "You exceeded your current quota"))
	_, err := srv.Client().Chat.New(context.Background(), req)
	assert.True(t, openai.IsQuotaExceeded(err))
	assert.False(t, openai.IsRateLimit(err))
}

func TestDelayHonoursContext(t *testing.T) {
	srv := openaitest.NewServer(t)
	srv.Enqueue("models", openaitest.Reply{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := srv.Client().Models.List(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestModels(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.WithModels("a", "b"))
	c := srv.Client()
	list, err := c.Models.List(context.Background())
	require.NoError(t, err)
	assert.Len(t, list.Data, 2)
	m, err := c.Models.Get(context.Background(), "b")
	require.NoError(t, err)
	assert.Equal(t, "b", m.ID)
	_, err = c.Models.Get(context.Background(), "nope")
	var apiErr *openai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "model_not_found", apiErr.Code)
	del, err := c.Models.Delete(context.Background(), "a")
	require.NoError(t, err)
	assert.True(t, del.Deleted)
	list, err = c.Models.List(context.Background())
	require.NoError(t, err)
	assert.Len(t, list.Data, 1)
}

func TestMissingKeyIsRejected(t *testing.T) {
	srv := openaitest.NewServer(t)
	resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func ExampleNewServer() {
	srv := openaitest.NewServer(nil) // in a test: openaitest.NewServer(t)
	defer srv.Close()
	srv.Enqueue("chat/completions", openaitest.Error(429, "rate_limit_exceeded", "Rate limit reached"))

	c := srv.Client()
	_, err := c.Chat.New(context.Background(), openai.ChatRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatMessage{openai.UserMessage("Hi")},
	})
	fmt.Println(openai.IsRateLimit(err))
	resp, _ := c.Chat.New(context.Background(), openai.ChatRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatMessage{openai.UserMessage("Hi")},
	})
	fmt.Println(resp.Text())
	fmt.Println(srv.RequestCount("chat/completions"))
	// Output:
	// true
	// Reply from openaitest to: Hi
	// 2
}

func TestRequestLogBound(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.WithRequestLog(2))
	c := srv.Client()
	for i := 0; i < 5; i++ {
		_, err := c.Models.List(context.Background())
		require.NoError(t, err)
	}
	assert.Len(t, srv.Requests(), 2, "only the last two are kept")
	assert.Equal(t, 5, srv.RequestCount("models"), "all are counted")
	assert.Equal(t, 5, srv.RequestCount(""))
}
