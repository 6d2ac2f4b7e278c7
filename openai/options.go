package openai

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/openai/redact"
	"github.com/reachkit/reachkit/ratelimit"
	"github.com/reachkit/reachkit/tokens"
)

// DefaultBaseURL is the OpenAI API endpoint used when neither WithBaseURL nor
// OPENAI_BASE_URL says otherwise.
const DefaultBaseURL = "https://api.openai.com/v1"

// Middleware wraps the HTTP transport. It is the standard library shape, so
// otelhttp, httpcache and similar wrappers plug in unchanged.
type Middleware = transport.Middleware

// Option configures a Client. Options never mutate values passed to them: an
// *http.Client given to WithHTTPClient is copied, not changed.
type Option func(*config)

type config struct {
	apiKey        transport.Secret
	apiKeySet     bool
	baseURL       string
	baseURLSet    bool
	organization  string
	project       string
	httpClient    *http.Client
	timeout       time.Duration
	idleTimeout   time.Duration
	middleware    []Middleware
	headers       http.Header
	logger        *slog.Logger
	logPrompts    bool
	logHeaders    bool
	allowInsecure bool
	maxBody       int64
	retry         ratelimit.RetryPolicy
	cache         Cache
	cacheTTL      time.Duration
	usageHook     func(context.Context, UsageEvent)
	prices        *tokens.Prices
	fallbacks     map[string][]string
	redactor      *redact.Redactor
}

// WithAPIKey sets the API key, overriding OPENAI_API_KEY.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey, c.apiKeySet = transport.Secret(key), true }
}

// WithBaseURL sets the API base URL, overriding OPENAI_BASE_URL, for example
// a proxy, an Azure-compatible gateway or a test server. Slashes at the end
// do not matter.
func WithBaseURL(u string) Option {
	return func(c *config) { c.baseURL, c.baseURLSet = u, true }
}

// WithOrganization sets the OpenAI-Organization header, overriding OPENAI_ORG_ID.
func WithOrganization(id string) Option { return func(c *config) { c.organization = id } }

// WithProject sets the OpenAI-Project header, overriding OPENAI_PROJECT_ID.
func WithProject(id string) Option { return func(c *config) { c.project = id } }

// WithHTTPClient sets the HTTP client the requests go through. The client is
// copied: its Transport is wrapped by the pipeline in the copy, never in hc.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithTimeout bounds each call. For a non-streaming call it bounds the whole
// call, retries included; for a stream it bounds the wait for the response
// headers, so a long stream is not cut. Zero means no timeout; a negative
// value makes NewClient fail.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithStreamIdleTimeout ends a stream whose server sends nothing for d
// while the stream waits for it, once the headers arrived (WithTimeout
// bounds the wait for those). The stream fails with an error wrapping
// ErrStreamIdle and context.DeadlineExceeded, and keeps what it delivered.
// Any bytes count, keep-alive comments included; time the caller spends
// between calls to Next does not. Zero (the default) means no limit, so a
// stream waits for the caller's context; a negative value makes NewClient
// fail.
func WithStreamIdleTimeout(d time.Duration) Option { return func(c *config) { c.idleTimeout = d } }

// WithMiddleware adds transport middleware. Middleware runs inside retry, in
// the order given, so every attempt passes through each of them.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) { c.middleware = append(c.middleware, mw...) }
}

// WithHeader adds a header to every request.
func WithHeader(key, value string) Option {
	return func(c *config) {
		if c.headers == nil {
			c.headers = make(http.Header)
		}
		c.headers.Add(key, value)
	}
}

// WithLogger logs each call (method, path, status, request id, duration) at
// debug level, and failures at warn level. Prompts and replies are not logged
// unless WithLogPrompts(true); the API key never is.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithLogPrompts includes request bodies in debug logs. Off by default:
// prompts often carry customer data.
func WithLogPrompts(on bool) Option { return func(c *config) { c.logPrompts = on } }

// WithLogHeaders includes the request and response headers in the logs of
// WithLogger. The values of Authorization, Api-Key, cookies and every
// OpenAI-* header are logged as [REDACTED]. Off by default.
func WithLogHeaders(on bool) Option { return func(c *config) { c.logHeaders = on } }

// WithInsecureHTTP allows a plain http:// base URL to a host that is not
// loopback. Without it NewClient refuses, because the API key would cross the
// network in clear text.
func WithInsecureHTTP() Option { return func(c *config) { c.allowInsecure = true } }

// WithMaxResponseSize caps how many bytes of a response body are read into
// memory (default 32 MiB). A larger body fails with ErrBodyTooLarge instead
// of exhausting memory. For a stream it caps the bytes the whole stream may
// read, so that what the stream accumulates is bounded too.
func WithMaxResponseSize(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithRetry sets the retry policy. By default a call is retried twice on
// connection errors, 408, 409, 429 (never for an exhausted quota) and 5xx,
// with full-jitter backoff from 0.5 s to 8 s, honouring the server's
// Retry-After advice. RetryPolicy{MaxRetries: -1} disables retries.
//
// Retry runs outside the other middleware, so every attempt passes through
// the throttle and any logging middleware again.
func WithRetry(p ratelimit.RetryPolicy) Option { return func(c *config) { c.retry = p } }

// RequestOption changes a single call.
type RequestOption func(*requestConfig)

type requestConfig struct {
	header    http.Header
	cacheable bool
}

// WithRequestHeader sets a header on one call, for example an idempotency key
// or a tracing header.
func WithRequestHeader(key, value string) RequestOption {
	return func(r *requestConfig) {
		if r.header == nil {
			r.header = make(http.Header)
		}
		r.header.Set(key, value)
	}
}
