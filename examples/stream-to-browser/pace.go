package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/reachkit/reachkit/openai"
)

// paceEvents is middleware that holds back each server-sent event of a
// streamed reply by d. The in-process fake answers at once; paced, its
// stream arrives the way a model writes, which the offline demo and the
// browser test need. A real service needs none of this.
func paceEvents(d time.Duration) openai.Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err == nil && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
				resp.Body = &pacedBody{r: bufio.NewReader(resp.Body), body: resp.Body, d: d}
			}
			return resp, err
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// pacedBody reads a stream one event (lines up to a blank line) at a time,
// waiting d before each.
type pacedBody struct {
	r       *bufio.Reader
	body    io.Closer
	d       time.Duration
	pending []byte
}

func (p *pacedBody) Read(b []byte) (int, error) {
	if len(p.pending) == 0 {
		var event []byte
		for {
			line, err := p.r.ReadBytes('\n')
			event = append(event, line...)
			if err != nil {
				if len(event) == 0 {
					return 0, err
				}
				break
			}
			if len(bytes.TrimSpace(line)) == 0 {
				break
			}
		}
		time.Sleep(p.d)
		p.pending = event
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	return n, nil
}

func (p *pacedBody) Close() error { return p.body.Close() }
