package brevo

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// DefaultBaseURL is the Brevo API endpoint used when neither WithBaseURL nor
// BREVO_BASE_URL says otherwise.
const DefaultBaseURL = "https://api.brevo.com/v3"

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
	httpClient    *http.Client
	timeout       time.Duration
	middleware    []Middleware
	retry         ratelimit.RetryPolicy
	headers       http.Header
	logger        *slog.Logger
	logBodies     bool
	logHeaders    bool
	allowInsecure bool
	maxBody       int64
}

// WithAPIKey sets the API key, overriding BREVO_API_KEY. It is sent in the
// api-key header and never printed.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey, c.apiKeySet = transport.Secret(key), true }
}

// WithBaseURL sets the API base URL, overriding BREVO_BASE_URL, for example a
// proxy or a test server. Slashes at the end do not matter.
func WithBaseURL(u string) Option {
	return func(c *config) { c.baseURL, c.baseURLSet = u, true }
}

// WithHTTPClient sets the HTTP client the requests go through. The client is
// copied: its Transport is wrapped by the pipeline in the copy, never in hc.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithTimeout bounds each call, retries included, and, for the helpers that
// make several calls (UpdateMany, AddContacts), each of those calls. Zero
// means no timeout; a negative value makes NewClient fail.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithMiddleware adds transport middleware, for example
// ratelimit.Throttle(limiter). Middleware runs inside retry, in the order
// given, so every attempt passes through each of them.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) { c.middleware = append(c.middleware, mw...) }
}

// WithRetry sets the retry policy. By default a client retries twice, on
// connection errors, 408, 429 and 5xx, waiting 0.5 s doubling to 8 s with
// full jitter, or the time Brevo advises: after a 429 the
// x-sib-ratelimit-reset header says when the budget is back. A policy with
// a negative MaxRetries disables retries.
func WithRetry(p ratelimit.RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithHeader adds a header to every request.
func WithHeader(key, value string) Option {
	return func(c *config) {
		if c.headers == nil {
			c.headers = make(http.Header)
		}
		c.headers.Add(key, value)
	}
}

// WithLogger logs each call (method, path, status, duration) at debug level,
// and failures at warn level. Request bodies are not logged unless
// WithLogBodies(true); the API key never is.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithLogBodies includes request bodies in debug logs. Off by default: they
// carry contacts' personal data.
func WithLogBodies(on bool) Option { return func(c *config) { c.logBodies = on } }

// WithLogHeaders includes the request and response headers in the logs of
// WithLogger. The values of the api-key header, Authorization and cookies
// are logged as [REDACTED]. Off by default.
func WithLogHeaders(on bool) Option { return func(c *config) { c.logHeaders = on } }

// WithInsecureHTTP allows a plain http:// base URL to a host that is not
// loopback. Without it NewClient refuses, because the API key would cross the
// network in clear text.
func WithInsecureHTTP() Option { return func(c *config) { c.allowInsecure = true } }

// WithMaxResponseSize caps how many bytes of a response body are read into
// memory (default 32 MiB). A larger body fails with ErrBodyTooLarge instead
// of exhausting memory.
func WithMaxResponseSize(n int64) Option { return func(c *config) { c.maxBody = n } }

// RequestOption changes a single call.
type RequestOption func(*requestConfig)

type requestConfig struct {
	header http.Header
	query  url.Values
}

// WithRequestHeader sets a header on one call, for example a tracing header.
// A helper that makes several calls sets it on each of them.
func WithRequestHeader(key, value string) RequestOption {
	return func(r *requestConfig) {
		if r.header == nil {
			r.header = make(http.Header)
		}
		r.header.Set(key, value)
	}
}

// WithQueryParam adds a query parameter to one call, for API parameters this
// package does not type yet.
func WithQueryParam(key, value string) RequestOption {
	return func(r *requestConfig) {
		if r.query == nil {
			r.query = make(url.Values)
		}
		r.query.Add(key, value)
	}
}
