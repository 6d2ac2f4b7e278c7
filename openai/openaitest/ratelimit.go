package openaitest

import (
	"github.com/reachkit/reachkit/internal/ratesim"
)

// RateLimits configures the rate-limit simulator: per model group, request
// and token budgets that refill continuously over a window (a scaled
// "minute"), admission charged as the service charges it (about a token per
// four characters of prompt plus n times the maximum output), 429 replies
// with the service's messages and Retry-After, the six x-ratelimit-* headers
// on every reply, optional refunds, latency, co-tenant traffic and an
// exhausted quota.
type RateLimits = ratesim.Config

// Limits are a model group's budgets per window.
type Limits = ratesim.Limits

// RateLimitStats are the simulator's counters: admitted and rejected
// requests, early attempts, and per-window utilization.
type RateLimitStats = ratesim.Stats

// WithRateLimits puts the simulator in front of every endpoint.
func WithRateLimits(cfg RateLimits) Option {
	return func(s *Server) { s.sim = ratesim.New(cfg) }
}

// RateLimitStats returns the simulator's counters (zero without
// WithRateLimits).
func (s *Server) RateLimitStats() RateLimitStats {
	if s.sim == nil {
		return RateLimitStats{}
	}
	return s.sim.Stats()
}

// SetLimits changes the limits of a model's group mid-run (model "" for the
// default), as when the service lowers a limit. It does nothing without
// WithRateLimits.
func (s *Server) SetLimits(model string, l Limits) {
	if s.sim != nil {
		s.sim.SetLimits(model, l)
	}
}
