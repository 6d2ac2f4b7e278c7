package openai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
	"github.com/reachkit/reachkit/ratelimit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "sk-test-SECRET-0123456789abcdef"

func TestNewClientValidation(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	tests := []struct {
		name    string
		opts    []openai.Option
		wantErr string
	}{
		{"no key", nil, "OPENAI_API_KEY"},
		{"blank key", []openai.Option{openai.WithAPIKey("  ")}, "OPENAI_API_KEY"},
		{"malformed base URL", []openai.Option{openai.WithAPIKey(testKey), openai.WithBaseURL("://nope")}, "invalid base URL"},
		{"no scheme", []openai.Option{openai.WithAPIKey(testKey), openai.WithBaseURL("api.openai.com/v1")}, "scheme"},
		{"negative timeout", []openai.Option{openai.WithAPIKey(testKey), openai.WithTimeout(-time.Second)}, "negative timeout"},
		{"plain http to remote host", []openai.Option{openai.WithAPIKey(testKey), openai.WithBaseURL("http://example.com/v1")}, "openai.WithInsecureHTTP()"},
		{"plain http with opt-in", []openai.Option{openai.WithAPIKey(testKey), openai.WithBaseURL("http://example.com/v1"), openai.WithInsecureHTTP()}, ""},
		{"plain http to loopback", []openai.Option{openai.WithAPIKey(testKey), openai.WithBaseURL("http://127.0.0.1:4010")}, ""},
		{"plain http to localhost", []openai.Option{openai.WithAPIKey(testKey), openai.WithBaseURL("http://localhost:4010/")}, ""},
		{"plain http to ::1", []openai.Option{openai.WithAPIKey(testKey), openai.WithBaseURL("http://[::1]:4010/")}, ""},
		{"defaults", []openai.Option{openai.WithAPIKey(testKey)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := openai.NewClient(tt.opts...)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

func TestNewClientFromEnv(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		fmt.Fprint(w, `{"object":"list","data":[]}`)
	}))
	defer srv.Close()
	t.Setenv("OPENAI_API_KEY", testKey)
	t.Setenv("OPENAI_BASE_URL", srv.URL+"/v1/")
	t.Setenv("OPENAI_ORG_ID", "org-123")
	t.Setenv("OPENAI_PROJECT_ID", "proj-456")
	c, err := openai.NewClient()
	require.NoError(t, err)
	_, err = c.Models.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+testKey, got.Get("Authorization"))
	assert.Equal(t, "org-123", got.Get("OpenAI-Organization"))
	assert.Equal(t, "proj-456", got.Get("OpenAI-Project"))
	assert.True(t, strings.HasPrefix(got.Get("User-Agent"), "reachkit-go/"))
}

func TestKeyNeverPrinted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
	}))
	defer srv.Close()
	opt := openai.WithAPIKey(testKey)
	c, err := openai.NewClient(opt, openai.WithBaseURL(srv.URL), openai.WithLogger(logger), openai.WithLogPrompts(true))
	require.NoError(t, err)
	_, err = c.Chat.New(context.Background(), openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage("hi")}})
	require.Error(t, err)
	for _, s := range []string{
		err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c),
		fmt.Sprintf("%v", *c), fmt.Sprintf("%#v", *c),
		fmt.Sprintf("%v", opt), fmt.Sprintf("%#v", opt),
		logs.String(),
	} {
		assert.NotContains(t, s, testKey)
		assert.NotContains(t, s, "SECRET")
	}
	assert.Contains(t, logs.String(), "status=401")
}

// chatServer answers every request with status and body, after recording it.
func chatServer(t *testing.T, status int, contentType, body string, header map[string]string) (*openai.Client, *[]*http.Request) {
	t.Helper()
	var reqs []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		reqs = append(reqs, r)
		for k, v := range header {
			w.Header().Set(k, v)
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL), openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	require.NoError(t, err)
	return c, &reqs
}

var helloReq = openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage("hello")}}

const okBody = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","system_fingerprint":"fp_1","service_tier":"default",
"choices":[{"index":0,"message":{"role":"assistant","content":"Hi!","refusal":null},"finish_reason":"stop","logprobs":null}],
"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":1}}}`

func TestChatReplies(t *testing.T) {
	rl := map[string]string{
		"x-request-id":                   "req_abc",
		"openai-processing-ms":           "321",
		"x-ratelimit-limit-requests":     "500",
		"x-ratelimit-remaining-requests": "499",
		"x-ratelimit-reset-requests":     "120ms",
		"x-ratelimit-limit-tokens":       "30000",
		"x-ratelimit-remaining-tokens":   "garbage",
		"x-ratelimit-reset-tokens":       "6m0s",
	}
	tests := []struct {
		name       string
		status     int
		ctype      string
		body       string
		check      func(t *testing.T, resp *openai.ChatCompletion)
		wantStatus int
		wantCode   string
		wantDecode error // cause wrapped by a *DecodeError
		rateLimit  bool
		quota      bool
		auth       bool
	}{
		{name: "valid 200", status: 200, ctype: "application/json", body: okBody, check: func(t *testing.T, r *openai.ChatCompletion) {
			assert.Equal(t, "Hi!", r.Text())
			assert.Equal(t, "stop", r.Choices[0].FinishReason)
			assert.Equal(t, 4, r.Usage.PromptTokensDetails.CachedTokens)
			assert.Equal(t, 1, r.Usage.CompletionTokensDetails.ReasoningTokens)
			assert.Equal(t, "fp_1", r.SystemFingerprint)
			assert.Equal(t, "default", r.ServiceTier)
			assert.Equal(t, "req_abc", r.Meta.RequestID)
			assert.Equal(t, 321*time.Millisecond, r.Meta.ProcessingTime)
			assert.Equal(t, int64(500), r.Meta.RateLimit.Requests.Limit)
			assert.Equal(t, 120*time.Millisecond, r.Meta.RateLimit.Requests.Reset)
			assert.False(t, r.Meta.RateLimit.Tokens.RemainingKnown, "garbage must read as unknown")
			assert.Equal(t, 6*time.Minute, r.Meta.RateLimit.Tokens.Reset)
		}},
		{name: "200 with unknown fields", status: 200, ctype: "application/json",
			body:  `{"id":"x","future_field":{"a":[1,2]},"choices":[{"index":0,"message":{"role":"assistant","content":"ok","new_thing":1},"finish_reason":"stop"}]}`,
			check: func(t *testing.T, r *openai.ChatCompletion) { assert.Equal(t, "ok", r.Text()) }},
		{name: "400 envelope", status: 400, ctype: "application/json", wantStatus: 400, wantCode: "invalid_value",
			body: `{"error":{"message":"Invalid value for 'temperature'","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}`},
		{name: "401 envelope", status: 401, ctype: "application/json", wantStatus: 401, wantCode: "invalid_api_key", auth: true,
			body: `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`},
		{name: "404 envelope", status: 404, ctype: "application/json", wantStatus: 404, wantCode: "model_not_found",
			body: `{"error":{"message":"The model 'x' does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}}`},
		{name: "429 rate limit", status: 429, ctype: "application/json", wantStatus: 429, wantCode: "rate_limit_exceeded", rateLimit: true,
			body: `{"error":{"message":"Rate limit reached for gpt-4o-mini on tokens per min (TPM): Limit 200000, Used 199000, Requested 2000. Please try again in 300ms.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}`},
		{name: "429 insufficient quota", status: 429, ctype: "application/json", wantStatus: 429, wantCode: "insufficient_quota", quota: true,
			body: `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`},
		{name: "numeric code", status: 400, ctype: "application/json", wantStatus: 400, wantCode: "400",
			body: `{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":400}}`},
		{name: "500 HTML", status: 500, ctype: "text/html", wantStatus: 500,
			body: `<html><head><title>500 Internal Server Error</title></head><body>nginx</body></html>`},
		{name: "502 empty", status: 502, ctype: "", wantStatus: 502, body: ``},
		{name: "200 HTML", status: 200, ctype: "text/html", body: `<html>captive portal</html>`},
		{name: "200 truncated JSON", status: 200, ctype: "application/json", body: okBody[:60]},
		{name: "200 empty", status: 200, ctype: "application/json", body: ``, wantDecode: openai.ErrEmptyBody},
		{name: "200 null", status: 200, ctype: "application/json", body: `null`, check: func(t *testing.T, r *openai.ChatCompletion) { assert.Empty(t, r.Choices) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := chatServer(t, tt.status, tt.ctype, tt.body, rl)
			resp, err := c.Chat.New(context.Background(), helloReq)
			if tt.check != nil {
				require.NoError(t, err)
				tt.check(t, resp)
				return
			}
			require.Error(t, err)
			assert.Nil(t, resp)
			if tt.wantStatus != 0 {
				var apiErr *openai.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
				assert.Equal(t, tt.wantCode, apiErr.Code)
				assert.Equal(t, "req_abc", apiErr.RequestID)
				assert.Equal(t, tt.rateLimit, openai.IsRateLimit(err))
				assert.Equal(t, tt.quota, openai.IsQuotaExceeded(err))
				assert.Equal(t, tt.auth, openai.IsAuth(err))
				assert.Equal(t, "500", apiErr.Header.Get("X-Ratelimit-Limit-Requests"))
				return
			}
			var de *openai.DecodeError
			require.ErrorAs(t, err, &de, "got %v", err)
			assert.Equal(t, tt.status, de.StatusCode)
			assert.Equal(t, "req_abc", de.RequestID)
			if tt.wantDecode != nil {
				assert.ErrorIs(t, err, tt.wantDecode)
			}
		})
	}
}

func TestHTMLErrorIsReadable(t *testing.T) {
	c, _ := chatServer(t, 502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", nil)
	_, err := c.Chat.New(context.Background(), helloReq)
	var apiErr *openai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, err.Error(), "502 Bad Gateway")
	var de *openai.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "text/html", de.ContentType)
}

// endless writes JSON-looking bytes forever (until the client leaves).
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestEndlessBodyIsCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"`)
		_, _ = io.Copy(w, io.LimitReader(endless{}, 1<<30)) // bounded so the handler ends
	}))
	defer srv.Close()
	const limit = 1 << 20
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL), openai.WithMaxResponseSize(limit))
	require.NoError(t, err)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = c.Chat.New(context.Background(), helloReq)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.ErrorIs(t, err, openai.ErrBodyTooLarge)
	var de *openai.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 200, de.StatusCode)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16*limit), "reading must stop at the cap")
}

func TestServerNeverAnswers(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Chat.New(ctx, helloReq)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)

	// The client-wide timeout does the same without a caller deadline.
	c2, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL), openai.WithTimeout(100*time.Millisecond))
	require.NoError(t, err)
	_, err = c2.Models.List(context.Background())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestChatRequestEncoding(t *testing.T) {
	c, reqs := chatServer(t, 200, "application/json", okBody, nil)
	req := openai.ChatRequest{
		Model: "gpt-4o",
		Messages: []openai.ChatMessage{
			openai.DeveloperMessage("be brief"),
			openai.UserMessageParts(openai.TextPart("what is this?"), openai.ImagePart("https://x/y.png", "low")),
			{Role: openai.RoleAssistant, ToolCalls: []openai.ToolCall{{ID: "call_1", Type: "function", Function: openai.FunctionCall{Name: "f", Arguments: "{}"}}}},
			openai.ToolMessage("call_1", "42"),
		},
		Temperature:       openai.Ptr(0.0),
		TopP:              openai.Ptr(0.0),
		ToolChoice:        openai.ToolChoiceFunction("f"),
		Tools:             []openai.Tool{openai.FunctionTool("f", "d", map[string]any{"type": "object"})},
		ParallelToolCalls: openai.Ptr(false),
		Stop:              []string{"END"},
		Seed:              openai.Ptr(int64(0)),
		StreamOptions:     &openai.StreamOptions{IncludeUsage: true},
		Extra:             map[string]any{"prediction": map[string]any{"type": "content", "content": "x"}, "n": 2},
	}
	_, err := c.Chat.New(context.Background(), req)
	require.NoError(t, err)
	require.Len(t, *reqs, 1)
	r := (*reqs)[0]
	assert.Equal(t, "/chat/completions", r.URL.Path)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
	assert.Equal(t, 0.0, body["temperature"], "temperature 0 must be sent")
	assert.Equal(t, 0.0, body["top_p"])
	assert.Equal(t, 0.0, body["seed"])
	assert.Equal(t, false, body["parallel_tool_calls"])
	assert.Equal(t, 2.0, body["n"], "Extra overrides typed fields")
	assert.NotContains(t, body, "stream_options", "stream_options only goes with stream: true")
	assert.NotContains(t, body, "max_tokens")
	assert.Equal(t, map[string]any{"type": "function", "function": map[string]any{"name": "f"}}, body["tool_choice"])
	msgs := body["messages"].([]any)
	assert.Equal(t, "be brief", msgs[0].(map[string]any)["content"])
	parts := msgs[1].(map[string]any)["content"].([]any)
	assert.Equal(t, map[string]any{"type": "image_url", "image_url": map[string]any{"url": "https://x/y.png", "detail": "low"}}, parts[1])
	assert.NotContains(t, msgs[2].(map[string]any), "content", "assistant tool-call message has no content")
	assert.Equal(t, "call_1", msgs[3].(map[string]any)["tool_call_id"])
}

func TestChatValidation(t *testing.T) {
	c, reqs := chatServer(t, 200, "application/json", okBody, nil)
	_, err := c.Chat.New(context.Background(), openai.ChatRequest{Messages: helloReq.Messages})
	assert.ErrorIs(t, err, openai.ErrInvalidRequest)
	_, err = c.Chat.New(context.Background(), openai.ChatRequest{Model: "gpt-4o"})
	assert.ErrorIs(t, err, openai.ErrInvalidRequest)
	assert.Empty(t, *reqs, "invalid requests are not sent")
}

func TestCancelledContext(t *testing.T) {
	c, _ := chatServer(t, 200, "application/json", okBody, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Chat.New(ctx, helloReq)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}

func TestMiddlewareOrderAndHTTPClientNotMutated(t *testing.T) {
	srv := openaitest.NewServer(t)
	var order []string
	mw := func(name string) openai.Middleware {
		return func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				order = append(order, name)
				return next.RoundTrip(r)
			})
		}
	}
	hc := &http.Client{}
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL()), openai.WithHTTPClient(hc),
		openai.WithMiddleware(mw("a"), mw("b")))
	require.NoError(t, err)
	_, err = c.Models.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, order)
	assert.Nil(t, hc.Transport, "the caller's http.Client must not be changed")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRetryPipeline(t *testing.T) {
	srv := openaitest.NewServer(t)
	var seen []string
	logAttempts := func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err == nil {
				seen = append(seen, resp.Status)
			}
			return resp, err
		})
	}
	fast := ratelimit.RetryPolicy{MaxRetries: 3, InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond}
	c := srv.Client(openai.WithRetry(fast), openai.WithMiddleware(logAttempts))

	srv.Enqueue("chat/completions", openaitest.Error(500, "server_error", "boom"), openaitest.Raw(502, "text/html", "<html>bad gateway</html>"))
	resp, err := c.Chat.New(context.Background(), helloReq)
	require.NoError(t, err, "two transient failures are retried")
	assert.NotEmpty(t, resp.Text())
	assert.Equal(t, []string{"500 Internal Server Error", "502 Bad Gateway", "200 OK"}, seen, "user middleware sees every attempt")

	seen = nil
	srv.Enqueue("chat/completions", openaitest.Error(429, "insufficient_quota", "You exceeded your current quota"))
	_, err = c.Chat.New(context.Background(), helloReq)
	assert.True(t, openai.IsQuotaExceeded(err))
	assert.Len(t, seen, 1, "an exhausted quota is never retried")

	seen = nil
	srv.Enqueue("chat/completions", openaitest.Error(400, "invalid_value", "bad"))
	_, err = c.Chat.New(context.Background(), helloReq)
	var apiErr *openai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Len(t, seen, 1, "a 400 is never retried")

	seen = nil
	srv.Enqueue("chat/completions", openaitest.Error(503, "overloaded", "a"), openaitest.Error(503, "overloaded", "b"),
		openaitest.Error(503, "overloaded", "c"), openaitest.Error(503, "overloaded", "d"))
	_, err = c.Chat.New(context.Background(), helloReq)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Len(t, seen, 4, "the first attempt and three retries")
}
