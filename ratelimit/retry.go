package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// RetryPolicy configures [Retry]. The zero value is [DefaultRetryPolicy].
type RetryPolicy struct {
	// MaxRetries is how many times a request is sent again after its first
	// attempt. Zero means the default, 2; a negative value disables retries.
	MaxRetries int
	// InitialInterval and MaxInterval shape the default schedule: before
	// retry n (from 0) Retry sleeps a uniformly random time in
	// [0, min(MaxInterval, InitialInterval·2ⁿ)] ("full jitter"). Zero means
	// the defaults, 0.5 s and 8 s. They are ignored when NewBackOff is set.
	InitialInterval time.Duration
	MaxInterval     time.Duration
	// MaxServerWait is the longest wait a server may advise (retry-after-ms,
	// Retry-After) that Retry will honour. When a reply advises a longer wait,
	// Retry does not retry early: it returns the reply and its caller decides.
	// Zero means the default, 60 s.
	MaxServerWait time.Duration
	// NewBackOff, when set, returns the schedule for one logical request; it
	// is called once per request that needs a retry. A schedule that returns
	// backoff.Stop ends the retries. Server advice replaces the schedule's
	// value for that retry, but the schedule is still advanced.
	NewBackOff func() backoff.BackOff
}

// DefaultRetryPolicy returns the policy of the official OpenAI SDKs: two
// retries, full-jitter exponential backoff from 0.5 s capped at 8 s, and
// server-advised waits honoured up to 60 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 2, InitialInterval: 500 * time.Millisecond, MaxInterval: 8 * time.Second, MaxServerWait: time.Minute}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxRetries == 0 {
		p.MaxRetries = d.MaxRetries
	}
	if p.InitialInterval <= 0 {
		p.InitialInterval = d.InitialInterval
	}
	if p.MaxInterval <= 0 {
		p.MaxInterval = d.MaxInterval
	}
	if p.MaxInterval < p.InitialInterval {
		p.MaxInterval = p.InitialInterval
	}
	if p.MaxServerWait <= 0 {
		p.MaxServerWait = d.MaxServerWait
	}
	return p
}

func (p *RetryPolicy) newBackOff() backoff.BackOff {
	if p.NewBackOff != nil {
		if b := p.NewBackOff(); b != nil {
			return b
		}
	}
	return &fullJitter{initial: p.InitialInterval, max: p.MaxInterval}
}

// fullJitter is exponential backoff with full jitter: a uniform draw in
// [0, min(max, initial·2ⁿ)].
type fullJitter struct {
	initial, max time.Duration
	n            int
}

func (b *fullJitter) NextBackOff() time.Duration {
	ceil := b.initial
	for i := 0; i < b.n && ceil < b.max; i++ {
		ceil *= 2
	}
	if ceil > b.max {
		ceil = b.max
	}
	b.n++
	return rand.N(ceil + 1)
}

func (b *fullJitter) Reset() { b.n = 0 }

// Reasons why [Retry] returned a retryable outcome without retrying it; see
// [RetryInfo.Err] and [RetryError].
var (
	// ErrRetriesExhausted: the policy's retries or its schedule ran out.
	ErrRetriesExhausted = errors.New("ratelimit: retries exhausted")
	// ErrBodyNotReplayable: the request has a body but no GetBody, so it
	// cannot be sent again. http.NewRequest sets GetBody for *bytes.Buffer,
	// *bytes.Reader and *strings.Reader bodies.
	ErrBodyNotReplayable = errors.New("ratelimit: request body cannot be replayed (no GetBody)")
	// ErrWaitTooLong: the server advised a wait above MaxServerWait.
	ErrWaitTooLong = errors.New("ratelimit: server advised a wait longer than MaxServerWait")
	// ErrDeadlineTooSoon: the context's deadline falls before the next
	// attempt could be sent.
	ErrDeadlineTooSoon = errors.New("ratelimit: context deadline falls before the next attempt")
)

// errNotReplayable marks a GetBody failure; such an error is not retried.
var errNotReplayable = errors.New("ratelimit: replaying the request body failed")

// RetryError is the error [Retry] returns when its last attempt produced no
// reply. It unwraps to both Err and Stop, so errors.Is(err,
// context.Canceled) and errors.As(err, &netErr) see through it.
type RetryError struct {
	Attempts   int   // attempts sent, including the first
	StatusCode int   // status of the last reply when Err is nil, else 0
	Err        error // the last attempt's transport error, or nil
	Stop       error // why retrying stopped early (a context error, ErrBodyNotReplayable, ...), or nil
}

// Error describes the attempts and the cause.
func (e *RetryError) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "ratelimit: gave up after %d attempt", e.Attempts)
	if e.Attempts != 1 {
		b.WriteByte('s')
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (last reply: HTTP %d)", e.StatusCode)
	}
	switch {
	case e.Err != nil && e.Stop != nil:
		fmt.Fprintf(&b, ": %v: %v", e.Stop, e.Err)
	case e.Err != nil:
		fmt.Fprintf(&b, ": %v", e.Err)
	case e.Stop != nil:
		fmt.Fprintf(&b, ": %v", e.Stop)
	}
	return b.String()
}

// Unwrap returns the non-nil members of Err and Stop.
func (e *RetryError) Unwrap() []error {
	switch {
	case e.Err != nil && e.Stop != nil:
		return []error{e.Stop, e.Err}
	case e.Err != nil:
		return []error{e.Err}
	case e.Stop != nil:
		return []error{e.Stop}
	}
	return nil
}

// RetryInfo observes the attempts [Retry] makes for one logical request.
// Create it with [WithRetryInfo] and read it after the request returns (or
// while it runs, from another goroutine: its methods are safe for
// concurrent use). A context without one costs Retry nothing.
type RetryInfo struct {
	attempts atomic.Int32
	mu       sync.Mutex
	err      error
}

type retryInfoKey struct{}

// WithRetryInfo returns a copy of ctx that carries a new RetryInfo, and that
// RetryInfo. Every request sent with the returned context (or one derived
// from it) through [Retry] adds its attempts to it.
func WithRetryInfo(ctx context.Context) (context.Context, *RetryInfo) {
	info := new(RetryInfo)
	return context.WithValue(ctx, retryInfoKey{}, info), info
}

// RetryInfoFrom returns the RetryInfo carried by ctx, or nil.
func RetryInfoFrom(ctx context.Context) *RetryInfo {
	info, _ := ctx.Value(retryInfoKey{}).(*RetryInfo)
	return info
}

// Attempts returns the number of attempts Retry has made so far, the first
// included: 1 for a request that succeeded at once, 0 before the request is
// sent. An attempt counts when Retry hands it to the next transport, even if
// that transport fails it before it reaches the network.
func (i *RetryInfo) Attempts() int { return int(i.attempts.Load()) }

// Err reports why Retry stopped while the last outcome was still retryable:
// [ErrRetriesExhausted], [ErrBodyNotReplayable], [ErrWaitTooLong],
// [ErrDeadlineTooSoon] or the context's error. It is nil when the last
// outcome was a success or was not retryable.
func (i *RetryInfo) Err() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.err
}

func (i *RetryInfo) setErr(err error) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.err = err
	i.mu.Unlock()
}

// Retry returns middleware that sends a request again when its outcome is
// transient, as decided by [Classify] for replies and [IsRetryableError] for
// transport errors: connection failures, 408, 409, 429 and 5xx, but never a
// quota or billing 429, a "Request too large" 429, or 400/401/403/404/422.
//
// Before each retry it waits: the server's advice when the reply has any
// ("x-should-retry" decides whether, then "retry-after-ms", then
// "Retry-After" as seconds or an HTTP date), otherwise the policy's schedule.
// Advice above MaxServerWait ends the retries: the reply is returned rather
// than retried early. Waiting honours the request's context: when it is
// cancelled Retry returns a [*RetryError] that wraps the context's error, and
// when its deadline falls before the next attempt Retry returns the last
// outcome at once.
//
// A retry replays the body through the request's GetBody; a request with a
// body and no GetBody is sent once. Each retry is a clone of the request, so
// the request passed in is never modified. Replies that are discarded are
// drained (at most 64 KiB) and closed so their connections are reused.
//
// Retry sends no attempt-count header: servers do not act on one, and adding
// it would mean copying every request's headers. Callers who need the count
// read it from a [RetryInfo].
//
// The last outcome is returned as is: a reply (with a nil error) or a
// transport error wrapped in a [*RetryError] that records the attempts.
func Retry(p RetryPolicy) func(http.RoundTripper) http.RoundTripper {
	p = p.withDefaults()
	return func(next http.RoundTripper) http.RoundTripper {
		if next == nil {
			next = http.DefaultTransport
		}
		return &retrier{policy: p, next: next}
	}
}

type retrier struct {
	policy RetryPolicy
	next   http.RoundTripper
}

// maxPeek bounds how much of an error reply Retry and Throttle read to
// classify it; maxDrain bounds how much of a discarded reply is drained.
const (
	maxPeek  = 64 << 10
	maxDrain = 64 << 10
)

func (t *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	info := RetryInfoFrom(ctx)
	var bo backoff.BackOff
	r := req
	for attempt := 1; ; attempt++ {
		if info != nil {
			info.attempts.Add(1)
		}
		resp, err := t.next.RoundTrip(r)
		var advice time.Duration
		var advised bool
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				info.setErr(ctxErr)
				return nil, &RetryError{Attempts: attempt, Err: err, Stop: ctxErr}
			}
			if !IsRetryableError(err) {
				return nil, &RetryError{Attempts: attempt, Err: err}
			}
		} else {
			if resp.StatusCode < 400 {
				if info != nil && attempt > 1 {
					info.setErr(nil)
				}
				return resp, nil
			}
			var body []byte
			if resp.StatusCode == http.StatusTooManyRequests {
				body = peekBody(resp, maxPeek)
			}
			if v := Classify(resp.StatusCode, resp.Header, body); !v.Retry {
				info.setErr(nil)
				return resp, nil
			}
			advice, advised = ServerWait(resp.Header, time.Now())
		}
		stop := func(reason error) (*http.Response, error) {
			info.setErr(reason)
			if err != nil {
				return nil, &RetryError{Attempts: attempt, Err: err, Stop: reason}
			}
			return resp, nil
		}
		if attempt > t.policy.MaxRetries {
			return stop(ErrRetriesExhausted)
		}
		if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
			return stop(ErrBodyNotReplayable)
		}
		if advised && advice > t.policy.MaxServerWait {
			return stop(ErrWaitTooLong)
		}
		if bo == nil {
			bo = t.policy.newBackOff()
		}
		wait := bo.NextBackOff()
		if wait == backoff.Stop {
			return stop(ErrRetriesExhausted)
		}
		if advised {
			wait = advice
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
			return stop(ErrDeadlineTooSoon)
		}
		var status int
		if resp != nil {
			status = resp.StatusCode
			discard(resp)
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				info.setErr(ctx.Err())
				return nil, &RetryError{Attempts: attempt, StatusCode: status, Err: err, Stop: ctx.Err()}
			case <-timer.C:
			}
		}
		next := req.Clone(ctx)
		if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
			body, gerr := req.GetBody()
			if gerr != nil {
				info.setErr(gerr)
				return nil, &RetryError{Attempts: attempt, StatusCode: status, Err: err, Stop: fmt.Errorf("%w: %w", errNotReplayable, gerr)}
			}
			next.Body = body
		}
		r = next
	}
}

// peekBody reads up to limit bytes of resp.Body and puts them back, so that
// whoever reads the body next sees all of it. A read error is kept and
// returned to that reader after the bytes that were read.
func peekBody(resp *http.Response, limit int64) []byte {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	if p, ok := resp.Body.(*peekedBody); ok {
		return p.peek
	}
	buf, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	resp.Body = &peekedBody{peek: buf, r: io.MultiReader(bytes.NewReader(buf), errorAfter(resp.Body, err)), c: resp.Body}
	return buf
}

type peekedBody struct {
	peek []byte
	r    io.Reader
	c    io.Closer
}

func (p *peekedBody) Read(b []byte) (int, error) { return p.r.Read(b) }
func (p *peekedBody) Close() error               { return p.c.Close() }

// errorAfter returns r, or a reader that fails with err when reading r had
// already failed.
func errorAfter(r io.Reader, err error) io.Reader {
	if err != nil {
		return errReader{err}
	}
	return r
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// discard drains (bounded) and closes a reply that will not be returned, so
// that its connection can be reused.
func discard(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	_ = resp.Body.Close()
}
