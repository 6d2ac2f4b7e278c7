package bench

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// Server is a loopback HTTP server that answers every request with the same
// pre-built Reply, after reading the request body to the end. Its cost is
// the same whichever client calls it. It counts the bytes that cross its
// connections in both directions.
type Server struct {
	*httptest.Server
	reply    *Reply
	wire     atomic.Int64
	requests atomic.Int64
}

// NewServer starts a Server answering with r. Close it when done.
func NewServer(r *Reply) *Server {
	s := &Server{reply: r}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Listener = &countingListener{Listener: s.Listener, n: &s.wire}
	s.Start()
	return s
}

// BaseURL is the API base URL to give a client.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// WireBytes returns the bytes read and written on the server's connections
// so far: request and response, headers included.
func (s *Server) WireBytes() int64 { return s.wire.Load() }

// Requests returns how many requests the server has answered.
func (s *Server) Requests() int64 { return s.requests.Load() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	s.requests.Add(1)
	h := w.Header()
	for k, v := range s.reply.Header {
		h[k] = v
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(s.reply.Body)
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// LoopbackClient returns a new HTTP client with the standard transport
// settings, for one SDK's benchmark against a Server.
func LoopbackClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// MemTransport is an http.RoundTripper that reads the request body to the
// end and returns the pre-built Reply without any network: what a client
// costs on top of it is its own.
type MemTransport struct {
	reply    *Reply
	length   int64
	reqBytes int64
	capture  bool
	last     *http.Request
	lastBody []byte
}

// NewMemTransport returns a transport answering with r. It is not safe for
// concurrent use.
func NewMemTransport(r *Reply) *MemTransport {
	t := &MemTransport{reply: r, length: -1}
	if r.Header.Get("Content-Length") != "" {
		t.length = int64(len(r.Body))
	}
	return t
}

// MemClient returns an HTTP client whose transport is t.
func (t *MemTransport) MemClient() *http.Client { return &http.Client{Transport: t} }

// Capture makes the transport keep the last request and its body, for
// tests; benchmarks leave it off.
func (t *MemTransport) Capture() { t.capture = true }

// LastRequest returns the last request and its body, when Capture is on.
func (t *MemTransport) LastRequest() (*http.Request, []byte) { return t.last, t.lastBody }

// RequestBytes returns the request body bytes the transport has read.
func (t *MemTransport) RequestBytes() int64 { return t.reqBytes }

// RoundTrip implements http.RoundTripper.
func (t *MemTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		var n int64
		if t.capture {
			t.lastBody, _ = io.ReadAll(req.Body)
			t.last = req
			n = int64(len(t.lastBody))
		} else {
			n, _ = io.Copy(io.Discard, req.Body)
		}
		_ = req.Body.Close()
		t.reqBytes += n
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        t.reply.Header,
		Body:          &memBody{b: t.reply.Body},
		ContentLength: t.length,
		Request:       req,
	}, nil
}

// memBody reads a byte slice like a response body read from the network:
// only Read and Close, no shortcut a client could take.
type memBody struct {
	b []byte
}

func (m *memBody) Read(p []byte) (int, error) {
	if len(m.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, m.b)
	m.b = m.b[n:]
	return n, nil
}

func (m *memBody) Close() error { return nil }
