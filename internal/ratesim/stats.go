package ratesim

import (
	"math"
	"time"
)

// Stats are the simulator's counters since New.
type Stats struct {
	Admitted       int64 // requests admitted
	Rejected       int64 // 429s for a rate limit, TooLarge included
	TooLarge       int64 // 429s for a request larger than its token limit
	QuotaRejected  int64 // 429 insufficient_quota replies
	EarlyAttempts  int64 // requests that arrived while their group was in a pause a 429 had advised
	TokensAdmitted int64 // tokens charged at admission
	TokensRefunded int64 // tokens given back on completion
	Windows        []Window
}

// Window is what happened in one window (one scaled "minute").
type Window struct {
	Start         time.Duration // since New
	Admitted      int64         // requests admitted
	Rejected      int64         // rate-limit 429s
	EarlyAttempts int64         // arrivals during a 429-advised pause
	Tokens        int64         // tokens charged at admission
	Refunded      int64         // tokens refunded on completion
	// RequestCapacity and TokenCapacity are what the limits in force allowed
	// during the window, summed over the model groups.
	RequestCapacity float64
	TokenCapacity   float64
	// CoTenantRequests and CoTenantTokens are what hidden traffic consumed.
	CoTenantRequests float64
	CoTenantTokens   float64
	// WastedRequests and WastedTokens are budget lost because it came back
	// (by refill or refund) to a budget that was already full: what nobody
	// used and nobody can use any more.
	WastedRequests float64
	WastedTokens   float64
}

// Utilization returns the share of the binding budget the clients used in
// the window: the larger of admitted requests over request capacity and net
// tokens (charged minus refunded) over token capacity. Co-tenant traffic is
// not counted.
func (w Window) Utilization() float64 {
	return utilization(float64(w.Admitted), float64(w.Tokens-w.Refunded), w.RequestCapacity, w.TokenCapacity)
}

func utilization(req, tok, reqCap, tokCap float64) float64 {
	u := 0.0
	if reqCap > 0 {
		u = req / reqCap
	}
	if tokCap > 0 {
		u = math.Max(u, tok/tokCap)
	}
	return u
}

// Utilization returns the binding budget's utilization over windows
// [from, to) (clamped to the windows that exist): totals over totals, as
// Window.Utilization computes it for one window.
func (s Stats) Utilization(from, to int) float64 {
	from = min(max(from, 0), len(s.Windows))
	to = min(max(to, from), len(s.Windows))
	var req, tok, reqCap, tokCap float64
	for _, w := range s.Windows[from:to] {
		req += float64(w.Admitted)
		tok += float64(w.Tokens - w.Refunded)
		reqCap += w.RequestCapacity
		tokCap += w.TokenCapacity
	}
	return utilization(req, tok, reqCap, tokCap)
}

// Efficiency returns, for the binding budget over windows [from, to), the
// share of its capacity that was not wasted on a full budget: one minus
// wasted over capacity, for whichever of requests and tokens wasted the
// smaller share. Unlike Utilization it does not depend on how full the
// budget was when the range began and ended, so it measures a client's
// steady state even over a few windows.
func (s Stats) Efficiency(from, to int) float64 {
	from = min(max(from, 0), len(s.Windows))
	to = min(max(to, from), len(s.Windows))
	var wReq, wTok, reqCap, tokCap float64
	for _, w := range s.Windows[from:to] {
		wReq += w.WastedRequests
		wTok += w.WastedTokens
		reqCap += w.RequestCapacity
		tokCap += w.TokenCapacity
	}
	e := 0.0
	if reqCap > 0 {
		e = 1 - wReq/reqCap
	}
	if tokCap > 0 {
		e = math.Max(e, 1-wTok/tokCap)
	}
	return e
}

// Stats returns a copy of the counters. The last window is usually still
// running: its capacity counts up to now.
func (s *Simulator) Stats() Stats {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.account(now)
	st := s.stats
	st.Windows = append([]Window(nil), s.stats.Windows...)
	return st
}
