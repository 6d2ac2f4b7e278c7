package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/reachkit/reachkit/internal/sse"
	"github.com/reachkit/reachkit/ratelimit"
	"github.com/reachkit/reachkit/tokens"
)

// eventStream is the machinery shared by every stream: one response body,
// one SSE decoder, no goroutines. It is closed by Close or by reading to the
// end, whichever comes first.
type eventStream struct {
	ctx     context.Context
	cancel  context.CancelFunc
	timer   *time.Timer
	expired *atomic.Bool // the header timeout fired
	body    io.ReadCloser
	dec     *sse.Decoder
	meta    Meta
	err     error
	done    bool
	path    string

	// For the usage hook: reported once, when the stream ends.
	co    *core
	cl    *call
	start time.Time
	info  *ratelimit.RetryInfo
	usage usageFunc
}

// usageFunc adapts a stream's accumulated usage to usageReporter.
type usageFunc func() (tokens.Usage, bool)

func (f usageFunc) tokenUsage() (tokens.Usage, bool) {
	if f == nil {
		return tokens.Usage{}, false
	}
	return f()
}

// openStream sends cl and prepares to decode its event stream. Any failure
// is kept and reported by the first Next.
func (co *core) openStream(ctx context.Context, cl *call) *eventStream {
	s := &eventStream{path: cl.path, expired: new(atomic.Bool), co: co, cl: cl, start: time.Now()}
	cl.stream = true
	ctx, s.cancel = context.WithCancel(ctx)
	if co.usageHook != nil {
		ctx, s.info = ratelimit.WithRetryInfo(ctx)
	}
	s.ctx = ctx
	if co.timeout > 0 {
		expired := s.expired
		cancel := s.cancel
		s.timer = time.AfterFunc(co.timeout, func() {
			expired.Store(true)
			cancel()
		})
	}
	cl.accept = acceptEventStream
	resp, err := co.do(ctx, cl)
	if s.timer != nil && !s.timer.Stop() && s.expired.Load() {
		if resp != nil {
			resp.Body.Close()
		}
		err = fmt.Errorf("openai: %s %s: no response headers within %v: %w", cl.method, cl.path, co.timeout, context.DeadlineExceeded)
		resp = nil
	}
	if err != nil {
		s.fail(err)
		return s
	}
	s.meta = metaFrom(resp)
	s.body = resp.Body
	s.dec = sse.NewDecoder(resp.Body, sse.WithMaxEventSize(int(co.maxBody)))
	return s
}

var acceptEventStream = []string{"text/event-stream"}

// next returns the next event's type and data, or ok=false at the end or on
// an error (then s.err is set). A [DONE] event ends the stream.
func (s *eventStream) next() (typ string, data []byte, ok bool) {
	if s.done {
		return "", nil, false
	}
	if !s.dec.Next() {
		if err := s.dec.Err(); err != nil {
			s.fail(s.readError(err))
		} else {
			s.finish()
		}
		return "", nil, false
	}
	ev := s.dec.Event()
	if ev.IsDone() {
		s.finish()
		return "", nil, false
	}
	return ev.Type, ev.Data, true
}

// readError explains a failed read: a cancelled context is reported as
// itself, not as whatever the transport made of it.
func (s *eventStream) readError(err error) error {
	if ctxErr := context.Cause(s.ctx); ctxErr != nil && !errors.Is(err, ctxErr) {
		if s.expired.Load() {
			ctxErr = context.DeadlineExceeded
		}
		return fmt.Errorf("openai: reading %s stream: %w (%v)", s.path, ctxErr, err)
	}
	return fmt.Errorf("openai: reading %s stream (request id %s): %w", s.path, s.meta.RequestID, err)
}

// fail ends the stream with err.
func (s *eventStream) fail(err error) {
	if s.err == nil {
		s.err = err
	}
	s.finish()
}

// finish releases the body and the context.
func (s *eventStream) finish() {
	if s.done {
		return
	}
	s.done = true
	if s.body != nil {
		s.body.Close()
	}
	if s.co != nil && s.co.usageHook != nil {
		meta := s.meta
		if meta.Model == "" {
			meta.Model = s.cl.model
		}
		var apiErr *APIError
		if meta.StatusCode == 0 && errors.As(s.err, &apiErr) {
			meta.StatusCode = apiErr.StatusCode
		}
		s.co.report(s.ctx, s.cl, meta, s.usage, s.start, attempts(s.info), s.err)
	}
	if s.cancel != nil {
		s.cancel()
	}
}

// Close releases the stream. It is safe to call more than once and after
// the stream has ended.
func (s *eventStream) Close() error {
	s.finish()
	return nil
}

// Err returns the error that ended the stream, or nil if it ended normally
// or has not ended.
func (s *eventStream) Err() error { return s.err }

// Meta describes the HTTP response carrying the stream.
func (s *eventStream) Meta() Meta { return s.meta }

// streamError builds the error for an error event received mid-stream.
func (s *eventStream) streamError(body *errorBody) *APIError {
	e := &APIError{StatusCode: s.meta.StatusCode, RequestID: s.meta.RequestID, Header: s.meta.Header}
	if body != nil {
		e.Message, e.Type, e.Param, e.Code = string(body.Message), string(body.Type), string(body.Param), string(body.Code)
	}
	if e.Message == "" {
		e.Message = "the stream reported an error"
	}
	return e
}
