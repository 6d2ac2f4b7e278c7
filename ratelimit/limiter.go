package ratelimit

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clock is the time source of a [Limiter]. Tests substitute a fake one; nil
// in a [LimiterConfig] means the system clock.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the time once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// LimiterConfig configures a [Limiter]. The zero value learns OpenAI's
// limits from the replies' headers and starts each key with a single probe.
type LimiterConfig struct {
	// InitialRequestsPerMinute and InitialTokensPerMinute are the budgets
	// assumed for a key until a reply reports its limits; a budget left at
	// zero is not enforced meanwhile. When both are zero, a new key sends one
	// request at a time until the first reply: if it reports limits they are
	// enforced from then on; if a successful reply reports none, the key is
	// not throttled (until a later reply does report limits).
	InitialRequestsPerMinute int64
	InitialTokensPerMinute   int64

	// Parse reads a reply's rate-limit headers. Nil means
	// [ParseOpenAIHeaders]; use [ParseBrevoHeaders] for Brevo.
	Parse func(http.Header) Snapshot

	// FixedWindow declares that the server restores a whole budget at once
	// when its reset time elapses, rather than continuously. OpenAI refills
	// continuously; Brevo's x-sib-ratelimit-reset counts down to a restore.
	FixedWindow bool

	// Refunds declares that the server gives back reserved tokens a request
	// did not use once it completes, so that a [Settlement]'s Refund returns
	// them to the budget at once. Without it Refund does nothing and the
	// headers of later replies show the refund.
	Refunds bool

	// Headroom is the fraction of each limit left unspent, a margin for
	// other clients of the same budget and for replies that overtake one
	// another. Zero means 0.03; a negative value means none.
	Headroom float64

	// Store keeps the budgets. Nil means a new [MemoryStore].
	Store Store

	// Clock is the time source. Nil means the system clock.
	Clock Clock
}

// defaultHeadroom is LimiterConfig.Headroom's default.
const defaultHeadroom = 0.03

// After a 429 the Limiter foresaw no reason for, a key's caution (a margin
// added to the headroom) doubles, from minCaution up to maxCaution; each
// successful reply then shrinks it by cautionDecay, so it fades over a few
// thousand replies.
const (
	minCaution   = 0.02
	maxCaution   = 0.3
	cautionDecay = 0.999
)

// Limiter keeps, per key, a request budget and a token budget, and admits a
// request when every budget whose limit it knows can pay the request's
// [Cost]. It learns the limits, the remaining budget and the refill window
// from the replies' headers, corrects its estimate with every reply, and
// after a 429 pauses the key for the longest wait the reply advises. Use it
// through [Throttle]. A Limiter is safe for concurrent use; share one per
// set of budgets (per API key, normally).
//
// Its budgets are estimates of the server's, reconciled with every reply:
// the remaining count a reply reports, less what was admitted since (and in
// a short reorder window before, which the server may not have seen yet:
// 20 ms, or a hundredth of the refill window if longer), plus the refill
// since the server counted (judged from openai-processing-ms when the reply
// has it). The estimate errs low, and the Limiter keeps a
// margin (LimiterConfig.Headroom) for clients it cannot see; a 429 it did
// not foresee widens that margin for a while. A full budget is spent over a
// few tens of milliseconds rather than at once.
//
// Within a key, requests are admitted in arrival order: a request that must
// wait holds back every later request of the same key. Waiting honours the
// request's context.
type Limiter struct {
	cfg      LimiterConfig
	parse    func(http.Header) Snapshot
	store    Store
	clock    Clock
	headroom float64

	mu     sync.RWMutex
	queues map[string]*keyQueue
}

// NewLimiter returns a Limiter configured by cfg.
func NewLimiter(cfg LimiterConfig) *Limiter {
	l := &Limiter{cfg: cfg, parse: cfg.Parse, store: cfg.Store, clock: cfg.Clock, headroom: cfg.Headroom}
	if l.parse == nil {
		l.parse = ParseOpenAIHeaders
	}
	if l.store == nil {
		l.store = NewMemoryStore()
	}
	if l.clock == nil {
		l.clock = systemClock{}
	}
	switch {
	case l.headroom == 0:
		l.headroom = defaultHeadroom
	case l.headroom < 0 || math.IsNaN(l.headroom):
		l.headroom = 0
	case l.headroom > 0.5:
		l.headroom = 0.5
	}
	return l
}

// keyQueue holds the requests of one key that wait for budget, in order.
type keyQueue struct {
	mu      sync.Mutex
	waiters []*waiter
	kick    chan struct{} // tells the head that the budget may have grown
}

type waiter struct {
	turn chan struct{} // closed when the waiter reaches the head
	head bool
}

func (l *Limiter) queue(key string) *keyQueue {
	l.mu.RLock()
	q := l.queues[key]
	l.mu.RUnlock()
	if q != nil {
		return q
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if q = l.queues[key]; q == nil {
		if l.queues == nil {
			l.queues = make(map[string]*keyQueue)
		}
		q = &keyQueue{kick: make(chan struct{}, 1)}
		l.queues[key] = q
	}
	return q
}

// pop removes the head and hands the turn to the next waiter. q.mu is held.
func (q *keyQueue) pop() {
	q.waiters[0] = nil
	q.waiters = q.waiters[1:]
	if len(q.waiters) > 0 {
		n := q.waiters[0]
		n.head = true
		close(n.turn)
	}
}

// remove takes a waiter that is not the head out of the queue. q.mu is held.
func (q *keyQueue) remove(w *waiter) {
	for i, x := range q.waiters {
		if x == w {
			copy(q.waiters[i:], q.waiters[i+1:])
			q.waiters[len(q.waiters)-1] = nil
			q.waiters = q.waiters[:len(q.waiters)-1]
			return
		}
	}
}

func (q *keyQueue) signal() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// reservation is one admitted request.
type reservation struct {
	q       *keyQueue
	key     string
	seq     uint64
	at      time.Time // when it was admitted
	managed bool
	charge  [numBuckets]float64
	before  [numBuckets]float64 // each bucket's Charged a little before this charge (see bucket.charge)
}

func normalize(c Cost) Cost {
	if c.Requests <= 0 {
		c.Requests = 1
	}
	if c.Tokens < 0 {
		c.Tokens = 0
	}
	return c
}

// wait blocks until the request's cost is admitted or ctx is done.
func (l *Limiter) wait(ctx context.Context, c Cost) (reservation, error) {
	c = normalize(c)
	q := l.queue(c.Key)
	q.mu.Lock()
	if len(q.waiters) == 0 {
		if res, _, ok := l.tryAdmit(q, c); ok {
			q.mu.Unlock()
			return res, nil
		}
	}
	w := &waiter{turn: make(chan struct{})}
	q.waiters = append(q.waiters, w)
	if len(q.waiters) == 1 {
		w.head = true
		close(w.turn)
	}
	q.mu.Unlock()

	select {
	case <-w.turn:
	case <-ctx.Done():
		q.mu.Lock()
		if !w.head {
			q.remove(w)
			q.mu.Unlock()
			return reservation{}, waitError(ctx, c.Key)
		}
		q.mu.Unlock() // became the head meanwhile: leave through the loop
	}
	for {
		q.mu.Lock()
		if ctx.Err() != nil {
			q.pop()
			q.mu.Unlock()
			return reservation{}, waitError(ctx, c.Key)
		}
		res, d, ok := l.tryAdmit(q, c)
		if ok {
			q.pop()
			q.mu.Unlock()
			return res, nil
		}
		q.mu.Unlock()
		var timer <-chan time.Time
		if d >= 0 {
			timer = l.clock.After(d)
		}
		select {
		case <-timer:
		case <-q.kick:
		case <-ctx.Done():
		}
	}
}

func waitError(ctx context.Context, key string) error {
	return fmt.Errorf("ratelimit: waiting for the budget of %q: %w", key, context.Cause(ctx))
}

// tryAdmit charges c if every enforced budget can pay it now. Otherwise it
// returns how long until it may: negative means until a reply arrives.
func (l *Limiter) tryAdmit(q *keyQueue, c Cost) (reservation, time.Duration, bool) {
	now := l.clock.Now()
	k := l.store.Lock(c.Key)
	defer l.store.Unlock(c.Key)
	s := &k.s
	fixed := l.cfg.FixedWindow
	if s.Mode == modeNew {
		s.Mode = modeProbing
		for i, perMin := range [...]int64{bRequests: l.cfg.InitialRequestsPerMinute, bTokens: l.cfg.InitialTokensPerMinute} {
			if perMin > 0 {
				b := &s.Buckets[i]
				b.Known, b.Limit, b.Level, b.Window, b.At = true, float64(perMin), float64(perMin), defaultWindow, now
				if fixed {
					b.ResetAt = now.Add(defaultWindow)
				}
				s.Mode = modeAssumed
			}
		}
	}
	charge := [numBuckets]float64{float64(c.Requests), float64(c.Tokens), float64(c.Tokens)}
	managed := true
	switch s.Mode {
	case modeUnmanaged:
		managed = false
	case modeProbing:
		if s.InFlight > 0 {
			return reservation{}, -1, false
		}
		managed = false
	default:
		if now.Before(s.PausedUntil) {
			return reservation{}, s.PausedUntil.Sub(now), false
		}
		var wait time.Duration
		for i := range s.Buckets {
			b := &s.Buckets[i]
			if !b.Known {
				continue
			}
			b.refill(now, fixed)
			d := b.waitFor(b.need(charge[i], l.headroom+s.Caution), now, fixed)
			if d == 0 {
				d = b.paceWait(charge[i], now)
			}
			if d < 0 || d > wait && wait >= 0 {
				wait = d
			}
		}
		if wait != 0 {
			return reservation{}, wait, false
		}
	}
	s.Admitted++
	s.InFlight++
	res := reservation{q: q, key: c.Key, seq: s.Admitted, at: now, managed: managed}
	for i := range s.Buckets {
		b := &s.Buckets[i]
		res.before[i] = b.charge(charge[i], now)
		res.charge[i] = charge[i]
	}
	return res, 0, true
}

// failed records a request that got no reply: the server may have counted
// it, so its charge stays.
func (l *Limiter) failed(res *reservation) {
	k := l.store.Lock(res.key)
	if k.s.InFlight > 0 {
		k.s.InFlight--
	}
	l.store.Unlock(res.key)
	res.q.signal()
}

// observe applies a reply: it learns limits and corrects the budgets from
// the headers, and after a 429 returns the charge the server did not take
// and pauses the key. body is the reply's body (or its start) for a 429.
func (l *Limiter) observe(res *reservation, status int, h http.Header, body []byte) {
	snap := l.parse(h)
	now := l.clock.Now()
	fixed := l.cfg.FixedWindow
	k := l.store.Lock(res.key)
	s := &k.s
	if s.InFlight > 0 {
		s.InFlight--
	}
	fresh := res.seq >= s.Fresh
	counted := countedAt(res.at, h, now)
	budgets := [numBuckets]Budget{snap.Requests, snap.Tokens, snap.ProjectTokens}
	var rebased [numBuckets]bool
	if snap.Known() {
		learnt := false
		for i := range s.Buckets {
			b := &s.Buckets[i]
			rebased[i] = b.learn(budgets[i], fresh, b.Charged-res.before[i]-res.charge[i], counted, now, fixed)
			learnt = learnt || b.Known && budgets[i].LimitKnown
		}
		if learnt {
			s.Mode = modeLearned
		}
		if fresh {
			s.Fresh = res.seq
		}
	} else if s.Mode == modeProbing && status < 300 {
		s.Mode = modeUnmanaged
	}
	if status == http.StatusTooManyRequests {
		// A rejected request still counts against the request budget (the
		// service says so), but its tokens were not taken. Give them back
		// unless a reply has already rebased the budget: a rebase on this
		// reply or on a later one already leaves them out.
		if res.managed && fresh {
			for _, i := range [...]int{bTokens, bProjectTokens} {
				b := &s.Buckets[i]
				if b.Known && !rebased[i] {
					b.refill(now, fixed)
					b.Level = math.Min(b.Limit, b.Level+res.charge[i])
				}
			}
		}
		if d, limited := l.pauseFor(s, res, budgets, h, body, now); limited {
			// A 429 the estimate did not foresee: something else spends
			// this budget too. Keep a wider margin for a while.
			s.Caution = min(max(2*s.Caution, minCaution), maxCaution)
			if until := now.Add(d); until.After(s.PausedUntil) {
				s.PausedUntil = until
			}
		}
	} else if status < 300 && s.Caution > 0 {
		if s.Caution *= cautionDecay; s.Caution < minCaution/16 {
			s.Caution = 0
		}
	}
	l.store.Unlock(res.key)
	res.q.signal()
}

// countedAt estimates when the server counted the remaining budget a reply
// reports. A reply that says how long the server spent on the request
// (openai-processing-ms) was counted no later than that long before it
// arrived; the estimate takes that latest moment, so that a request held up
// on its way to the server is not credited with refill it did not see.
// Without the header, the moment the request was admitted is used.
func countedAt(sent time.Time, h http.Header, now time.Time) time.Time {
	v := h["Openai-Processing-Ms"]
	if len(v) == 0 {
		return sent
	}
	ms, err := strconv.ParseFloat(strings.TrimSpace(v[0]), 64)
	if err != nil || ms < 0 || ms != ms {
		return sent
	}
	if t := now.Add(-time.Duration(ms * float64(time.Millisecond))); t.After(sent) {
		return t
	}
	return sent
}

// pauseFor returns how long a 429 pauses its key: the longest of the
// server's advice (retry-after-ms or Retry-After), the "try again in"
// of the message, and the wait the headers imply for this request's cost.
// It reports false for quota errors and oversized requests, which do not
// pause: waiting cannot help.
func (l *Limiter) pauseFor(s *keyState, res *reservation, budgets [numBuckets]Budget, h http.Header, body []byte, now time.Time) (time.Duration, bool) {
	e, _ := ParseErrorBody(body)
	if IsQuotaCode(e.Type) || IsQuotaCode(e.Code) || requestTooLarge(e) {
		return 0, false
	}
	var d time.Duration
	if w, ok := ServerWait(h, now); ok {
		d = w
	}
	if w, ok := ParseTryAgain(e.Message); ok && w > d {
		d = w
	}
	for i, v := range budgets {
		switch {
		case e.Type == "requests" && i != bRequests, e.Type == "tokens" && i == bRequests:
			continue
		case !v.RemainingKnown || float64(v.Remaining) >= res.charge[i]:
			continue
		}
		b := &s.Buckets[i]
		var w time.Duration
		switch {
		case l.cfg.FixedWindow && v.ResetKnown:
			w = v.Reset
		case b.Known && b.rate() > 0:
			w = time.Duration((math.Min(res.charge[i], b.Limit) - float64(v.Remaining)) / b.rate() * float64(time.Second))
		case v.ResetKnown:
			w = v.Reset
		}
		if w > d {
			d = w
		}
	}
	return min(d, maxReset), true
}

// refund returns unused tokens of an admitted request to its budgets, when
// the server is known to do the same and no reply that could already include
// the refund has been applied.
func (l *Limiter) refund(res *reservation, tokens int64) {
	if !l.cfg.Refunds || tokens <= 0 || !res.managed {
		return
	}
	now := l.clock.Now()
	k := l.store.Lock(res.key)
	s := &k.s
	if s.Fresh <= res.seq {
		for _, i := range [...]int{bTokens, bProjectTokens} {
			b := &s.Buckets[i]
			if b.Known {
				b.refill(now, l.cfg.FixedWindow)
				b.Level = math.Min(b.Limit, b.Level+math.Min(float64(tokens), res.charge[i]))
			}
		}
	}
	l.store.Unlock(res.key)
	res.q.signal()
}

// KeyStatus is the state of one key, as [Limiter.Snapshot] reports it.
type KeyStatus struct {
	Key string
	// Learned reports that the limits come from a reply's headers rather
	// than from the configured initial budgets or a probe.
	Learned bool
	// Throttled is false for a key whose replies report no limits.
	Throttled     bool
	Requests      BucketStatus
	Tokens        BucketStatus
	ProjectTokens BucketStatus
	PausedUntil   time.Time // after a 429; zero or past when not paused
	InFlight      int64     // admitted requests that have no reply yet
	Waiting       int       // requests of this process waiting for budget
	Admitted      uint64    // requests admitted so far
}

// BucketStatus is one budget of a key.
type BucketStatus struct {
	Enforced  bool          // the limit is known and enforced
	Limit     int64         // capacity
	Window    time.Duration // time to refill from empty to full
	Available float64       // estimated budget left now; negative after an oversized request
}

// Snapshot returns the state of every key, sorted by key, for metrics and
// debugging. Each key is read atomically; different keys at slightly
// different times.
func (l *Limiter) Snapshot() []KeyStatus {
	keys := l.store.Keys(nil)
	out := make([]KeyStatus, 0, len(keys))
	for _, key := range keys {
		ks := KeyStatus{Key: key}
		l.mu.RLock()
		q := l.queues[key]
		l.mu.RUnlock()
		if q != nil {
			q.mu.Lock()
			ks.Waiting = len(q.waiters)
			q.mu.Unlock()
		}
		now := l.clock.Now()
		k := l.store.Lock(key)
		s := &k.s
		ks.Learned = s.Mode == modeLearned
		ks.Throttled = s.Mode != modeUnmanaged
		ks.PausedUntil, ks.InFlight, ks.Admitted = s.PausedUntil, s.InFlight, s.Admitted
		for i, dst := range [...]*BucketStatus{&ks.Requests, &ks.Tokens, &ks.ProjectTokens} {
			b := s.Buckets[i]
			if !b.Known {
				continue
			}
			b.refill(now, l.cfg.FixedWindow)
			*dst = BucketStatus{Enforced: true, Limit: int64(b.Limit), Window: b.Window, Available: b.Level}
		}
		l.store.Unlock(key)
		out = append(out, ks)
	}
	return out
}
