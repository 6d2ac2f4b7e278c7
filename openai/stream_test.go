package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

// sharedSSE returns the folder of recorded streams, or skips.
func sharedSSE(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("REACHKIT_SHARED")
	if dir == "" {
		if specs := os.Getenv("REACHKIT_SPECS"); specs != "" {
			dir = filepath.Join(specs, "..")
		} else {
			dir = filepath.Join("..", "..", "shared")
		}
	}
	dir = filepath.Join(dir, "testdata", "sse")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("recorded streams not found at %s (set REACHKIT_SHARED to the shared folder)", dir)
	}
	return dir
}

// sseServer replays body as a text/event-stream reply.
func sseServer(t *testing.T, body []byte) *openai.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("X-Request-Id", "req_sse")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL))
	require.NoError(t, err)
	return c
}

type expectedChat struct {
	ID                string `json:"id"`
	Created           int64  `json:"created"`
	Model             string `json:"model"`
	SystemFingerprint string `json:"system_fingerprint"`
	ServiceTier       string `json:"service_tier"`
	Choices           []struct {
		Index   int `json:"index"`
		Message struct {
			Role      string            `json:"role"`
			Content   *string           `json:"content"`
			Refusal   *string           `json:"refusal"`
			ToolCalls []openai.ToolCall `json:"tool_calls"`
			Audio     *struct {
				ID         string `json:"id"`
				Transcript string `json:"transcript"`
				ExpiresAt  int64  `json:"expires_at"`
				DataChars  int    `json:"data_chars"`
			} `json:"audio"`
		} `json:"message"`
		Logprobs     *openai.ChoiceLogprobs `json:"logprobs"`
		FinishReason *string                `json:"finish_reason"`
	} `json:"choices"`
	Usage  *openai.Usage `json:"usage"`
	Stream struct {
		Chunks int `json:"chunks"`
	} `json:"_stream"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestRecordedChatStreams replays streams recorded from the real API and
// checks the accumulated completion against the expected result.
func TestRecordedChatStreams(t *testing.T) {
	dir := sharedSSE(t)
	files, _ := filepath.Glob(filepath.Join(dir, "chat-*.sse"))
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sse")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			var want expectedChat
			raw, err := os.ReadFile(strings.TrimSuffix(f, ".sse") + ".expected.json")
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &want))

			st := sseServer(t, body).Chat.Stream(context.Background(), helloReq)
			chunks := 0
			for range st.All() {
				chunks++
			}
			require.NoError(t, st.Err())
			assert.Equal(t, want.Stream.Chunks, chunks)
			got := st.Completion()
			assert.Equal(t, want.ID, got.ID)
			assert.Equal(t, want.Created, got.Created)
			assert.Equal(t, want.Model, got.Model)
			assert.Equal(t, want.SystemFingerprint, got.SystemFingerprint)
			assert.Equal(t, want.ServiceTier, got.ServiceTier)
			assert.Equal(t, "req_sse", got.Meta.RequestID)
			require.Len(t, got.Choices, len(want.Choices))
			for i, wc := range want.Choices {
				gc := got.Choices[i]
				assert.Equal(t, wc.Index, gc.Index)
				assert.Equal(t, wc.Message.Role, string(gc.Message.Role))
				assert.Equal(t, deref(wc.Message.Content), gc.Message.Content)
				assert.Equal(t, deref(wc.Message.Refusal), gc.Message.Refusal)
				assert.Equal(t, deref(wc.FinishReason), gc.FinishReason)
				if len(wc.Message.ToolCalls) == 0 {
					assert.Empty(t, gc.Message.ToolCalls)
				} else {
					assert.Equal(t, wc.Message.ToolCalls, gc.Message.ToolCalls)
				}
				if wc.Logprobs == nil {
					assert.Nil(t, gc.Logprobs)
				} else {
					require.NotNil(t, gc.Logprobs)
					assert.Equal(t, len(wc.Logprobs.Content), len(gc.Logprobs.Content))
					assert.Equal(t, len(wc.Logprobs.Refusal), len(gc.Logprobs.Refusal))
					for j := range wc.Logprobs.Content {
						assert.Equal(t, wc.Logprobs.Content[j].Token, gc.Logprobs.Content[j].Token)
					}
				}
				if a := wc.Message.Audio; a != nil {
					require.NotNil(t, gc.Message.Audio)
					assert.Equal(t, a.ID, gc.Message.Audio.ID)
					assert.Equal(t, a.Transcript, gc.Message.Audio.Transcript)
					assert.Equal(t, a.ExpiresAt, gc.Message.Audio.ExpiresAt)
					assert.Len(t, gc.Message.Audio.Data, a.DataChars)
				}
			}
			if want.Usage == nil {
				assert.Nil(t, got.Usage)
			} else {
				require.NotNil(t, got.Usage)
				assert.Equal(t, *want.Usage, *got.Usage)
			}
		})
	}
}

type expectedResponse struct {
	FinalEvent    string `json:"final_event"`
	OutputText    string `json:"output_text"`
	FunctionCalls []struct {
		ItemID    string `json:"item_id"`
		CallID    string `json:"call_id"`
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function_calls"`
	Summary    []string        `json:"reasoning_summary_text"`
	ErrorEvent json.RawMessage `json:"error_event"`
	Response   struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"response"`
	Stream struct {
		Events int `json:"events"`
	} `json:"_stream"`
}

func TestRecordedResponseStreams(t *testing.T) {
	dir := sharedSSE(t)
	files, _ := filepath.Glob(filepath.Join(dir, "responses-*.sse"))
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sse")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			var want expectedResponse
			raw, err := os.ReadFile(strings.TrimSuffix(f, ".sse") + ".expected.json")
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &want))

			st := sseServer(t, body).Responses.Stream(context.Background(), openai.ResponseRequest{Model: "gpt-4o", Input: openai.TextInput("hi")})
			var types []string
			for st.Next() {
				ev := st.Current()
				types = append(types, ev.Type)
				assert.NotEmpty(t, ev.Raw)
			}
			assert.Len(t, types, want.Stream.Events, "every event is delivered")
			assert.Equal(t, want.FinalEvent, types[len(types)-1])
			assert.Equal(t, want.OutputText, st.OutputText())
			final := st.Response()
			require.NotNil(t, final)
			assert.Equal(t, want.Response.ID, final.ID)
			assert.Equal(t, want.Response.Status, final.Status)
			assert.Equal(t, want.OutputText, final.OutputText(), "the final response agrees with the deltas")
			calls := st.FunctionCalls()
			require.Len(t, calls, len(want.FunctionCalls))
			for i, wc := range want.FunctionCalls {
				assert.Equal(t, wc.ItemID, calls[i].ID)
				assert.Equal(t, wc.CallID, calls[i].CallID)
				assert.Equal(t, wc.Name, calls[i].Name)
				assert.Equal(t, wc.Arguments, calls[i].Arguments)
			}
			if len(want.Summary) > 0 {
				assert.Equal(t, want.Summary, st.ReasoningSummary())
			}
			if strings.Contains(name, "fail") {
				var apiErr *openai.APIError
				require.ErrorAs(t, st.Err(), &apiErr)
				assert.Equal(t, "insufficient_quota", apiErr.Code)
				assert.True(t, apiErr.IsQuotaExceeded())
				assert.Contains(t, types, "error")
			} else {
				require.NoError(t, st.Err())
			}
		})
	}
}

func TestChatStreamErrors(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantCode  string
		wantChunk int
	}{
		{"data error mid-stream", `data: {"id":"a","choices":[{"index":0,"delta":{"content":"Hi"}}]}` + "\n\n" +
			`data: {"error":{"message":"The server had an error","type":"server_error","code":"server_error"}}` + "\n\n", "server_error", 1},
		{"event error", `data: {"id":"a","choices":[{"index":0,"delta":{"content":"Hi"}}]}` + "\n\n" +
			"event: error\ndata: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":\"overloaded\"}}\n\n", "overloaded", 1},
		{"flat event error", "event: error\ndata: {\"message\":\"bad\",\"code\":\"bad_thing\"}\n\n", "bad_thing", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := sseServer(t, []byte(tt.body)).Chat.Stream(context.Background(), helloReq)
			n := 0
			for st.Next() {
				n++
			}
			assert.Equal(t, tt.wantChunk, n)
			var apiErr *openai.APIError
			require.ErrorAs(t, st.Err(), &apiErr)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, "req_sse", apiErr.RequestID)
		})
	}
}

func TestChatStreamBadChunkAndNoDone(t *testing.T) {
	st := sseServer(t, []byte("data: {\"id\":\"a\",\"choices\":[]}\n\ndata: {not json\n\n")).Chat.Stream(context.Background(), helloReq)
	for st.Next() {
	}
	var de *openai.DecodeError
	require.ErrorAs(t, st.Err(), &de)
	assert.Equal(t, "{not json", de.Snippet)
	assert.Equal(t, "req_sse", de.RequestID)

	tests := []struct {
		name, body string
		want       error // nil: a clean end
	}{
		{"cut mid-choice", `data: {"id":"a","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}` + "\n\n", openai.ErrStreamTruncated},
		{"cut after the finish reason", `data: {"id":"a","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}` + "\n\n", nil},
		{"no event at all", ": keep-alive\n\n", openai.ErrEmptyBody},
		{"only [DONE]", "data: [DONE]\n\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := sseServer(t, []byte(tt.body)).Chat.Stream(context.Background(), helloReq)
			for st.Next() {
			}
			if tt.want == nil {
				require.NoError(t, st.Err())
				return
			}
			require.ErrorIs(t, st.Err(), tt.want)
			require.ErrorAs(t, st.Err(), &de)
			// What arrived is kept.
			if tt.want == openai.ErrStreamTruncated {
				assert.Equal(t, "Hi", st.Completion().Text())
			}
		})
	}
}

func TestChatStreamHTTPError(t *testing.T) {
	srv := openaitest.NewServer(t)
	srv.Enqueue("chat/completions", openaitest.Error(401, "invalid_api_key", "Incorrect API key"))
	st := srv.Client().Chat.Stream(context.Background(), helloReq)
	assert.False(t, st.Next())
	assert.True(t, openai.IsAuth(st.Err()))
	assert.NoError(t, st.Close())
	assert.NoError(t, st.Close(), "Close is idempotent")
}

func TestChatStreamCancel(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, `data: {"id":"a","choices":[{"index":0,"delta":{"content":"Hi"}}]}`+"\n\n")
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	st := c.Chat.Stream(ctx, helloReq)
	require.True(t, st.Next())
	<-started
	cancel()
	assert.False(t, st.Next())
	assert.True(t, errors.Is(st.Err(), context.Canceled), "got %v", st.Err())
	assert.NotContains(t, st.Err().Error(), "invalid character")
}

func TestChatStreamTimeoutOnlyBoundsHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 4; i++ {
			fmt.Fprintf(w, `data: {"id":"a","choices":[{"index":0,"delta":{"content":"%d"}}]}`+"\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(40 * time.Millisecond)
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL), openai.WithTimeout(100*time.Millisecond))
	require.NoError(t, err)
	st := c.Chat.Stream(context.Background(), helloReq)
	for st.Next() {
	}
	require.NoError(t, st.Err())
	assert.Equal(t, "0123", st.Completion().Text())
}

func TestChatStreamAgainstFake(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	req := helloReq
	req.N = 2
	want, err := c.Chat.New(context.Background(), req)
	require.NoError(t, err)

	st := c.Chat.Stream(context.Background(), req)
	var text strings.Builder
	for chunk, err := range st.All() {
		require.NoError(t, err)
		for _, ch := range chunk.Choices {
			if ch.Index == 0 {
				text.WriteString(ch.Delta.Content)
			}
		}
	}
	got := st.Completion()
	assert.Equal(t, want.Choices, got.Choices, "streamed and non-streamed results agree")
	assert.Equal(t, want.Usage, got.Usage, "include_usage is sent by default")
	assert.Equal(t, want.Text(), text.String())

	var sent map[string]any
	reqs := srv.Requests()
	require.NoError(t, reqs[len(reqs)-1].DecodeJSON(&sent))
	assert.Equal(t, true, sent["stream"])
	assert.Equal(t, map[string]any{"include_usage": true}, sent["stream_options"])
	assert.Equal(t, "text/event-stream", reqs[len(reqs)-1].Header.Get("Accept"))
}

func TestChatStreamToolCallsAgainstFake(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	var ts openai.Toolset
	type weatherArgs struct {
		City string `json:"city"`
	}
	require.NoError(t, openai.AddFunc(&ts, "get_weather", "Weather for a city", func(ctx context.Context, a weatherArgs) (string, error) {
		return "sunny in " + a.City, nil
	}))
	req := openai.ChatRequest{Model: "gpt-4o", Messages: []openai.ChatMessage{openai.UserMessage("Weather in Paris?")}, Tools: ts.Tools()}
	want, err := c.Chat.New(context.Background(), req)
	require.NoError(t, err)
	require.Len(t, want.Choices[0].Message.ToolCalls, 1)

	st := c.Chat.Stream(context.Background(), req)
	for st.Next() {
	}
	require.NoError(t, st.Err())
	got := st.Completion()
	assert.Equal(t, want.Choices, got.Choices)

	// The loop: run the calls, send the results, get the final answer.
	msgs := append(req.Messages, got.Choices[0].Message.Param())
	results, err := ts.Run(context.Background(), got.Choices[0].Message.ToolCalls)
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Contains(t, results[0].Content.Text, "sunny in city")
	req.Messages = append(msgs, results...)
	final, err := c.Chat.New(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "stop", final.Choices[0].FinishReason)
}

func TestResponsesAgainstFake(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	req := openai.ResponseRequest{Model: "gpt-4o-mini", Instructions: "Be brief.", Input: openai.TextInput("Name a colour")}
	resp, err := c.Responses.New(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "Reply from openaitest to: Name a colour", resp.OutputText())
	assert.Equal(t, "completed", resp.Status)

	st := c.Responses.Stream(context.Background(), req)
	var deltas strings.Builder
	for ev, err := range st.All() {
		require.NoError(t, err)
		if ev.Type == openai.EventOutputTextDelta {
			deltas.WriteString(ev.Delta)
		}
	}
	assert.Equal(t, resp.OutputText(), deltas.String())
	assert.Equal(t, resp.OutputText(), st.Response().OutputText())

	got, err := c.Responses.Get(context.Background(), resp.ID)
	require.NoError(t, err)
	assert.Equal(t, resp.OutputText(), got.OutputText())
	page, err := c.Responses.InputItems(context.Background(), resp.ID, openai.InputItemsParams{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, page.Data, 1)
	n := 0
	for _, err := range c.Responses.AllInputItems(context.Background(), resp.ID, openai.InputItemsParams{Limit: 1}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)
	del, err := c.Responses.Delete(context.Background(), resp.ID)
	require.NoError(t, err)
	assert.True(t, del.Deleted)
	_, err = c.Responses.Get(context.Background(), resp.ID)
	var apiErr *openai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
}
