// Package ratesim simulates the rate limiting of the OpenAI API in front of
// any handler: per model group, a request budget and a token budget that
// refill continuously, admission charged the way the service charges it,
// 429 replies with the service's messages and headers, and the six
// x-ratelimit-* headers on every reply. Statistics show what a client did
// with its budget: utilization, 429s, and attempts made while a 429's advice
// was still in force.
//
// Time can be scaled (Config.Window: a "minute" that lasts a second) or
// virtual (Config.Now), so tests of rate-limit behaviour run in seconds.
package ratesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits are a model group's budgets per window (per minute by default).
type Limits struct {
	RPM int64 // requests per window
	TPM int64 // tokens per window
}

// Config configures a Simulator. The zero value simulates one minute
// windows with 500 RPM and 200,000 TPM for every model.
type Config struct {
	// Window is how long the service's "minute" lasts: every budget refills
	// from empty to full over it. Zero means a minute. Every duration the
	// simulator reports (reset headers, Retry-After, "try again in") is in
	// real time, so a client sees a service whose limits are per Window.
	Window time.Duration
	// Default are the limits of a model not in Models. Zero fields mean 500
	// RPM and 200,000 TPM.
	Default Limits
	// Models sets the limits of particular models or groups.
	Models map[string]Limits
	// Groups maps a model to the group whose budget it shares, as dated
	// snapshots share their alias's ("gpt-4o-2024-08-06" → "gpt-4o").
	Groups map[string]string
	// DefaultMaxOutput is charged as the maximum output of a request that
	// sets none of max_completion_tokens, max_tokens and max_output_tokens.
	// Zero means 4096.
	DefaultMaxOutput int64
	// Refund gives back, when a request completes, the reserved output
	// tokens its reply did not use (from the reply's usage).
	Refund bool
	// Latency is added to every admitted request before the wrapped handler
	// runs (every reply reports the time since admission in
	// openai-processing-ms, as the service does), plus a uniformly random extra up to LatencyJitter. LatencyFunc,
	// when set, replaces both.
	Latency       time.Duration
	LatencyJitter time.Duration
	LatencyFunc   func(promptTokens, maxOutputTokens int64) time.Duration
	// CoTenant is the fraction (0 to 1) of every budget's refill that hidden
	// traffic from another client of the same organization consumes, in
	// requests of 2% of the token limit each.
	CoTenant float64
	// InsufficientQuota makes every request fail with a 429
	// insufficient_quota error, as when an account has run out of credit.
	InsufficientQuota bool
	// Organization is named in 429 messages; empty means "org-ratesim".
	Organization string
	// Now is the clock; nil means time.Now. With a virtual clock keep the
	// latency at zero: latency is slept in real time.
	Now func() time.Time
}

// Simulator enforces rate limits in front of a handler. Create it with New,
// put it in front of a handler with Wrap, and read Stats. It is safe for
// concurrent use.
type Simulator struct {
	cfg   Config
	now   func() time.Time
	start time.Time

	mu      sync.Mutex
	groups  map[string]*group
	stats   Stats
	segAt   time.Time // capacity is accounted up to here
	jitterR *rand.Rand
}

type group struct {
	limits      Limits
	override    bool // limits set for this group rather than the default
	req, tok    float64
	coReq       float64 // co-tenant demand not yet served
	coTok       float64
	at          time.Time
	pausedUntil time.Time
}

// New returns a Simulator; its windows start now.
func New(cfg Config) *Simulator {
	if cfg.Window <= 0 {
		cfg.Window = time.Minute
	}
	if cfg.Default.RPM <= 0 {
		cfg.Default.RPM = 500
	}
	if cfg.Default.TPM <= 0 {
		cfg.Default.TPM = 200_000
	}
	if cfg.DefaultMaxOutput <= 0 {
		cfg.DefaultMaxOutput = 4096
	}
	if cfg.Organization == "" {
		cfg.Organization = "org-ratesim"
	}
	cfg.CoTenant = math.Min(math.Max(cfg.CoTenant, 0), 1)
	s := &Simulator{cfg: cfg, now: cfg.Now, groups: make(map[string]*group)}
	if s.now == nil {
		s.now = time.Now
	}
	s.start = s.now()
	s.segAt = s.start
	s.jitterR = rand.New(rand.NewPCG(uint64(s.start.UnixNano()), 0x5eed))
	return s
}

// SetLimits changes the limits of a model's group, or with model "" the
// default limits of every group without limits of its own, from now on. A
// budget above its new limit is cut to it, as when the service lowers a
// limit mid-run.
func (s *Simulator) SetLimits(model string, l Limits) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.account(now)
	if model == "" {
		s.cfg.Default = l
		for _, g := range s.groups {
			if !g.override {
				s.advance(g, now)
				g.setLimits(l)
			}
		}
		return
	}
	g := s.group(s.groupOf(model), now)
	s.advance(g, now)
	g.override = true
	g.setLimits(l)
}

func (g *group) setLimits(l Limits) {
	g.limits = l
	g.req = math.Min(g.req, float64(l.RPM))
	g.tok = math.Min(g.tok, float64(l.TPM))
}

func (s *Simulator) groupOf(model string) string {
	if g, ok := s.cfg.Groups[model]; ok {
		return g
	}
	return model
}

// group returns the named group, creating it with a full budget. s.mu is
// held.
func (s *Simulator) group(name string, now time.Time) *group {
	g := s.groups[name]
	if g == nil {
		s.account(now)
		l, ok := s.cfg.Models[name]
		if !ok {
			l = s.cfg.Default
		}
		g = &group{limits: l, override: ok, req: float64(l.RPM), tok: float64(l.TPM), at: now}
		s.groups[name] = g
	}
	return g
}

// advance refills g up to now and lets the co-tenant take its share.
func (s *Simulator) advance(g *group, now time.Time) {
	dt := now.Sub(g.at).Seconds()
	if dt <= 0 {
		return
	}
	g.at = now
	w := s.cfg.Window.Seconds()
	f := s.cfg.CoTenant
	// The co-tenant's demand accrues continuously and is taken in requests
	// of coTenantChunk of the limit, when the budget has room for them.
	win := s.windowAt(now)
	refill := func(level, owed *float64, limit, chunk float64, wasted *float64) float64 {
		add := limit * dt / w
		*wasted += math.Max(0, *level+add-limit)
		*level = math.Min(limit, *level+add)
		*owed = math.Min(*owed+f*limit*dt/w, limit)
		take := 0.0
		for *owed >= chunk && *level >= chunk {
			*level -= chunk
			*owed -= chunk
			take += chunk
		}
		return take
	}
	takeReq := refill(&g.req, &g.coReq, float64(g.limits.RPM), 1, &win.WastedRequests)
	takeTok := refill(&g.tok, &g.coTok, float64(g.limits.TPM), math.Max(1, coTenantChunk*float64(g.limits.TPM)), &win.WastedTokens)
	if f > 0 {
		win.CoTenantRequests += takeReq
		win.CoTenantTokens += takeTok
	}
}

// account adds to the windows' capacity what the limits allowed from segAt
// to now. It must run before limits or groups change. s.mu is held.
func (s *Simulator) account(now time.Time) {
	for s.segAt.Before(now) {
		i := int(s.segAt.Sub(s.start) / s.cfg.Window)
		end := s.start.Add(time.Duration(i+1) * s.cfg.Window)
		if end.After(now) {
			end = now
		}
		frac := end.Sub(s.segAt).Seconds() / s.cfg.Window.Seconds()
		win := s.windowIndex(i)
		for _, g := range s.groups {
			win.RequestCapacity += float64(g.limits.RPM) * frac
			win.TokenCapacity += float64(g.limits.TPM) * frac
		}
		s.segAt = end
	}
}

// windowAt returns the statistics of the window that contains t.
func (s *Simulator) windowAt(t time.Time) *Window {
	return s.windowIndex(int(t.Sub(s.start) / s.cfg.Window))
}

func (s *Simulator) windowIndex(i int) *Window {
	if i < 0 {
		i = 0
	}
	for len(s.stats.Windows) <= i {
		s.stats.Windows = append(s.stats.Windows, Window{Start: time.Duration(len(s.stats.Windows)) * s.cfg.Window})
	}
	return &s.stats.Windows[i]
}

// coTenantChunk is the size of a co-tenant request, as a fraction of the
// token limit.
const coTenantChunk = 0.02

// maxBody bounds what the simulator reads of a request.
const maxBody = 64 << 20

// maxCapture is about how much of a reply's end is kept to find the usage.
const maxCapture = 1 << 20

// Wrap returns a handler that enforces the limits and then calls next.
// Requests whose body is not a JSON object with a "model" field pass
// through unlimited and uncounted.
func (s *Simulator) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		req, ok := parseRequest(body, r.URL.Path, s.cfg.DefaultMaxOutput)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if s.cfg.InsufficientQuota {
			now := s.now()
			s.mu.Lock()
			s.stats.QuotaRejected++
			g := s.group(s.groupOf(req.model), now)
			s.advance(g, now)
			s.writeHeaders(w.Header(), g)
			s.mu.Unlock()
			writeError(w, http.StatusTooManyRequests, "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", "insufficient_quota", "insufficient_quota")
			return
		}
		admitted, reject := s.admit(w.Header(), req)
		if !admitted {
			w.Header().Set("Openai-Processing-Ms", "0")
			writeError(w, http.StatusTooManyRequests, reject.message, reject.kind, "rate_limit_exceeded")
			return
		}
		cw := &captureWriter{ResponseWriter: w, now: s.now, start: s.now(), keep: s.cfg.Refund && req.output > 0}
		if d := s.latency(req); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		next.ServeHTTP(cw, r)
		if !cw.keep || cw.status != 0 && cw.status != http.StatusOK {
			return
		}
		if used, ok := completionTokens(cw.buf); ok && used < req.output {
			s.refund(req.model, req.output-used)
		}
	})
}

type rejection struct {
	kind    string // "requests" or "tokens"
	message string
}

// admit charges req if its group's budgets allow, and writes the rate-limit
// headers (and, for a 429, Retry-After) either way.
func (s *Simulator) admit(h http.Header, req request) (bool, rejection) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(s.groupOf(req.model), now)
	s.advance(g, now)
	win := s.windowAt(now)
	if now.Before(g.pausedUntil) {
		s.stats.EarlyAttempts++
		win.EarlyAttempts++
	}
	cost := float64(req.prompt + req.output)
	rpm, tpm := float64(g.limits.RPM), float64(g.limits.TPM)
	var rej rejection
	var wait time.Duration
	switch {
	case cost > tpm:
		rej = rejection{"tokens", fmt.Sprintf("Request too large for %s in organization %s on tokens per min (TPM): Limit %d, Requested %d. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.",
			req.model, s.cfg.Organization, g.limits.TPM, int64(cost))}
		s.stats.TooLarge++
	case g.req < 1:
		wait = s.timeToReach(g.req, 1, rpm)
		rej = rejection{"requests", fmt.Sprintf("Rate limit reached for %s in organization %s on requests per min (RPM): Limit %d, Used %d, Requested 1. Please try again in %s. Visit https://platform.openai.com/account/rate-limits to learn more.",
			req.model, s.cfg.Organization, g.limits.RPM, int64(math.Ceil(rpm-g.req)), formatWait(wait))}
	case g.tok < cost:
		wait = s.timeToReach(g.tok, cost, tpm)
		rej = rejection{"tokens", fmt.Sprintf("Rate limit reached for %s in organization %s on tokens per min (TPM): Limit %d, Used %d, Requested %d. Please try again in %s. Visit https://platform.openai.com/account/rate-limits to learn more.",
			req.model, s.cfg.Organization, g.limits.TPM, int64(math.Ceil(tpm-g.tok)), int64(cost), formatWait(wait))}
		g.req-- // a rejected request still counts against the request budget
	default:
		g.req--
		g.tok -= cost
		s.stats.Admitted++
		s.stats.TokensAdmitted += int64(cost)
		win.Admitted++
		win.Tokens += int64(cost)
		s.writeHeaders(h, g)
		return true, rejection{}
	}
	s.stats.Rejected++
	win.Rejected++
	s.writeHeaders(h, g)
	if wait > 0 {
		wait = max(wait.Round(time.Millisecond), time.Millisecond)
		if until := now.Add(wait); until.After(g.pausedUntil) {
			g.pausedUntil = until
		}
		h.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(wait.Seconds())), 10))
		h.Set("Retry-After-Ms", strconv.FormatInt(wait.Milliseconds(), 10))
	}
	return false, rej
}

// timeToReach is how long a budget at level takes to reach target.
func (s *Simulator) timeToReach(level, target, limit float64) time.Duration {
	if limit <= 0 {
		return s.cfg.Window
	}
	return time.Duration(math.Ceil((target - level) / limit * float64(s.cfg.Window)))
}

func (s *Simulator) writeHeaders(h http.Header, g *group) {
	set := func(kind string, limit int64, level float64) {
		h.Set("X-Ratelimit-Limit-"+kind, strconv.FormatInt(limit, 10))
		h.Set("X-Ratelimit-Remaining-"+kind, strconv.FormatInt(int64(math.Max(0, math.Floor(level))), 10))
		reset := s.timeToReach(level, float64(limit), float64(limit)).Round(time.Millisecond)
		h.Set("X-Ratelimit-Reset-"+kind, reset.String())
	}
	set("Requests", g.limits.RPM, g.req)
	set("Tokens", g.limits.TPM, g.tok)
}

// formatWait formats a wait as the service does in its messages: "20ms",
// "1.2s", "6m0s".
func formatWait(d time.Duration) string {
	return max(d.Round(time.Millisecond), time.Millisecond).String()
}

func (s *Simulator) latency(req request) time.Duration {
	if s.cfg.LatencyFunc != nil {
		return s.cfg.LatencyFunc(req.prompt, req.output)
	}
	d := s.cfg.Latency
	if s.cfg.LatencyJitter > 0 {
		s.mu.Lock()
		d += time.Duration(s.jitterR.Int64N(int64(s.cfg.LatencyJitter) + 1))
		s.mu.Unlock()
	}
	return d
}

func (s *Simulator) refund(model string, tokens int64) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(s.groupOf(model), now)
	s.advance(g, now)
	win := s.windowAt(now)
	win.WastedTokens += math.Max(0, g.tok+float64(tokens)-float64(g.limits.TPM))
	g.tok = math.Min(float64(g.limits.TPM), g.tok+float64(tokens))
	s.stats.TokensRefunded += tokens
	win.Refunded += tokens
}

func writeError(w http.ResponseWriter, status int, message, typ, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{"error": map[string]any{"message": message, "type": typ, "param": nil, "code": code}})
	_, _ = w.Write(body)
}

// captureWriter stamps the reply with openai-processing-ms, the time since
// admission in whole milliseconds, and keeps the end of the reply (when keep
// is set) so that the usage can be read.
type captureWriter struct {
	http.ResponseWriter
	now    func() time.Time
	start  time.Time
	keep   bool
	status int
	buf    []byte
}

func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
		c.ResponseWriter.Header().Set("Openai-Processing-Ms", strconv.FormatInt(c.now().Sub(c.start).Milliseconds(), 10))
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if c.keep {
		c.buf = append(c.buf, b...)
		if len(c.buf) > 2*maxCapture { // keep the tail, where streams put the usage
			c.buf = append(c.buf[:0], c.buf[len(c.buf)-maxCapture:]...)
		}
	}
	return c.ResponseWriter.Write(b)
}

// Flush lets streamed replies through.
func (c *captureWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
