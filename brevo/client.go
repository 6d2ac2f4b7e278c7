package brevo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

// Client is a Brevo API client. Build it with NewClient; it is safe for
// concurrent use and cheap to share, so one per process is the norm.
type Client struct {
	Contacts   *ContactsService   // contacts: create, get, update, delete, list, batch, import
	Attributes *AttributesService // contact attribute definitions
	Lists      *ListsService      // contact lists and their members
	Folders    *FoldersService    // the folders lists live in
	Email      *EmailService      // transactional email
	Campaigns  *CampaignsService  // email campaigns

	core *core
}

// core is what every service shares. It is reached through a pointer so that
// printing a Client never prints its configuration.
type core struct {
	baseURL    string
	apiKey     func(http.Header) // sets api-key; the key lives only in its closure, out of reach of any printer
	scrub      *transport.Scrubber
	userAgent  []string
	accept     []string
	jsonType   []string
	headers    http.Header
	http       *http.Client
	timeout    time.Duration
	logger     *slog.Logger
	logBodies  bool
	logHeaders bool
	maxBody    int64
}

type service struct{ c *core }

// NewClient builds a Client. Unset options fall back to the environment:
// BREVO_API_KEY and BREVO_BASE_URL.
//
// It fails when no API key is given, the base URL is malformed, the timeout
// is negative, or the base URL is plain http to a host that is not loopback
// (see WithInsecureHTTP). The errors say how to fix each.
func NewClient(opts ...Option) (*Client, error) {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	b, err := transport.Setup{
		Name: "brevo", KeyEnv: "BREVO_API_KEY", BaseEnv: "BREVO_BASE_URL", DefaultBase: DefaultBaseURL,
		APIKey: cfg.apiKey, APIKeySet: cfg.apiKeySet, BaseURL: cfg.baseURL, BaseURLSet: cfg.baseURLSet,
		AllowInsecure: cfg.allowInsecure, Timeout: cfg.timeout, MaxBody: cfg.maxBody, HTTPClient: cfg.httpClient,
	}.Build(func(rt http.RoundTripper) http.RoundTripper { return pipeline(rt, &cfg) })
	if err != nil {
		return nil, err
	}

	co := &core{
		baseURL:    b.BaseURL,
		apiKey:     transport.HeaderSetter("Api-Key", b.APIKey),
		scrub:      b.Scrub,
		userAgent:  []string{"reachkit-go/" + Version},
		accept:     []string{"application/json"},
		jsonType:   []string{"application/json"},
		headers:    cfg.headers.Clone(),
		http:       b.HTTP,
		timeout:    cfg.timeout,
		logger:     cfg.logger,
		logBodies:  cfg.logBodies,
		logHeaders: cfg.logHeaders,
		maxBody:    b.MaxBody,
	}
	c := &Client{core: co}
	c.Contacts = &ContactsService{c: co}
	c.Attributes = &AttributesService{c: co}
	c.Lists = &ListsService{c: co}
	c.Folders = &FoldersService{c: co}
	c.Email = &EmailService{c: co}
	c.Campaigns = &CampaignsService{c: co}
	return c, nil
}

// pipeline builds Retry → throttle and user middleware (in order) → base
// transport. Between Retry and the rest, retryAdvice turns Brevo's reset
// header into the advice Retry reads.
func pipeline(base http.RoundTripper, cfg *config) http.RoundTripper {
	mws := make([]Middleware, 0, len(cfg.middleware)+2)
	if cfg.retry.MaxRetries >= 0 {
		mws = append(mws, ratelimit.Retry(cfg.retry), retryAdvice)
	}
	mws = append(mws, cfg.middleware...)
	return transport.Chain(base, mws...)
}

// retryAdvice gives a 429 that carries x-sib-ratelimit-reset but no
// Retry-After a retry-after-ms header of the same wait, so that Retry waits
// until Brevo restores the budget instead of guessing. It runs inside Retry,
// so middleware and the throttle see the reply as Brevo sent it.
func retryAdvice(next http.RoundTripper) http.RoundTripper {
	return transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests {
			return resp, err
		}
		h := resp.Header
		if h == nil || h.Get("Retry-After") != "" || h.Get("Retry-After-Ms") != "" {
			return resp, err
		}
		if d, ok := ratelimit.ParseReset(h.Get("X-Sib-Ratelimit-Reset")); ok {
			h.Set("Retry-After-Ms", strconv.FormatInt(d.Milliseconds(), 10))
		}
		return resp, err
	})
}

// Format prints the client without its configuration, so that no verb can
// reveal the API key. It has a value receiver so that a Client value prints
// the same way as a pointer.
func (c Client) Format(f fmt.State, _ rune) {
	if c.core == nil {
		_, _ = io.WriteString(f, "brevo.Client(nil)")
		return
	}
	fmt.Fprintf(f, "brevo.Client{BaseURL: %s}", c.core.baseURL)
}

// BaseURL returns the base URL requests are sent to.
func (c *Client) BaseURL() string { return c.core.baseURL }

// Meta describes the HTTP exchange behind a result.
type Meta struct {
	StatusCode int                // HTTP status of the final attempt
	RateLimit  ratelimit.Snapshot // the x-sib-ratelimit-* headers, parsed into RateLimit.Requests
	Header     http.Header        // all response headers
}

func metaFrom(resp *http.Response) Meta {
	return Meta{StatusCode: resp.StatusCode, Header: resp.Header, RateLimit: ratelimit.ParseBrevoHeaders(resp.Header)}
}

// NoContent is the result of a call whose reply has no body, such as an
// update or a delete (HTTP 204).
type NoContent struct {
	Meta Meta
}

// Created is the reply of a call that creates an object with a numeric id.
type Created struct {
	ID int64 `json:"id"`

	Meta Meta `json:"-"`
}

// Ptr returns a pointer to v, for optional fields whose zero value is
// meaningful: EmailBlacklisted: brevo.Ptr(false).
func Ptr[T any](v T) *T { return &v }

// ErrInvalidRequest is wrapped by errors for requests rejected before
// anything is sent: an invalid email address, an empty batch, a missing id.
var ErrInvalidRequest = errors.New("invalid request")

func invalid(format string, args ...any) error {
	return fmt.Errorf("brevo: %w: "+format, append([]any{ErrInvalidRequest}, args...)...)
}

// call describes one logical API call.
type call struct {
	method string
	path   string     // relative to the base URL, without query
	query  url.Values // nil for none
	body   []byte     // encoded request body, nil for none
	opts   []RequestOption
}

func (cl *call) url(base string, extra url.Values) string {
	u := transport.JoinURL(base, cl.path)
	q := cl.query
	if len(extra) > 0 {
		q = make(url.Values, len(cl.query)+len(extra))
		for k, v := range cl.query {
			q[k] = v
		}
		for k, v := range extra {
			q[k] = append(q[k], v...)
		}
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// newRequest builds the HTTP request. The body is a bytes.Reader, so
// http.NewRequest sets GetBody and a retry can replay it.
func (co *core) newRequest(ctx context.Context, cl *call) (*http.Request, error) {
	var rc requestConfig
	for _, o := range cl.opts {
		if o != nil {
			o(&rc)
		}
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, cl.url(co.baseURL, rc.query), body)
	if err != nil {
		return nil, fmt.Errorf("brevo: building request: %w", err)
	}
	h := req.Header
	co.apiKey(h)
	h["User-Agent"] = co.userAgent
	h["Accept"] = co.accept
	if cl.body != nil {
		h["Content-Type"] = co.jsonType
	}
	for k, v := range co.headers {
		h[k] = v
	}
	for k, v := range rc.header {
		h[k] = v
	}
	return req, nil
}

// do sends a call and returns the response with a 2xx status; any other
// status becomes an *APIError. The caller owns the response body.
func (co *core) do(ctx context.Context, cl *call) (*http.Response, error) {
	ctx = ratelimit.WithCost(ctx, ratelimit.Cost{Key: RouteGroup(cl.method, cl.path), Requests: 1})
	req, err := co.newRequest(ctx, cl)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := co.http.Do(req)
	if err != nil {
		err = co.wrapTransportError(ctx, cl, err)
		co.log(ctx, cl, req, nil, start, err)
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(resp, co.maxBody, cl, co.scrub)
		co.log(ctx, cl, req, resp, start, apiErr)
		return nil, apiErr
	}
	co.log(ctx, cl, req, resp, start, nil)
	return resp, nil
}

// wrapTransportError keeps context errors recognisable: a cancelled call
// reports context.Canceled (or DeadlineExceeded), not a URL error.
func (co *core) wrapTransportError(ctx context.Context, cl *call, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("brevo: %s /%s: %w (%w)", cl.method, elidePath(cl.path), ctxErr, err)
	}
	return fmt.Errorf("brevo: %s /%s: %w", cl.method, elidePath(cl.path), err)
}

// doJSON sends a call and decodes a 2xx JSON reply into out. A nil out, or a
// 204 reply, reads no body.
func (co *core) doJSON(ctx context.Context, cl *call, out any) (Meta, error) {
	if co.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, co.timeout)
		defer cancel()
	}
	resp, err := co.do(ctx, cl)
	if err != nil {
		return Meta{}, err
	}
	defer resp.Body.Close()
	meta := metaFrom(resp)
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return meta, nil
	}
	if err := transport.DecodeJSON(resp, out, co.maxBody, "", co.scrub); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return meta, fmt.Errorf("brevo: %s /%s: %w (%w)", cl.method, elidePath(cl.path), ctxErr, err)
		}
		return meta, fmt.Errorf("brevo: %s /%s: %w", cl.method, elidePath(cl.path), err)
	}
	return meta, nil
}

// send encodes body (when not nil) with extra merged in, sends the call and
// decodes the reply into out.
func (co *core) send(ctx context.Context, cl *call, body any, extra map[string]any, out any) (Meta, error) {
	if body != nil {
		b, err := transport.EncodeJSON(body, extra)
		if err != nil {
			return Meta{}, fmt.Errorf("brevo: %w: encoding the request: %v", ErrInvalidRequest, err)
		}
		cl.body = b
	}
	return co.doJSON(ctx, cl, out)
}

func (co *core) log(ctx context.Context, cl *call, req *http.Request, resp *http.Response, start time.Time, err error) {
	if co.logger == nil {
		return
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	if !co.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs,
		slog.String("method", cl.method),
		slog.String("path", "/"+elidePath(cl.path)),
		slog.Duration("duration", time.Since(start)),
	)
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if co.logBodies && cl.body != nil {
		attrs = append(attrs, slog.String("body", string(cl.body)))
	}
	if co.logHeaders {
		attrs = append(attrs, transport.HeaderAttr("request_headers", req.Header))
		if resp != nil {
			attrs = append(attrs, transport.HeaderAttr("response_headers", resp.Header))
		}
	}
	co.logger.LogAttrs(ctx, level, "brevo request", attrs...)
}

// paginate iterates over pages fetched with fetch(offset), starting at
// offset, until a page is short, the total is reached (a total of 0 means
// unknown), the loop breaks, or fetch fails (the error is yielded once).
func paginate[T any](offset, limit int, fetch func(offset int) ([]T, int64, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			items, total, err := fetch(offset)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			offset += len(items)
			if len(items) == 0 || len(items) < limit || (total > 0 && int64(offset) >= total) {
				return
			}
		}
	}
}

// pageQuery builds the limit, offset and sort parameters shared by the
// paged routes, defaulting the limit to def and checking it against max.
func pageQuery(limit, offset int, sort string, def, max int) (url.Values, int, error) {
	if limit < 0 || limit > max || offset < 0 {
		return nil, 0, invalid("page limit %d must be 0 to %d and offset %d not negative", limit, max, offset)
	}
	if sort != "" && sort != "asc" && sort != "desc" {
		return nil, 0, invalid("sort %q must be asc or desc", sort)
	}
	if limit == 0 {
		limit = def
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}
	if sort != "" {
		q.Set("sort", sort)
	}
	return q, limit, nil
}
