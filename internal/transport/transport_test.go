package transport

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestJoinURL(t *testing.T) {
	tests := []struct{ base, path, want string }{
		{"https://api.openai.com/v1", "chat/completions", "https://api.openai.com/v1/chat/completions"},
		{"https://api.openai.com/v1/", "chat/completions", "https://api.openai.com/v1/chat/completions"},
		{"https://api.openai.com/v1/", "/chat/completions", "https://api.openai.com/v1/chat/completions"},
		{"https://api.openai.com/v1//", "//models", "https://api.openai.com/v1/models"},
		{"http://127.0.0.1:4010", "models?limit=2", "http://127.0.0.1:4010/models?limit=2"},
		{"http://h", "", "http://h"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, JoinURL(tt.base, tt.path), "%q + %q", tt.base, tt.path)
	}
}

func TestParseBaseURL(t *testing.T) {
	tests := []struct {
		raw      string
		insecure bool
		want     string
		err      string
	}{
		{"https://api.openai.com/v1/", false, "https://api.openai.com/v1", ""},
		{"http://localhost:8080", false, "http://localhost:8080", ""},
		{"http://127.0.0.2:8080/v1", false, "http://127.0.0.2:8080/v1", ""},
		{"http://proxy.internal/v1", false, "", "WithInsecure"},
		{"http://proxy.internal/v1", true, "http://proxy.internal/v1", ""},
		{"ftp://x", false, "", "scheme"},
		{"https://", false, "", "missing host"},
		{"https://x/v1?a=b", false, "", "query"},
		{"https://user:pass@x/v1", false, "", "user information"},
		{"%zz", false, "", "invalid base URL"},
	}
	for _, tt := range tests {
		got, err := ParseBaseURL(tt.raw, tt.insecure, "WithInsecure")
		if tt.err != "" {
			require.Error(t, err, tt.raw)
			assert.Contains(t, err.Error(), tt.err)
			assert.NotContains(t, err.Error(), "pass@", "credentials must not be echoed")
			continue
		}
		require.NoError(t, err, tt.raw)
		assert.Equal(t, tt.want, got)
	}
}

func TestEncodeJSON(t *testing.T) {
	type req struct {
		Model string `json:"model"`
		N     int    `json:"n,omitempty"`
		HTML  string `json:"html"`
	}
	b, err := EncodeJSON(req{Model: "m", HTML: "<b>&</b>"}, nil)
	require.NoError(t, err)
	assert.Equal(t, `{"model":"m","html":"<b>&</b>"}`, string(b), "no HTML escaping, no trailing newline")

	b, err = EncodeJSON(req{Model: "m", N: 1}, map[string]any{"n": 3, "new_field": []int{1}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"model":"m","n":3,"html":"","new_field":[1]}`, string(b))

	_, err = EncodeJSON([]int{1}, map[string]any{"a": 1})
	assert.ErrorContains(t, err, "not a JSON object")
	_, err = EncodeJSON(req{}, map[string]any{"bad": func() {}})
	assert.Error(t, err)
}

func TestChain(t *testing.T) {
	var order []string
	mw := func(name string) Middleware {
		return func(next http.RoundTripper) http.RoundTripper {
			return RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
				order = append(order, name)
				return next.RoundTrip(r)
			})
		}
	}
	base := RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		order = append(order, "base")
		return &http.Response{StatusCode: 204, Body: http.NoBody}, nil
	})
	rt := Chain(base, mw("a"), nil, mw("b"))
	req, _ := http.NewRequest("GET", "http://x", nil)
	_, err := rt.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "base"}, order)
}

func resp(status int, ctype, body string) *http.Response {
	h := http.Header{}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	h.Set("X-Request-Id", "req_9")
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: -1}
}

func TestDecodeJSON(t *testing.T) {
	type out struct {
		A int `json:"a"`
	}
	tests := []struct {
		name    string
		r       *http.Response
		limit   int64
		wantA   int
		wantErr error  // errors.Is target
		wantMsg string // substring of the error
	}{
		{name: "ok", r: resp(200, "application/json", `{"a":1}`), wantA: 1},
		{name: "unknown fields", r: resp(200, "application/json", `{"a":2,"b":{"c":[]}}`), wantA: 2},
		{name: "empty", r: resp(200, "application/json", ``), wantErr: ErrEmptyBody},
		{name: "whitespace", r: resp(200, "application/json", " \n"), wantErr: ErrEmptyBody},
		{name: "truncated", r: resp(200, "application/json", `{"a":`), wantMsg: "truncated JSON"},
		{name: "html", r: resp(200, "text/html", `<html>login</html>`), wantMsg: "expected JSON, got text/html"},
		{name: "too large", r: resp(200, "application/json", `{"a":1}`+strings.Repeat(" ", 100)), limit: 50, wantErr: ErrBodyTooLarge},
		{name: "content-length too large", r: func() *http.Response { r := resp(200, "", `{}`); r.ContentLength = 10 << 30; return r }(), limit: 1 << 20, wantErr: ErrBodyTooLarge},
		{name: "wrong type", r: resp(200, "application/json", `{"a":"x"}`), wantMsg: "cannot unmarshal"},
		{name: "read error", r: &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(io.MultiReader(strings.NewReader(`{"a"`), errReader{}))}, wantErr: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v out
			err := DecodeJSON(tt.r, &v, tt.limit, "X-Request-Id", nil)
			if tt.wantErr == nil && tt.wantMsg == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.wantA, v.A)
				return
			}
			var de *DecodeError
			require.True(t, errors.As(err, &de), "got %T %v", err, err)
			assert.Equal(t, 200, de.StatusCode)
			if tt.r.Header.Get("X-Request-Id") != "" {
				assert.Equal(t, "req_9", de.RequestID)
			}
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			if tt.wantMsg != "" {
				assert.Contains(t, err.Error(), tt.wantMsg)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestSnippet(t *testing.T) {
	assert.Equal(t, "a b", Snippet([]byte("a\nb\x00"), 100))
	assert.Equal(t, "ab", Snippet([]byte("abcdef"), 2))
	assert.Equal(t, "\uFFFD", Snippet([]byte{0xff}, 10))
}
