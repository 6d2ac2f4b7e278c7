package faults

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reachkit/reachkit/internal/transport"
)

// callHeader carries the number of the scripted call from the transport to
// the server, so that each call meets its own fault even when several are
// in flight.
const callHeader = "X-Faults-Call"

// A Fault is what happens to one HTTP call: either in the transport, which
// then makes the exchange itself (client), or at the server (serve).
type Fault struct {
	client func(in *Injector, r *http.Request) (*http.Response, error)
	serve  func(in *Injector, w http.ResponseWriter, r *http.Request)
}

// Injector is an httptest server and the http.RoundTripper that reaches it.
// Every call the RoundTripper sees takes the next fault of the script; once
// the script is used up, calls reach the fallback handler. Requests for any
// host other than the server's never reach the network: they are recorded
// (see Escaped) and answered 200 with an empty JSON object.
type Injector struct {
	srv      *httptest.Server
	tr       *http.Transport
	fallback http.Handler
	refused  string // host:port of a closed port
	closing  chan struct{}
	closed   sync.Once

	mu      sync.Mutex
	script  []Fault
	pending map[string]Fault
	escaped []*http.Request

	seq   atomic.Int64
	calls atomic.Int64 // calls the RoundTripper saw
	hits  atomic.Int64 // requests the server received
}

// New starts an Injector whose unscripted calls reach fallback.
func New(fallback http.Handler) *Injector {
	in := &Injector{
		fallback: fallback,
		closing:  make(chan struct{}),
		pending:  make(map[string]Fault),
		tr:       &http.Transport{MaxIdleConnsPerHost: 64},
	}
	in.srv = httptest.NewServer(http.HandlerFunc(in.handle))
	in.refused = closedPort()
	return in
}

// closedPort returns the address of a loopback port nothing listens on.
func closedPort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:1"
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// URL is the server's base URL.
func (in *Injector) URL() string { return in.srv.URL }

// HTTPClient returns a client whose transport is the Injector.
func (in *Injector) HTTPClient() *http.Client { return &http.Client{Transport: in} }

// Script appends faults for the next calls, one per call.
func (in *Injector) Script(fs ...Fault) {
	in.mu.Lock()
	in.script = append(in.script, fs...)
	in.mu.Unlock()
}

// Calls is the number of calls the RoundTripper saw, scripted or not.
func (in *Injector) Calls() int { return int(in.calls.Load()) }

// Hits is the number of requests the server received. It can exceed Calls
// when the HTTP transport itself replays a request on a fresh connection.
func (in *Injector) Hits() int { return int(in.hits.Load()) }

// Escaped returns the requests that were addressed to another host.
func (in *Injector) Escaped() []*http.Request {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]*http.Request(nil), in.escaped...)
}

// Close releases stalled handlers, shuts the server down and closes the
// transport's idle connections, so that nothing of the Injector outlives it.
func (in *Injector) Close() {
	in.closed.Do(func() { close(in.closing) })
	in.srv.CloseClientConnections()
	in.srv.Close()
	in.tr.CloseIdleConnections()
}

// RoundTrip implements http.RoundTripper.
func (in *Injector) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != in.srv.Listener.Addr().String() {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		in.mu.Lock()
		in.escaped = append(in.escaped, r)
		in.mu.Unlock()
		return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
	}
	in.calls.Add(1)
	in.mu.Lock()
	var f Fault
	scripted := len(in.script) > 0
	if scripted {
		f, in.script = in.script[0], in.script[1:]
	}
	in.mu.Unlock()
	if !scripted {
		return in.tr.RoundTrip(r)
	}
	if f.client != nil {
		return f.client(in, r)
	}
	id := strconv.FormatInt(in.seq.Add(1), 10)
	in.mu.Lock()
	in.pending[id] = f
	in.mu.Unlock()
	r2 := r.Clone(r.Context()) // shares r's body
	r2.Header.Set(callHeader, id)
	return in.tr.RoundTrip(r2)
}

func (in *Injector) handle(w http.ResponseWriter, r *http.Request) {
	in.hits.Add(1)
	id := r.Header.Get(callHeader)
	in.mu.Lock()
	f, ok := in.pending[id]
	in.mu.Unlock()
	if !ok || f.serve == nil {
		in.fallback.ServeHTTP(w, r)
		return
	}
	// Read the request first: the server notices that the client went away
	// (and cancels r.Context) only once the request body is consumed.
	_, _ = io.Copy(io.Discard, r.Body)
	f.serve(in, w, r)
}

// stall blocks until the client goes away or the Injector closes.
func (in *Injector) stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-in.closing:
	}
}

// Refused fails the call with the error of a real connection to a closed
// port: connection refused.
func Refused() Fault {
	return Fault{client: func(in *Injector, r *http.Request) (*http.Response, error) {
		r2 := r.Clone(r.Context())
		r2.URL.Host = in.refused
		return in.tr.RoundTrip(r2)
	}}
}

// reset closes the connection with a TCP RST instead of a FIN.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("faults: the response writer cannot be hijacked")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// ResetBeforeHeaders resets the connection before any byte of the reply.
func ResetBeforeHeaders() Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) { reset(w) }}
}

// ResetAfter sends the headers and the first bytes of body (declaring the
// whole length when contentLength is set) and then resets the connection.
func ResetAfter(status int, contentType, prefix string, contentLength int) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		if contentLength > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(contentLength))
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, prefix)
		w.(http.Flusher).Flush()
		time.Sleep(10 * time.Millisecond) // let the client read what was sent
		reset(w)
	}}
}

// Stall never answers: the client waits for the headers until it gives up.
func Stall() Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) { in.stall(r) }}
}

// StallAfter sends the headers and prefix, then nothing more.
func StallAfter(status int, contentType, prefix string) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, prefix)
		w.(http.Flusher).Flush()
		in.stall(r)
	}}
}

// Reply answers with status, header and body.
func Reply(status int, header http.Header, body string) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}}
}

// Status answers with status, a content type and body.
func Status(status int, contentType, body string) Fault {
	return Reply(status, http.Header{"Content-Type": {contentType}}, body)
}

// Gzip answers with body gzip-encoded (Content-Encoding: gzip).
func Gzip(status int, contentType, body string) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, body)
		_ = zw.Close()
	}}
}

// GzipBomb answers with a gzip stream of prefix followed by spaces that
// never ends: a few bytes on the wire, unbounded once decompressed.
func GzipBomb(status int, contentType, prefix string) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		_, _ = io.WriteString(zw, prefix)
		block := []byte(strings.Repeat(" ", 64<<10))
		for r.Context().Err() == nil {
			if _, err := zw.Write(block); err != nil {
				return
			}
		}
	}}
}

// Endless answers with prefix followed by filler, repeated until the client
// goes away.
func Endless(status int, contentType, prefix, filler string) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, prefix)
		block := []byte(strings.Repeat(filler, max(1, (32<<10)/max(1, len(filler)))))
		for r.Context().Err() == nil {
			select {
			case <-in.closing:
				return
			default:
			}
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	}}
}

// Declared writes a raw reply that declares a Content-Length of declared
// bytes but carries only body; then it closes the connection, or with hold,
// keeps it open until the client leaves.
func Declared(status int, contentType string, declared int64, body string, hold bool) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
			status, http.StatusText(status), contentType, declared, body)
		_ = buf.Flush()
		if hold {
			waitForPeer(in, conn, buf)
		}
	}}
}

// waitForPeer returns when the peer closes the connection or the Injector
// closes.
func waitForPeer(in *Injector, conn net.Conn, buf *bufio.ReadWriter) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, buf)
	}()
	select {
	case <-done:
	case <-in.closing:
		conn.Close()
		<-done
	}
}

// SSE answers with a text/event-stream body made of events, flushed one by
// one; each event is sent as is, so it must end with a blank line to be
// complete.
func SSE(events ...string) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for _, ev := range events {
			if _, err := io.WriteString(w, ev); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}}
}

// Redirect answers 307 Temporary Redirect to location.
func Redirect(location string) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", location)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}}
}

// Func answers with a handler of the caller's.
func Func(h http.HandlerFunc) Fault {
	return Fault{serve: func(in *Injector, w http.ResponseWriter, r *http.Request) { h(w, r) }}
}

// Repeat returns n copies of f.
func Repeat(n int, f Fault) []Fault {
	out := make([]Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// Loopback reports whether an http:// request stays on this machine; https
// requests always pass.
func Loopback(r *http.Request) bool {
	return r.URL.Scheme != "http" || transport.IsLoopback(r.URL.Hostname())
}
