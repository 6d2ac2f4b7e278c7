// Package openaitest runs an in-process fake of the OpenAI API, in the
// spirit of net/http/httptest: start it, point a client at it, script its
// replies, and read back what was sent.
//
//	srv := openaitest.NewServer(t)
//	c := srv.Client()
//	resp, err := c.Chat.New(ctx, req) // a deterministic default reply
//	srv.Enqueue("chat/completions", openaitest.Error(429, "rate_limit_exceeded", "slow down"))
//
// Every endpoint has a deterministic default answer, so code under test
// works without scripting anything.
package openaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reachkit/reachkit/internal/ratesim"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

// APIKey is the key the server's Client uses. The server accepts any
// non-empty bearer token.
const APIKey = "sk-openaitest"

// maxRequestBody bounds what the fake reads of a request.
const maxRequestBody = 64 << 20

// Server is a fake OpenAI API server.
type Server struct {
	srv *httptest.Server
	mux *http.ServeMux

	mu        sync.Mutex
	requests  []Request
	queue     map[string][]Reply
	models    []openai.Model
	responses map[string]*storedResponse
	seq       int
	sim       *ratesim.Simulator
	handler   http.Handler
	counts    map[string]int // requests per path, all of them
	total     int
	keep      int // how many requests Requests keeps; -1: all
}

// Option configures a Server.
type Option func(*Server)

// WithModels replaces the models the server lists.
func WithModels(ids ...string) Option {
	return func(s *Server) {
		s.models = s.models[:0]
		for _, id := range ids {
			s.models = append(s.models, openai.Model{ID: id, Object: "model", Created: 1700000000, OwnedBy: "openaitest"})
		}
	}
}

// WithRequestLog keeps only the last n requests for Requests (0 keeps none),
// so a long simulation does not hold every request in memory.
// RequestCount still counts them all. By default every request is kept.
func WithRequestLog(n int) Option {
	return func(s *Server) {
		if n < 0 {
			n = 0
		}
		s.keep = n
	}
}

// NewServer starts a fake server. When tb is not nil the server is closed
// at the end of the test; otherwise (in a main package, say) call Close.
func NewServer(tb testing.TB, opts ...Option) *Server {
	s := &Server{queue: make(map[string][]Reply), mux: http.NewServeMux(), responses: make(map[string]*storedResponse),
		counts: make(map[string]int), keep: -1}
	WithModels("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-5", "text-embedding-3-small", "omni-moderation-latest")(s)
	for _, o := range opts {
		o(s)
	}
	s.routes()
	s.handler = s.mux
	if s.sim != nil {
		s.handler = s.sim.Wrap(s.mux)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	if tb != nil {
		tb.Helper()
		tb.Cleanup(s.Close)
	}
	return s
}

// URL returns the base URL to give a client, ending in /v1 like the real API.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Close shuts the server down and waits for outstanding requests.
func (s *Server) Close() { s.srv.Close() }

// Client returns an openai.Client wired to the server. Retries are off, so a
// scripted error reaches the caller as it is; opts are applied after the
// server's own settings, so a test may turn retries on with openai.WithRetry
// or add middleware.
func (s *Server) Client(opts ...openai.Option) *openai.Client {
	all := append([]openai.Option{openai.WithAPIKey(APIKey), openai.WithBaseURL(s.URL()), openai.WithHTTPClient(s.srv.Client()),
		openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1})}, opts...)
	c, err := openai.NewClient(all...)
	if err != nil {
		panic(fmt.Sprintf("openaitest: building client: %v", err)) // only reachable through invalid opts
	}
	return c
}

// Request is a request the server received.
type Request struct {
	Method string
	Path   string // without the /v1 prefix, e.g. "/chat/completions"
	Query  string
	Header http.Header
	Body   []byte // nil for multipart uploads, which are streamed, not kept
	Time   time.Time
}

// DecodeJSON unmarshals the request body into v.
func (r Request) DecodeJSON(v any) error { return json.Unmarshal(r.Body, v) }

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestCount returns how many requests went to path ("chat/completions"),
// or to any path when path is "".
func (s *Server) RequestCount(path string) int {
	path = normPath(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	if path == "/" {
		return s.total
	}
	return s.counts[path]
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
		panic(fmt.Sprintf("openaitest: JSON reply: %v", err))
	}
	return Reply{Status: http.StatusOK, Body: b, Header: http.Header{"Content-Type": {"application/json"}}}
}

// Raw returns a reply with the given status, content type and body.
func Raw(status int, contentType string, body string) Reply {
	return Reply{Status: status, Body: []byte(body), Header: http.Header{"Content-Type": {contentType}}}
}

// Error returns a reply carrying OpenAI's error envelope. The error type is
// derived from the status ("invalid_request_error", "rate_limit_exceeded" /
// "insufficient_quota", "server_error").
func Error(status int, code, message string) Reply {
	typ := "invalid_request_error"
	switch {
	case code == "insufficient_quota":
		typ = "insufficient_quota"
	case status == http.StatusTooManyRequests:
		typ = "requests"
	case status == http.StatusUnauthorized:
		typ = "invalid_request_error"
	case status >= 500:
		typ = "server_error"
	}
	body := map[string]any{"error": map[string]any{"message": message, "type": typ, "param": nil, "code": code}}
	r := JSON(body)
	r.Status = status
	return r
}

// Enqueue scripts the next replies for path (for example "chat/completions"
// or "/v1/models"); each request to it takes the next reply, and once the
// queue is empty the default handler answers again.
func (s *Server) Enqueue(path string, replies ...Reply) {
	path = normPath(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue[path] = append(s.queue[path], replies...)
}

func normPath(p string) string {
	p = "/" + strings.Trim(p, "/")
	if p == "/v1" {
		return "/"
	}
	return strings.TrimPrefix(p, "/v1")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Uploads are streamed to their handler, not recorded: a 25 MB audio
	// file should not sit in the fake's memory.
	var body []byte
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "could not read request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	path := normPath(r.URL.Path)
	r.URL.Path = path

	s.mu.Lock()
	s.total++
	s.counts[path]++
	if s.keep != 0 {
		s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, Time: time.Now()})
		if s.keep > 0 && len(s.requests) > s.keep {
			s.requests = append(s.requests[:0], s.requests[len(s.requests)-s.keep:]...)
		}
	}
	reqID := fmt.Sprintf("req_openaitest_%d", s.total)
	var reply *Reply
	if q := s.queue[path]; len(q) > 0 {
		reply = &q[0]
		s.queue[path] = q[1:]
	}
	s.mu.Unlock()

	w.Header().Set("X-Request-Id", reqID)
	w.Header().Set("Openai-Processing-Ms", "1")
	if reply != nil {
		writeReply(w, r, reply)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || len(r.Header.Get("Authorization")) <= len("Bearer ") {
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "You didn't provide an API key.")
		return
	}
	s.handler.ServeHTTP(w, r)
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

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	var c any
	if code != "" {
		c = code
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c}})
}
