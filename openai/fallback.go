package openai

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// WithFallback sends a chat or Responses request to the next model of
// fallbacks when the call to primary fails, after its retries, with a
// timeout, a 5xx, a 408 or 429 rate limit, or an overloaded error. Other
// errors (a bad request, an exhausted quota) never fall back: another model
// would fail the same way. The reply's Meta.Model names the model that
// answered and Meta.FallbackReason why it was not the primary. Streams do
// not fall back. Call WithFallback once per primary model.
func WithFallback(primary string, fallbacks ...string) Option {
	return func(c *config) {
		if c.fallbacks == nil {
			c.fallbacks = make(map[string][]string)
		}
		c.fallbacks[primary] = append([]string(nil), fallbacks...)
	}
}

// withFallback calls send with model, then with each fallback while the
// failure allows it. reason is "" for the primary.
func withFallback[T any](ctx context.Context, co *core, model string, send func(model, reason string) (T, error)) (T, error) {
	next := co.fallbacks[model]
	out, err := send(model, "")
	for _, m := range next {
		if err == nil || ctx.Err() != nil {
			break
		}
		why, ok := fallbackReason(err)
		if !ok {
			break
		}
		out, err = send(m, fmt.Sprintf("%s failed: %s", model, why))
		model = m
	}
	return out, err
}

// fallbackReason says whether err allows trying another model, and why.
func fallbackReason(err error) (string, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.IsQuotaExceeded():
			return "", false
		case apiErr.StatusCode == http.StatusRequestTimeout, apiErr.StatusCode == http.StatusTooManyRequests, apiErr.StatusCode >= 500:
			return fmt.Sprintf("HTTP %d %s", apiErr.StatusCode, apiErr.Code), true
		case apiErr.Code == "overloaded" || apiErr.Type == "overloaded_error" || apiErr.Code == "server_is_overloaded":
			return "overloaded", true
		}
		return "", false
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout() {
		return "timeout", true
	}
	return "", false
}
