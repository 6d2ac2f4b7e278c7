package openai

import (
	"net/http"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// pipeline builds Retry → user middleware (in order) → base transport, so
// that every attempt passes through the throttle and the user's middleware.
func pipeline(base http.RoundTripper, cfg config) http.RoundTripper {
	mws := make([]Middleware, 0, len(cfg.middleware)+1)
	if cfg.retry.MaxRetries >= 0 {
		mws = append(mws, ratelimit.Retry(cfg.retry))
	}
	return transport.Chain(base, append(mws, cfg.middleware...)...)
}
