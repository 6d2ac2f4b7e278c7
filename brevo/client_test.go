package brevo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/ratelimit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "xkeysib-SECRET-0123456789abcdef"

func TestNewClientValidation(t *testing.T) {
	t.Setenv("BREVO_API_KEY", "")
	t.Setenv("BREVO_BASE_URL", "")
	tests := []struct {
		name    string
		opts    []brevo.Option
		wantErr string
	}{
		{"no key", nil, "BREVO_API_KEY"},
		{"blank key", []brevo.Option{brevo.WithAPIKey("  ")}, "BREVO_API_KEY"},
		{"key with a line break", []brevo.Option{brevo.WithAPIKey("abc\n")}, "line break"},
		{"malformed base URL", []brevo.Option{brevo.WithAPIKey(testKey), brevo.WithBaseURL("://nope")}, "invalid base URL"},
		{"no scheme", []brevo.Option{brevo.WithAPIKey(testKey), brevo.WithBaseURL("api.brevo.com/v3")}, "scheme"},
		{"negative timeout", []brevo.Option{brevo.WithAPIKey(testKey), brevo.WithTimeout(-time.Second)}, "negative timeout"},
		{"negative response size", []brevo.Option{brevo.WithAPIKey(testKey), brevo.WithMaxResponseSize(-1)}, "negative maximum"},
		{"plain http to a remote host", []brevo.Option{brevo.WithAPIKey(testKey), brevo.WithBaseURL("http://example.com/v3")}, "brevo.WithInsecureHTTP()"},
		{"plain http with opt-in", []brevo.Option{brevo.WithAPIKey(testKey), brevo.WithBaseURL("http://example.com/v3"), brevo.WithInsecureHTTP()}, ""},
		{"plain http to loopback", []brevo.Option{brevo.WithAPIKey(testKey), brevo.WithBaseURL("http://127.0.0.1:4010")}, ""},
		{"defaults", []brevo.Option{brevo.WithAPIKey(testKey), nil}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := brevo.NewClient(tt.opts...)
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
	c, err := brevo.NewClient(brevo.WithAPIKey(testKey))
	require.NoError(t, err)
	assert.Equal(t, brevo.DefaultBaseURL, c.BaseURL())
}

func TestNewClientFromEnv(t *testing.T) {
	var got http.Header
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, path = r.Header.Clone(), r.URL.RequestURI()
		fmt.Fprint(w, `{"attributes":[]}`)
	}))
	defer srv.Close()
	t.Setenv("BREVO_API_KEY", testKey)
	t.Setenv("BREVO_BASE_URL", srv.URL+"/v3/")
	c, err := brevo.NewClient(brevo.WithHeader("X-Team", "growth"))
	require.NoError(t, err)
	_, err = c.Attributes.List(context.Background(), brevo.WithQueryParam("debug", "1"), brevo.WithRequestHeader("X-Trace", "t-1"))
	require.NoError(t, err)
	assert.Equal(t, testKey, got.Get("api-key"))
	assert.Empty(t, got.Get("Authorization"))
	assert.Equal(t, "growth", got.Get("X-Team"))
	assert.Equal(t, "t-1", got.Get("X-Trace"))
	assert.Equal(t, "application/json", got.Get("Accept"))
	assert.True(t, strings.HasPrefix(got.Get("User-Agent"), "reachkit-go/"))
	assert.Equal(t, "/v3/contacts/attributes?debug=1", path)
}

func TestKeyNeverPrinted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":"unauthorized","message":"Key not found"}`)
	}))
	defer srv.Close()
	opt := brevo.WithAPIKey(testKey)
	c, err := brevo.NewClient(opt, brevo.WithBaseURL(srv.URL), brevo.WithLogger(logger), brevo.WithLogBodies(true))
	require.NoError(t, err)
	_, err = c.Contacts.Get(context.Background(), brevo.ByEmail("ada@example.com"))
	require.Error(t, err)
	assert.True(t, brevo.IsAuth(err))
	for _, s := range []string{
		err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c),
		fmt.Sprintf("%v", *c), fmt.Sprintf("%#v", *c), fmt.Sprintf("%v", opt), fmt.Sprintf("%#v", opt),
		logs.String(),
	} {
		assert.NotContains(t, s, testKey)
		assert.NotContains(t, s, "SECRET")
	}
	assert.Contains(t, logs.String(), "status=401")
	assert.NotContains(t, logs.String(), "ada@example.com", "addresses in paths are elided from logs")
	assert.NotContains(t, err.Error(), "ada@example.com")
	assert.Contains(t, err.Error(), "GET /contacts/{email}")
}

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name                string
		status              int
		ctype, body         string
		header              map[string]string
		code, msg           string
		rate, notFound, dec bool
	}{
		{name: "error model", status: 400, ctype: "application/json", body: `{"code":"invalid_parameter","message":"Invalid email address"}`, code: "invalid_parameter", msg: "Invalid email address"},
		{name: "not found", status: 404, ctype: "application/json", body: `{"code":"document_not_found","message":"Contact does not exist"}`, code: "document_not_found", notFound: true},
		{name: "rate limit", status: 429, ctype: "application/json", body: `{"code":"too_many_requests","message":"slow down"}`, code: "too_many_requests", rate: true,
			header: map[string]string{"X-Sib-Ratelimit-Limit": "10", "X-Sib-Ratelimit-Remaining": "0", "X-Sib-Ratelimit-Reset": "1"}},
		{name: "html page", status: 502, ctype: "text/html", body: `<html>bad gateway</html>`, msg: "Bad Gateway: <html>bad gateway</html>", dec: true},
		{name: "empty body", status: 500, body: ``, msg: "Internal Server Error (empty body)", dec: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c, err := brevo.NewClient(brevo.WithAPIKey(testKey), brevo.WithBaseURL(srv.URL), brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
			require.NoError(t, err)
			_, err = c.Lists.Get(context.Background(), 7)
			var apiErr *brevo.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.code, brevo.ErrorCode(err))
			if tt.msg != "" {
				assert.Equal(t, tt.msg, apiErr.Message)
			}
			assert.Equal(t, tt.rate, brevo.IsRateLimit(err))
			assert.Equal(t, tt.notFound, brevo.IsNotFound(err))
			assert.Equal(t, tt.status == 429 || tt.status >= 500, apiErr.IsRetryable())
			var de *brevo.DecodeError
			assert.Equal(t, tt.dec, errors.As(err, &de))
			assert.Equal(t, "GET", apiErr.Method)
			assert.Equal(t, "contacts/lists/7", apiErr.Path)
			if tt.rate {
				assert.EqualValues(t, 10, apiErr.RateLimit.Requests.Limit)
				assert.True(t, apiErr.RateLimit.Requests.RemainingKnown)
				assert.Equal(t, time.Second, apiErr.RateLimit.Requests.Reset)
			}
		})
	}
}

func TestMetaCarriesRateLimit(t *testing.T) {
	srv := brevotest.NewServer(t)
	got, err := srv.Client().Attributes.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 200, got.Meta.StatusCode)
	rl := got.Meta.RateLimit.Requests
	assert.True(t, rl.LimitKnown && rl.RemainingKnown && rl.ResetKnown)
	assert.EqualValues(t, 10, rl.Limit, "the contacts group's budget")
	assert.EqualValues(t, 9, rl.Remaining)
}

func TestRetryWaitsForBrevoReset(t *testing.T) {
	srv := brevotest.NewServer(t)
	srv.Enqueue("contacts/attributes", brevotest.Error(429, brevo.CodeTooManyRequests, "slow down"), brevotest.Error(503, "", "busy"))
	var attempts atomic.Int32
	count := func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) { attempts.Add(1); return next.RoundTrip(r) })
	}
	c := srv.Client(brevo.WithMiddleware(count), brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}))
	start := time.Now()
	_, err := c.Attributes.List(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 3, attempts.Load(), "user middleware sees every attempt")
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "the 429 advised x-sib-ratelimit-reset: 1")

	srv.Enqueue("contacts/attributes", brevotest.Error(503, "", "busy"))
	_, err = srv.Client(brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1})).Attributes.List(context.Background())
	assert.Error(t, err, "retries disabled")
}

func TestTimeoutAndCancel(t *testing.T) {
	srv := brevotest.NewServer(t)
	srv.Enqueue("contacts/attributes", brevotest.Reply{Delay: time.Minute})
	_, err := srv.Client(brevo.WithTimeout(50 * time.Millisecond)).Attributes.List(context.Background())
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = srv.Client().Attributes.List(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRouteGroups(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"POST", "contacts", brevo.GroupContacts},
		{"POST", "/contacts/batch", brevo.GroupContacts},
		{"GET", "contacts/lists/3?x=1", brevo.GroupContacts},
		{"POST", "smtp/email", brevo.GroupTransactional},
		{"GET", "smtp/emails", brevo.GroupDefault},
		{"POST", "emailCampaigns/4/sendNow", brevo.GroupCampaigns},
		{"GET", "account", brevo.GroupDefault},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, brevo.RouteGroup(tt.method, tt.path), tt.path)
	}
	limits := brevo.RouteLimits()
	assert.Equal(t, 10.0, limits[brevo.GroupContacts])
	assert.Equal(t, 1000.0, limits[brevo.GroupTransactional])
	limits[brevo.GroupContacts] = 1
	assert.Equal(t, 10.0, brevo.RouteLimits()[brevo.GroupContacts], "the table is a fresh copy")
	cfg := brevo.LimiterConfig(brevo.GroupContacts)
	assert.True(t, cfg.FixedWindow)
	assert.EqualValues(t, 10, cfg.InitialRequestsPerMinute)
}

// TestCostKeys checks that each request carries its endpoint group as its
// rate-limit cost.
func TestCostKeys(t *testing.T) {
	srv := brevotest.NewServer(t)
	var keys []string
	spy := func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			cost, _ := ratelimit.CostFrom(r.Context())
			keys = append(keys, cost.Key)
			return next.RoundTrip(r)
		})
	}
	c := srv.Client(brevo.WithMiddleware(spy))
	ctx := context.Background()
	_, _ = c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com"})
	_, _ = c.Email.Send(ctx, brevo.SendEmailRequest{Sender: &brevo.Sender{Email: "a@example.com"}, To: []brevo.Address{{Email: "ada@example.com"}}, Subject: "s", TextContent: "t"})
	_, _ = c.Campaigns.Get(ctx, 1)
	assert.Equal(t, []string{brevo.GroupContacts, brevo.GroupTransactional, brevo.GroupCampaigns}, keys)
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func nan() float64 { var z float64; return z / z }
