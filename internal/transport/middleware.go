package transport

import "net/http"

// Middleware wraps a RoundTripper. It has the standard library shape so that
// any transport wrapper (tracing, caching, logging) plugs in unchanged.
type Middleware = func(http.RoundTripper) http.RoundTripper

// Chain wraps base with mws so that mws[0] is the outermost: a request passes
// through mws[0], then mws[1], ..., then base. Nil middleware is skipped.
func Chain(base http.RoundTripper, mws ...Middleware) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	rt := base
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			rt = mws[i](rt)
		}
	}
	return rt
}

// RoundTripperFunc adapts a function to http.RoundTripper.
type RoundTripperFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f(r).
func (f RoundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
