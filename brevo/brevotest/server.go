// Package brevotest runs an in-process fake of the Brevo v3 API, in the
// spirit of net/http/httptest: start it, point a client at it, run a
// workflow, and read back what it did.
//
//	srv := brevotest.NewServer(t)
//	c := srv.Client()
//	_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com"})
//	got, _ := srv.Contact("ada@example.com")
//
// Unlike a scripted mock the server keeps state in memory (contacts,
// attributes, lists and folders, sent emails, campaigns) and enforces the
// validation rules of the real service that workflows trip over: an unknown
// attribute or a value of the wrong type, a duplicate contact, an invalid
// email address, a missing sender. Every reply carries the
// x-sib-ratelimit-* headers, counted against Brevo's default budgets
// (brevo.RouteLimits) unless WithRateLimit sets others; a throttled client
// follows them. WithRateLimit also makes the server answer 429 when a route
// group goes over its budget. Enqueue scripts replies and errors.
package brevotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reachkit/reachkit/brevo"
)

// APIKey is the key the server's Client uses. The server accepts any
// non-empty api-key header.
const APIKey = "xkeysib-brevotest"

// maxRequestBody bounds what the fake reads of a request.
const maxRequestBody = 32 << 20

// Server is a fake Brevo API server.
type Server struct {
	srv *httptest.Server
	mux *http.ServeMux

	mu       sync.Mutex
	requests []Request
	queue    map[string][]Reply
	limits   map[string]*window // by route group
	state
}

// Option configures a Server.
type Option func(*Server)

// WithRateLimit makes the server enforce a budget of n requests per window
// for a route group (brevo.GroupContacts, brevo.GroupTransactional, ...):
// a request over it gets a 429 with Brevo's error body, and no state
// changes. As at Brevo, a window opens with the first request after the
// previous window closed, and the whole budget comes back when it closes.
func WithRateLimit(group string, n int, per time.Duration) Option {
	return func(s *Server) {
		if n > 0 && per > 0 {
			s.limits[group] = &window{limit: n, per: per, enforce: true}
		}
	}
}

// WithRouteLimits enforces a requests-per-second budget for each group in
// limits, for example brevo.RouteLimits().
func WithRouteLimits(limits map[string]float64) Option {
	return func(s *Server) {
		for g, rps := range limits {
			WithRateLimit(g, int(math.Max(1, math.Round(rps))), time.Second)(s)
		}
	}
}

// WithAttributes replaces the attributes the account starts with (by
// default FIRSTNAME, LASTNAME and SMS, all text).
func WithAttributes(attrs ...brevo.Attribute) Option {
	return func(s *Server) {
		s.attributes = s.attributes[:0]
		for _, a := range attrs {
			a.Name = strings.ToUpper(a.Name)
			if a.Category == "" {
				a.Category = brevo.CategoryNormal
			}
			s.attributes = append(s.attributes, a)
		}
	}
}

// NewServer starts a fake server. When tb is not nil the server is closed
// at the end of the test; otherwise (in a main package, say) call Close.
func NewServer(tb testing.TB, opts ...Option) *Server {
	s := &Server{
		queue:  make(map[string][]Reply),
		mux:    http.NewServeMux(),
		limits: make(map[string]*window),
		state:  newState(),
	}
	for _, o := range opts {
		o(s)
	}
	for g, rps := range brevo.RouteLimits() {
		if s.limits[g] == nil {
			s.limits[g] = &window{limit: int(math.Max(1, math.Round(rps))), per: time.Second}
		}
	}
	s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	if tb != nil {
		tb.Helper()
		tb.Cleanup(s.Close)
	}
	return s
}

// URL returns the base URL to give a client, ending in /v3 like the real API.
func (s *Server) URL() string { return s.srv.URL + "/v3" }

// Close shuts the server down and waits for outstanding requests.
func (s *Server) Close() { s.srv.Close() }

// Client returns a brevo.Client wired to the server. opts are applied after
// the server's own (base URL, key, HTTP client), so a test may add
// middleware or change retries.
func (s *Server) Client(opts ...brevo.Option) *brevo.Client {
	all := append([]brevo.Option{brevo.WithAPIKey(APIKey), brevo.WithBaseURL(s.URL()), brevo.WithHTTPClient(s.srv.Client())}, opts...)
	c, err := brevo.NewClient(all...)
	if err != nil {
		panic(fmt.Sprintf("brevotest: building client: %v", err)) // only reachable through invalid opts
	}
	return c
}

// Request is a request the server received.
type Request struct {
	Method string
	Path   string // without the /v3 prefix, e.g. "/contacts/batch"
	Query  string
	Header http.Header
	Body   []byte
	Time   time.Time // when it arrived
	Status int       // the status the server answered
	Reply  []byte    // the body it answered with (at most 1 MiB of it)
}

// DecodeJSON unmarshals the request body into v.
func (r Request) DecodeJSON(v any) error { return json.Unmarshal(r.Body, v) }

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestCount returns how many requests went to path ("contacts/batch"),
// or to any path when path is "".
func (s *Server) RequestCount(path string) int {
	path = normPath(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if path == "/" || r.Path == path {
			n++
		}
	}
	return n
}

// Reply is a scripted answer.
type Reply struct {
	Status int         // defaults to 200
	Header http.Header // extra headers
	Body   []byte      // sent as is
	// Delay holds the reply back; a client whose context ends first sees
	// its deadline.
	Delay time.Duration
}

// JSON returns a 200 reply with v encoded as JSON.
func JSON(v any) Reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("brevotest: JSON reply: %v", err))
	}
	return Reply{Status: http.StatusOK, Body: b, Header: http.Header{"Content-Type": {"application/json"}}}
}

// Raw returns a reply with the given status, content type and body.
func Raw(status int, contentType string, body string) Reply {
	return Reply{Status: status, Body: []byte(body), Header: http.Header{"Content-Type": {contentType}}}
}

// Error returns a reply carrying Brevo's error model {"code", "message"}.
// A 429 also carries x-sib-ratelimit-* headers saying the budget is spent
// for a second.
func Error(status int, code, message string) Reply {
	r := JSON(map[string]string{"code": code, "message": message})
	r.Status = status
	if status == http.StatusTooManyRequests {
		r.Header.Set("X-Sib-Ratelimit-Limit", "10")
		r.Header.Set("X-Sib-Ratelimit-Remaining", "0")
		r.Header.Set("X-Sib-Ratelimit-Reset", "1")
	}
	return r
}

// Enqueue scripts the next replies for path (for example "contacts/batch"
// or "/v3/smtp/email"); each request to it takes the next reply, and once
// the queue is empty the fake answers again. Scripted replies change no
// state and are not rate limited.
func (s *Server) Enqueue(path string, replies ...Reply) {
	path = normPath(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue[path] = append(s.queue[path], replies...)
}

func normPath(p string) string {
	p = "/" + strings.Trim(p, "/")
	if p == "/v3" {
		return "/"
	}
	return strings.TrimPrefix(p, "/v3")
}

// maxRecordedReply bounds the part of a reply kept in Request.Reply.
const maxRecordedReply = 1 << 20

// statusRecorder remembers the status and body a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

// WriteHeader records the first status written.
func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and the body.
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := maxRecordedReply - r.body.Len(); room > 0 {
		r.body.Write(b[:min(len(b), room)])
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, brevo.CodeBadRequest, "could not read the request body")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	path := normPath(r.URL.Path)
	r.URL.Path = path
	r.URL.RawPath = ""
	now := time.Now()

	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, Time: now})
	var reply *Reply
	if q := s.queue[path]; len(q) > 0 {
		reply = &q[0]
		s.queue[path] = q[1:]
	}
	s.mu.Unlock()

	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.requests[idx].Status = rec.status
		s.requests[idx].Reply = rec.body.Bytes()
		s.mu.Unlock()
	}()
	if reply != nil {
		writeReply(rec, r, reply)
		return
	}
	if strings.TrimSpace(r.Header.Get("Api-Key")) == "" {
		writeError(rec, http.StatusUnauthorized, brevo.CodeUnauthorized, "Key not found")
		return
	}
	if !s.admit(rec, r.Method, path, now) {
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// window is a route group's budget: at most limit requests in a window of
// length per that opens with the first request after the previous one
// closed, the way Brevo counts (x-sib-ratelimit-reset counts down to the
// moment the whole budget comes back).
type window struct {
	limit   int
	per     time.Duration
	enforce bool // answer 429 over the limit; otherwise only report it
	start   time.Time
	count   int
}

// admit charges the request to its route group and writes the
// x-sib-ratelimit-* headers. Over an enforced budget it answers 429 and
// reports false; a rejected request is not counted.
func (s *Server) admit(w http.ResponseWriter, method, path string, now time.Time) bool {
	group := brevo.RouteGroup(method, path)
	s.mu.Lock()
	win := s.limits[group]
	if win == nil {
		win = s.limits[brevo.GroupDefault]
	}
	if win.start.IsZero() || !now.Before(win.start.Add(win.per)) {
		win.start, win.count = now, 0
	}
	over := win.enforce && win.count >= win.limit
	if !over {
		win.count++
	}
	remaining := max(win.limit-win.count, 0)
	reset := win.start.Add(win.per).Sub(now)
	s.mu.Unlock()

	h := w.Header()
	h.Set("X-Sib-Ratelimit-Limit", strconv.Itoa(win.limit))
	h.Set("X-Sib-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Sib-Ratelimit-Reset", strconv.FormatInt(int64(math.Ceil(reset.Seconds())), 10))
	if over {
		writeError(w, http.StatusTooManyRequests, brevo.CodeTooManyRequests, "The expected rate limit is exceeded.")
		return false
	}
	return true
}

func writeReply(w http.ResponseWriter, r *http.Request, rep *Reply) {
	if rep.Delay > 0 {
		t := time.NewTimer(rep.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	for k, v := range rep.Header {
		w.Header()[k] = v
	}
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(rep.Body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"code": code, "message": msg})
}

// apiError is a validation failure a handler turns into a reply.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) write(w http.ResponseWriter) { writeError(w, e.status, e.code, e.msg) }

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: brevo.CodeDocumentNotFound, msg: fmt.Sprintf(format, args...)}
}

// decode reads a JSON request body into v.
func decode(r *http.Request, v any) *apiError {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return badRequest(brevo.CodeBadRequest, "Input must be a valid JSON object: %v", err)
	}
	return nil
}

func pathID(r *http.Request, name string) (int64, *apiError) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest(brevo.CodeInvalidParameter, "%s must be a positive integer", name)
	}
	return id, nil
}

// page reads limit, offset and sort, checking limit against max.
func page(r *http.Request, def, max int, required bool) (limit, offset int, desc bool, e *apiError) {
	q := r.URL.Query()
	limit, offset = def, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > max {
			return 0, 0, false, badRequest(brevo.CodeOutOfRange, "limit must be between 0 and %d", max)
		}
		limit = n
	} else if required {
		return 0, 0, false, badRequest(brevo.CodeMissingParameter, "limit is missing")
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, false, badRequest(brevo.CodeOutOfRange, "offset must be a non-negative integer")
		}
		offset = n
	} else if required {
		return 0, 0, false, badRequest(brevo.CodeMissingParameter, "offset is missing")
	}
	switch q.Get("sort") {
	case "", "desc":
		desc = true
	case "asc":
	default:
		return 0, 0, false, badRequest(brevo.CodeInvalidParameter, "sort must be asc or desc")
	}
	return limit, offset, desc, nil
}

// window returns the part of a sorted slice a page selects.
func pageOf[T any](all []T, limit, offset int, desc bool) []T {
	if desc {
		rev := make([]T, len(all))
		for i, v := range all {
			rev[len(all)-1-i] = v
		}
		all = rev
	}
	if offset >= len(all) {
		return []T{}
	}
	end := min(offset+limit, len(all))
	return all[offset:end]
}

func sortedIDs[T any](m map[int64]T) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
