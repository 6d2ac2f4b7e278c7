package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/openai/redact"
	"github.com/reachkit/reachkit/ratelimit"
	"github.com/reachkit/reachkit/tokens"
)

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"

const requestIDHeader = "X-Request-Id"

// Client is an OpenAI API client. Build it with NewClient; it is safe for
// concurrent use and cheap to share, so one per process is the norm.
type Client struct {
	Chat        *ChatService        // chat completions, streamed or not
	Responses   *ResponsesService   // the Responses API, streamed or not
	Embeddings  *EmbeddingsService  // vectors for texts
	Images      *ImagesService      // generate and edit images
	Audio       *AudioService       // speech, transcription, translation
	Moderations *ModerationsService // the safety check before anything is sent
	Models      *ModelsService      // the models the key can use

	core *core
}

// core is what every service shares. It is reached through a pointer so that
// printing a Client never prints its configuration.
type core struct {
	baseURL    string
	auth       func(http.Header) // sets Authorization; the key lives only in its closure, out of reach of any printer
	scrub      *transport.Scrubber
	org        []string
	project    []string
	userAgent  []string
	accept     []string
	jsonType   []string
	headers    http.Header
	http       *http.Client
	timeout    time.Duration
	idle       time.Duration // WithStreamIdleTimeout
	logger     *slog.Logger
	logPrompts bool
	logHeaders bool
	maxBody    int64
	maxBodySet bool // the user chose maxBody: calls must not raise it
	cache      Cache
	cacheTTL   time.Duration
	flights    flights
	usageHook  func(context.Context, UsageEvent)
	prices     tokens.Prices
	fallbacks  map[string][]string
	redactor   *redact.Redactor

	// metered is set when middleware is configured: only middleware (the
	// Throttle, or the user's own) reads a call's Cost and Settlement from
	// the context, so without any a call skips building them.
	metered bool
}

type service struct{ c *core }

// NewClient builds a Client. Unset options fall back to the environment:
// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID.
//
// It fails when no API key is given, the base URL is malformed, the timeout
// is negative, or the base URL is plain http to a host that is not loopback
// (see WithInsecureHTTP). The errors say how to fix each.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		organization: os.Getenv("OPENAI_ORG_ID"),
		project:      os.Getenv("OPENAI_PROJECT_ID"),
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	b, err := transport.Setup{
		Name: "openai", KeyEnv: "OPENAI_API_KEY", BaseEnv: "OPENAI_BASE_URL", DefaultBase: DefaultBaseURL,
		APIKey: cfg.apiKey, APIKeySet: cfg.apiKeySet, BaseURL: cfg.baseURL, BaseURLSet: cfg.baseURLSet,
		AllowInsecure: cfg.allowInsecure, Timeout: cfg.timeout, MaxBody: cfg.maxBody, HTTPClient: cfg.httpClient,
	}.Build(func(rt http.RoundTripper) http.RoundTripper { return pipeline(rt, cfg) })
	if err != nil {
		return nil, err
	}
	if cfg.idleTimeout < 0 {
		return nil, fmt.Errorf("openai: negative stream idle timeout %v: use a positive duration, or 0 for none", cfg.idleTimeout)
	}
	prices := tokens.DefaultPrices()
	if cfg.prices != nil {
		prices = *cfg.prices
	}

	co := &core{
		baseURL:    b.BaseURL,
		auth:       transport.HeaderSetter("Authorization", "Bearer "+b.APIKey),
		scrub:      b.Scrub,
		userAgent:  []string{"reachkit-go/" + Version},
		accept:     []string{"application/json"},
		jsonType:   []string{"application/json"},
		headers:    cfg.headers.Clone(),
		http:       b.HTTP,
		timeout:    cfg.timeout,
		idle:       cfg.idleTimeout,
		logger:     cfg.logger,
		logPrompts: cfg.logPrompts,
		logHeaders: cfg.logHeaders,
		maxBody:    b.MaxBody,
		maxBodySet: b.MaxBodySet,
		metered:    len(cfg.middleware) > 0,
		cache:      cfg.cache,
		cacheTTL:   cfg.cacheTTL,
		usageHook:  cfg.usageHook,
		prices:     prices,
		fallbacks:  cfg.fallbacks,
		redactor:   cfg.redactor,
	}
	if cfg.organization != "" {
		co.org = []string{cfg.organization}
	}
	if cfg.project != "" {
		co.project = []string{cfg.project}
	}
	c := &Client{core: co}
	c.Chat = &ChatService{c: co}
	c.Responses = &ResponsesService{c: co}
	c.Embeddings = &EmbeddingsService{c: co}
	c.Images = &ImagesService{c: co}
	c.Audio = &AudioService{c: co}
	c.Moderations = &ModerationsService{c: co}
	c.Models = &ModelsService{c: co}
	return c, nil
}

// Format prints the client without its configuration, so that no verb can
// reveal the API key. It has a value receiver so that a Client value prints
// the same way as a pointer.
func (c Client) Format(f fmt.State, _ rune) {
	if c.core == nil {
		_, _ = io.WriteString(f, "openai.Client(nil)")
		return
	}
	fmt.Fprintf(f, "openai.Client{BaseURL: %s}", c.core.baseURL)
}

// BaseURL returns the base URL requests are sent to.
func (c *Client) BaseURL() string { return c.core.baseURL }

// Meta describes the HTTP exchange behind a result.
type Meta struct {
	StatusCode     int                // HTTP status of the final attempt
	RequestID      string             // x-request-id, quote it to OpenAI support
	ProcessingTime time.Duration      // openai-processing-ms: time spent by the service
	RateLimit      ratelimit.Snapshot // the x-ratelimit-* headers, parsed
	Header         http.Header        // all response headers

	// Cached reports a reply served from the cache (WithCache), or shared
	// with an identical request made at the same time.
	Cached bool
	// Model is the model the request was sent with; with WithFallback it
	// may differ from the one asked for, and FallbackReason says why.
	Model          string
	FallbackReason string
	// Redacted is how many values WithRedactor replaced in the request.
	Redacted int
}

func metaFrom(resp *http.Response) Meta {
	m := Meta{StatusCode: resp.StatusCode, Header: resp.Header}
	if v := resp.Header[requestIDHeader]; len(v) > 0 {
		m.RequestID = v[0]
	}
	if v := resp.Header["Openai-Processing-Ms"]; len(v) > 0 {
		if ms, err := strconv.ParseFloat(strings.TrimSpace(v[0]), 64); err == nil && ms >= 0 && ms < 1e9 {
			m.ProcessingTime = time.Duration(ms * float64(time.Millisecond))
		}
	}
	m.RateLimit = ratelimit.ParseOpenAIHeaders(resp.Header)
	return m
}

// call describes one logical API call.
type call struct {
	method string
	path   string               // relative to the base URL, query included
	body   []byte               // encoded request body, nil for none
	form   *transport.Multipart // a multipart body, streamed from its files
	ctype  []string
	accept []string // Accept header, JSON when nil
	cost   ratelimit.Cost
	opts   []RequestOption

	promptEstimate int64 // the prompt part of cost.Tokens, for settling the reservation
	deterministic  bool  // temperature 0 or a seed: the reply may be cached
	model          string
	fallbackReason string // set when model is a fallback
	stream         bool
	parsed         *requestConfig
}

// newRequest builds the HTTP request. The body is a bytes.Reader, so
// http.NewRequest sets GetBody and a retry can replay it.
func (co *core) newRequest(ctx context.Context, cl *call) (*http.Request, error) {
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	if cl.form != nil {
		rc, err := cl.form.Body()
		if err != nil {
			return nil, fmt.Errorf("openai: %w", err)
		}
		body = rc
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, transport.JoinURL(co.baseURL, cl.path), body)
	if err != nil {
		return nil, fmt.Errorf("openai: building request: %w", err)
	}
	if cl.form != nil {
		req.ContentLength = cl.form.Length()
		if ok, _ := cl.form.Replayable(); ok {
			req.GetBody = cl.form.Body
		}
		cl.ctype = []string{cl.form.ContentType()}
	}
	h := req.Header
	co.auth(h)
	h["User-Agent"] = co.userAgent
	h["Accept"] = co.accept
	if cl.accept != nil {
		h["Accept"] = cl.accept
	}
	if cl.body != nil || cl.form != nil {
		if cl.ctype != nil {
			h["Content-Type"] = cl.ctype
		} else {
			h["Content-Type"] = co.jsonType
		}
	}
	if co.org != nil {
		h["Openai-Organization"] = co.org
	}
	if co.project != nil {
		h["Openai-Project"] = co.project
	}
	for k, v := range co.headers {
		h[k] = v
	}
	for k, v := range cl.rc().header {
		h[k] = v
	}
	return req, nil
}

// rc applies the call's request options once.
func (cl *call) rc() *requestConfig {
	if cl.parsed == nil {
		cl.parsed = new(requestConfig)
		for _, o := range cl.opts {
			if o != nil {
				o(cl.parsed)
			}
		}
	}
	return cl.parsed
}

// do sends a call and returns the response with a 2xx status; any other
// status becomes an *APIError. The caller owns the response body.
func (co *core) do(ctx context.Context, cl *call) (*http.Response, error) {
	if co.metered && cl.cost.Key != "" {
		ctx = ratelimit.WithCost(ctx, cl.cost)
	}
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
		apiErr := newAPIError(resp, co.maxBody, co.scrub)
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
		return fmt.Errorf("openai: %s %s: %w (%w)", cl.method, pathOnly(cl.path), ctxErr, err)
	}
	return fmt.Errorf("openai: %s %s: %w", cl.method, pathOnly(cl.path), err)
}

// doBody sends a call and hands its 2xx body, read into memory (at most
// limit bytes; the client's cap when limit is 0), to decode, which fills
// out. Around the exchange it serves and fills the cache, coalesces
// identical requests, settles the throttle reservation and reports usage.
func (co *core) doBody(ctx context.Context, cl *call, limit int64, out any, decode func(body []byte) error) (Meta, error) {
	start := time.Now()
	var key string
	var fl *flight
	if co.cache != nil && cl.body != nil && (cl.deterministic || cl.rc().cacheable) {
		key = co.cacheKey(cl)
		if body, ok := co.cache.Get(ctx, key); ok && decode(body) == nil {
			meta := Meta{StatusCode: http.StatusOK, Cached: true, Model: cl.model, FallbackReason: cl.fallbackReason}
			co.report(ctx, cl, meta, out, start, 0, nil)
			return meta, nil
		}
		var leader bool
		if fl, leader = co.flights.join(key); !leader {
			select {
			case <-fl.done:
			case <-ctx.Done():
				return Meta{}, fmt.Errorf("openai: %s %s: %w", cl.method, pathOnly(cl.path), ctx.Err())
			}
			if fl.body != nil && decode(fl.body) == nil {
				meta := fl.meta
				meta.Cached = true
				co.report(ctx, cl, meta, out, start, 0, nil)
				return meta, nil
			}
			fl = nil // the leader failed: send our own request
		}
		if fl != nil {
			defer co.flights.land(key, fl)
		}
	}
	if co.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, co.timeout)
		defer cancel()
	}
	if limit <= 0 || co.maxBodySet {
		limit = co.maxBody
	}
	var info *ratelimit.RetryInfo
	if co.usageHook != nil {
		ctx, info = ratelimit.WithRetryInfo(ctx)
	}
	var settle *ratelimit.Settlement
	if co.metered && cl.cost.Tokens > 0 {
		ctx, settle = ratelimit.WithSettlement(ctx)
	}
	resp, err := co.do(ctx, cl)
	if err != nil {
		meta := Meta{Model: cl.model, FallbackReason: cl.fallbackReason}
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			meta.StatusCode = apiErr.StatusCode
		}
		co.report(ctx, cl, meta, nil, start, attempts(info), err)
		return meta, err
	}
	defer resp.Body.Close()
	meta := metaFrom(resp)
	meta.Model, meta.FallbackReason = cl.model, cl.fallbackReason
	buf, err := transport.ReadBody(resp, limit)
	defer transport.PutBuffer(buf)
	body := bytes.TrimSpace(buf.Bytes())
	if err == nil && len(body) == 0 {
		err = transport.ErrEmptyBody
	}
	if err == nil {
		err = decode(body)
	}
	if err != nil {
		var de *transport.DecodeError
		if !errors.As(err, &de) {
			if !errors.Is(err, transport.ErrBodyTooLarge) && !errors.Is(err, transport.ErrEmptyBody) {
				err = transport.ExplainJSON(resp.Header.Get("Content-Type"), body, err)
			}
			err = transport.NewDecodeError(resp, requestIDHeader, co.scrub.Bytes(body), err)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("openai: %s %s: %w (%w)", cl.method, pathOnly(cl.path), ctxErr, err)
		} else {
			err = fmt.Errorf("openai: %s %s: %w", cl.method, pathOnly(cl.path), err)
		}
		co.report(ctx, cl, meta, nil, start, attempts(info), err)
		return meta, err
	}
	u, hasUsage := usageOf(out)
	if settle != nil && hasUsage {
		if unused := cl.cost.Tokens - cl.promptEstimate - int64(u.CompletionTokens); unused > 0 {
			settle.Refund(unused)
		}
	}
	if key != "" {
		kept := bytes.Clone(body)
		co.cache.Set(ctx, key, kept, co.cacheTTL)
		if fl != nil {
			fl.body, fl.meta = kept, meta
		}
	}
	co.report(ctx, cl, meta, out, start, attempts(info), nil)
	return meta, nil
}

// attempts is the number of HTTP attempts of a sent call: at least one,
// also when retries are off and nothing counted them.
func attempts(info *ratelimit.RetryInfo) int {
	if info == nil || info.Attempts() == 0 {
		return 1
	}
	return info.Attempts()
}

// doJSON sends a call and decodes a 2xx JSON reply into out.
func (co *core) doJSON(ctx context.Context, cl *call, out any) (Meta, error) {
	return co.doBody(ctx, cl, 0, out, func(body []byte) error { return json.Unmarshal(body, out) })
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
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs,
		slog.String("method", cl.method),
		slog.String("path", pathOnly(cl.path)),
		slog.Duration("duration", time.Since(start)),
	)
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if id := resp.Header.Get(requestIDHeader); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if co.logPrompts && cl.body != nil && cl.ctype == nil {
		attrs = append(attrs, slog.String("body", string(cl.body)))
	}
	if co.logHeaders {
		attrs = append(attrs, transport.HeaderAttr("request_headers", req.Header))
		if resp != nil {
			attrs = append(attrs, transport.HeaderAttr("response_headers", resp.Header))
		}
	}
	co.logger.LogAttrs(ctx, level, "openai request", attrs...)
}

func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}
