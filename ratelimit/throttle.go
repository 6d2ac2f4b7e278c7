package ratelimit

import (
	"context"
	"net/http"
	"sync"
)

// Throttle returns middleware that admits each request through l before
// sending it. A request whose context carries a [Cost] (see [WithCost]) with
// a non-empty Key waits, in arrival order among the requests of that key,
// until the key's budgets can pay the cost and no 429 pause is in force;
// every other request passes straight through. Waiting honours the request's
// context: when it is done first, RoundTrip returns an error that wraps the
// context's error and sends nothing.
//
// Each reply, whatever its status, feeds its rate-limit headers back into l.
// A 429 also pauses the key (see [Limiter]), so place Throttle inside
// [Retry]: every retry then waits for the pause and the budget again.
//
// When the request's context carries a [Settlement], a successful reply
// fills it in, so that the code that reads the reply can return the tokens
// the request did not use.
//
// When the budget is ample Throttle adds well under a microsecond and no
// allocation to a request.
func Throttle(l *Limiter) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &throttle{l: l, next: next}
	}
}

type throttle struct {
	l    *Limiter
	next http.RoundTripper
}

func (t *throttle) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cost, ok := CostFrom(ctx)
	if !ok || cost.Key == "" {
		return t.next.RoundTrip(req)
	}
	res, err := t.l.wait(ctx, cost)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.l.failed(&res)
		return nil, err
	}
	var body []byte
	if resp.StatusCode == http.StatusTooManyRequests {
		body = peekBody(resp, maxPeek)
	}
	t.l.observe(&res, resp.StatusCode, resp.Header, body)
	if resp.StatusCode < 300 {
		if s, _ := ctx.Value(settlementKey{}).(*Settlement); s != nil {
			s.set(t.l, &res)
		}
	}
	return resp, nil
}

// Settlement lets the code that reads a reply settle the request's token
// reservation once the reply's usage is known. [Throttle] charges a request
// its maximum (the prompt estimate plus the maximum output) at admission;
// when the server gives back what the request did not use (see
// LimiterConfig.Refunds), so can the Limiter, through Refund.
//
// Create one with [WithSettlement] before sending the request. Throttle
// fills it in when the request succeeds; a Settlement that is never filled
// in, or never settled, is harmless: the budget is then corrected by the
// headers of later replies. Its methods are safe for concurrent use.
type Settlement struct {
	mu      sync.Mutex
	l       *Limiter
	res     reservation
	settled bool
}

type settlementKey struct{}

// WithSettlement returns a copy of ctx that carries a new Settlement, and
// that Settlement.
func WithSettlement(ctx context.Context) (context.Context, *Settlement) {
	s := new(Settlement)
	return context.WithValue(ctx, settlementKey{}, s), s
}

func (s *Settlement) set(l *Limiter, res *reservation) {
	s.mu.Lock()
	s.l, s.res, s.settled = l, *res, false
	s.mu.Unlock()
}

// Reserved returns the tokens charged at admission to the request that got
// the successful reply, or 0 when no successful reply has filled s in.
func (s *Settlement) Reserved() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.l == nil {
		return 0
	}
	return int64(s.res.charge[bTokens])
}

// Refund returns unused tokens, at most the reservation, to the budget they
// were charged to: for a chat completion, n × the maximum output tokens
// minus the usage's completion_tokens. Only the first call after a
// successful reply counts; it does nothing unless LimiterConfig.Refunds is
// set, and nothing for an unused value of 0 or less.
func (s *Settlement) Refund(unused int64) {
	s.mu.Lock()
	if s.l == nil || s.settled {
		s.mu.Unlock()
		return
	}
	s.settled = true
	l, res := s.l, s.res
	s.mu.Unlock()
	l.refund(&res, unused)
}
