package bench

// This file is the only one that reaches the rate-limit simulator. The
// simulator lives in internal/ratesim; bench can import it because its
// import path lies under the library's, but it is not a public API. Once
// openaitest exposes the simulator, this file switches to that and nothing
// else changes.

import (
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/reachkit/reachkit/internal/ratesim"
)

// RateLimits configures a RateLimitedServer.
type RateLimits struct {
	Window time.Duration // how long the service's "minute" lasts
	RPM    int64         // requests per window
	TPM    int64         // tokens per window
	// Latency returns the time the service takes to answer an admitted
	// request.
	Latency func() time.Duration
}

// RateLimitedServer answers chat completions with a fixed reply behind a
// simulator that enforces RPM and TPM the way the API does: admission
// charged at the prompt estimate plus the maximum output, 429s with the
// API's headers and messages, x-ratelimit-* headers on every reply.
type RateLimitedServer struct {
	*httptest.Server
	sim *ratesim.Simulator
}

// NewRateLimitedServer starts a server answering every admitted request with
// r. Close it when done.
func NewRateLimitedServer(l RateLimits, r *Reply) *RateLimitedServer {
	cfg := ratesim.Config{
		Window:  l.Window,
		Default: ratesim.Limits{RPM: l.RPM, TPM: l.TPM},
	}
	if l.Latency != nil {
		cfg.LatencyFunc = func(_, _ int64) time.Duration { return l.Latency() }
	}
	sim := ratesim.New(cfg)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		wh := w.Header()
		for k, v := range r.Header {
			wh[k] = v
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(r.Body)
	})
	return &RateLimitedServer{Server: httptest.NewServer(sim.Wrap(h)), sim: sim}
}

// BaseURL is the API base URL to give a client.
func (s *RateLimitedServer) BaseURL() string { return s.URL + "/v1" }

// SimStats are the simulator's figures over a range of windows.
type SimStats struct {
	Utilization float64 // share of the binding budget used by admitted requests
	Admitted    int64   // requests admitted
	Rejected    int64   // 429s for a rate limit
	Early       int64   // attempts made while a 429's advised wait was in force
}

// Attempts is every request the server saw: admitted or rejected.
func (s SimStats) Attempts() int64 { return s.Admitted + s.Rejected }

// Stats returns the simulator's figures over windows [from, to).
func (s *RateLimitedServer) Stats(from, to int) SimStats {
	st := s.sim.Stats()
	out := SimStats{Utilization: st.Utilization(from, to)}
	for i, w := range st.Windows {
		if i < from || i >= to {
			continue
		}
		out.Admitted += w.Admitted
		out.Rejected += w.Rejected
		out.Early += w.EarlyAttempts
	}
	return out
}
