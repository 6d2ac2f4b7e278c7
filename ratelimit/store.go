package ratelimit

import (
	"encoding/json"
	"math"
	"sort"
	"sync"
	"time"
)

// Store keeps the budget state of every key a [Limiter] has seen. The
// Limiter locks a key, reads and updates its state in place, and unlocks it;
// it never keeps the pointer after Unlock. The in-memory [MemoryStore] serves
// one process; a shared implementation (a database row or a Redis key per
// budget, with a lock or a compare-and-swap in Unlock) lets many replicas
// spend one budget. Waiting and its FIFO order stay local to each Limiter.
//
// A Store must be safe for concurrent use.
type Store interface {
	// Lock returns the state of key, a zero KeyState for a key never seen,
	// and holds key exclusively until Unlock(key) is called.
	Lock(key string) *KeyState
	// Unlock saves the state Lock returned for key and releases key.
	Unlock(key string)
	// Keys appends the keys the store holds to dst and returns the result.
	Keys(dst []string) []string
}

// KeyState is the budget state of one key: its request and token buckets,
// the pause a 429 imposed, and the bookkeeping that reconciles the Limiter's
// estimate with the server's headers. Its contents are private to the
// Limiter; a Store keeps it opaquely, and may serialize it with
// MarshalJSON and UnmarshalJSON. The zero value is the state of a new key.
type KeyState struct {
	s keyState
}

// MarshalJSON encodes the state for a Store that keeps it outside memory.
func (k *KeyState) MarshalJSON() ([]byte, error) { return json.Marshal(&k.s) }

// UnmarshalJSON decodes a state encoded by MarshalJSON.
func (k *KeyState) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &k.s) }

// keyMode is how a key is governed.
type keyMode uint8

const (
	modeNew       keyMode = iota // never used
	modeProbing                  // one request at a time until a reply reports limits
	modeAssumed                  // the configured initial budgets, no reply has reported limits yet
	modeLearned                  // limits come from replies
	modeUnmanaged                // replies report no limits: not throttled
)

type keyState struct {
	Mode        keyMode
	Buckets     [numBuckets]bucket
	PausedUntil time.Time
	Caution     float64 // headroom added after unforeseen 429s
	InFlight    int64
	Admitted    uint64 // admissions so far; a reservation's sequence number
	Fresh       uint64 // sequence number of the freshest reply applied
}

// Bucket indexes.
const (
	bRequests = iota
	bTokens
	bProjectTokens
	numBuckets
)

// bucket is one budget: a capacity that refills continuously at
// Limit/Window (or, with fixed windows, all at once at ResetAt).
type bucket struct {
	Known   bool          // enforced
	Limit   float64       // capacity
	Window  time.Duration // time to refill from empty to full
	Level   float64       // available at At; negative after an oversized charge
	At      time.Time     // when Level was computed
	ResetAt time.Time     // fixed windows: when the budget is restored
	Charged float64       // all charges so far, for reconciling with replies
	CurAt   time.Time     // two checkpoints of Charged, a reorder window apart
	Cur     float64
	Prev    float64
	LastAt  time.Time // the latest charge
	SlotAt  time.Time // the current pacing slot began then,
	Slot    float64   // when Charged was this
	WinNum  float64   // window estimator: smoothed reset·limit (seconds)
	WinDen  float64   // and smoothed limit−remaining
}

// defaultWindow is assumed until replies reveal the real one.
const defaultWindow = time.Minute

// resetRounding is half the resolution of reset headers.
const resetRounding = 500 * time.Microsecond

// windowAlpha is the weight of a new sample in the window estimate.
const windowAlpha = 0.1

func (b *bucket) rate() float64 {
	if b.Window <= 0 {
		return b.Limit / defaultWindow.Seconds()
	}
	return b.Limit / b.Window.Seconds()
}

// refill brings Level up to date at now.
func (b *bucket) refill(now time.Time, fixed bool) {
	if fixed {
		if !b.ResetAt.IsZero() && !now.Before(b.ResetAt) {
			b.Level = b.Limit
			if b.Window > 0 {
				n := now.Sub(b.ResetAt)/b.Window + 1
				b.ResetAt = b.ResetAt.Add(n * b.Window)
			} else {
				b.ResetAt = time.Time{}
			}
		}
		b.At = now
		return
	}
	if dt := now.Sub(b.At); dt > 0 && !b.At.IsZero() {
		b.Level = math.Min(b.Limit, b.Level+b.rate()*dt.Seconds())
	}
	b.At = now
}

// minReorder is the shortest reorder window: how far apart two requests
// must be sent for the server to be assumed to have seen them in that order.
// Requests sent closer together (a burst of admissions, or a request held up
// on its way) may overtake one another. The window grows with the budget's
// refill window (a hundredth of it), since waits and jitter on the way to a
// real service are longer than on a test's loopback.
const minReorder = 20 * time.Millisecond

func (b *bucket) reorderWindow() time.Duration {
	return max(minReorder, b.Window/100)
}

// charge takes c from the bucket and returns what had been charged before a
// moment at least a reorder window earlier. A reply to this request is then
// reconciled as if every later charge, and every charge in the reorder
// window before it, were unknown to the server: the cost of being wrong is a
// little unused budget rather than a 429.
func (b *bucket) charge(c float64, now time.Time) float64 {
	win := b.reorderWindow()
	if now.Sub(b.CurAt) >= win {
		b.Prev = b.Cur
		b.CurAt, b.Cur = now, b.Charged
	}
	before := b.Prev
	if now.Sub(b.LastAt) >= win {
		before = b.Charged // every earlier charge is old enough
	}
	if now.Sub(b.SlotAt) >= paceSlot {
		b.SlotAt, b.Slot = now, b.Charged
	}
	b.Charged += c
	b.LastAt = now
	if b.Known {
		b.Level -= c
	}
	return before
}

// A bucket is charged at most burstFraction of its limit per paceSlot (or
// one request, if larger). A full bucket is then spent over a few tens of
// milliseconds rather than at once, so that the requests whose order the
// server may not keep stay few, and reconciling replies with the
// conservative rule of charge costs little.
const (
	paceSlot      = 5 * time.Millisecond
	burstFraction = 0.05
)

// paceWait returns how long a charge of c must wait for the next pacing
// slot, or 0 if it fits in the current one.
func (b *bucket) paceWait(c float64, now time.Time) time.Duration {
	inSlot := b.Charged - b.Slot
	if inSlot <= 0 || inSlot+c <= burstFraction*b.Limit {
		return 0
	}
	if d := b.SlotAt.Add(paceSlot).Sub(now); d > 0 {
		return d
	}
	return 0
}

// need is what Level must reach before a charge of c is admitted: the
// charge plus the headroom, and never more than the whole capacity, so an
// oversized request waits for a full bucket rather than forever.
func (b *bucket) need(c, headroom float64) float64 {
	return math.Min(c+headroom*b.Limit, b.Limit)
}

// waitFor returns how long until Level reaches need; negative means only an
// event (a reply, a refund) can help.
func (b *bucket) waitFor(need float64, now time.Time, fixed bool) time.Duration {
	if b.Level >= need {
		return 0
	}
	if fixed {
		if b.ResetAt.IsZero() {
			return -1
		}
		return b.ResetAt.Sub(now)
	}
	r := b.rate()
	if r <= 0 {
		return -1
	}
	d := time.Duration((need - b.Level) / r * float64(time.Second))
	if d < time.Microsecond {
		d = time.Microsecond
	}
	return d
}

// learn applies one reply's view of this budget. fresh reports that no reply
// to a later admission has been applied yet; chargedSince is what the
// Limiter charged after the admission of the request that got this reply,
// which the server could not have counted; counted is when the server is
// taken to have counted the remaining budget (see countedAt). It reports
// whether Level was rebased on the reply's remaining count.
func (b *bucket) learn(v Budget, fresh bool, chargedSince float64, counted, now time.Time, fixed bool) bool {
	if !v.LimitKnown || v.Limit <= 0 {
		return false
	}
	limit := float64(v.Limit)
	wasKnown := b.Known
	if !wasKnown {
		b.Known, b.Level, b.At = true, limit, now
	}
	b.Limit = limit
	if v.ResetKnown {
		if fixed {
			if v.Reset > b.Window {
				b.Window = v.Reset
			}
			if fresh {
				b.ResetAt = now.Add(v.Reset)
			}
		} else if v.RemainingKnown && v.Remaining < v.Limit && v.Reset > 0 {
			// Resets are reported to the millisecond: assume the longer end
			// of the rounding, which matters for the first, small samples.
			num := (v.Reset + resetRounding).Seconds() * limit
			den := limit - float64(v.Remaining)
			if b.WinDen == 0 {
				b.WinNum, b.WinDen = num, den
			} else {
				b.WinNum += windowAlpha * (num - b.WinNum)
				b.WinDen += windowAlpha * (den - b.WinDen)
			}
			w := time.Duration(b.WinNum / b.WinDen * float64(time.Second))
			b.Window = min(max(w, time.Millisecond), maxReset)
		}
	}
	if b.Window <= 0 && !fixed {
		b.Window = defaultWindow
	}
	b.refill(now, fixed)
	if v.RemainingKnown && (fresh || !wasKnown) {
		b.Level = float64(v.Remaining) - chargedSince
		if !fixed && now.After(counted) {
			b.Level += b.rate() * now.Sub(counted).Seconds()
		}
		b.Level = math.Min(limit, b.Level)
		return true
	}
	b.Level = math.Min(b.Level, limit)
	return false
}

// MemoryStore is a [Store] that keeps state in memory, for one process.
// The zero value is ready to use.
type MemoryStore struct {
	mu   sync.RWMutex
	keys map[string]*memEntry
}

type memEntry struct {
	mu sync.Mutex
	st KeyState
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

func (m *MemoryStore) entry(key string) *memEntry {
	m.mu.RLock()
	e := m.keys[key]
	m.mu.RUnlock()
	if e != nil {
		return e
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e = m.keys[key]; e == nil {
		if m.keys == nil {
			m.keys = make(map[string]*memEntry)
		}
		e = new(memEntry)
		m.keys[key] = e
	}
	return e
}

// Lock implements [Store].
func (m *MemoryStore) Lock(key string) *KeyState {
	e := m.entry(key)
	e.mu.Lock()
	return &e.st
}

// Unlock implements [Store].
func (m *MemoryStore) Unlock(key string) {
	m.mu.RLock()
	e := m.keys[key]
	m.mu.RUnlock()
	e.mu.Unlock()
}

// Keys implements [Store]; the keys are sorted.
func (m *MemoryStore) Keys(dst []string) []string {
	m.mu.RLock()
	n := len(dst)
	for k := range m.keys {
		dst = append(dst, k)
	}
	m.mu.RUnlock()
	sort.Strings(dst[n:])
	return dst
}
