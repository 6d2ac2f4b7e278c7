package openai

import (
	"net/http"

	"github.com/reachkit/reachkit/internal/transport"
)

// pipeline builds Retry → user middleware (in order) → base transport.
func pipeline(base http.RoundTripper, cfg config) http.RoundTripper {
	return transport.Chain(base, cfg.middleware...)
}
