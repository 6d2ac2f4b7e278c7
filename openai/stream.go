package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/reachkit/reachkit/internal/sse"
	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
	"github.com/reachkit/reachkit/tokens"
)

// eventStream is the machinery shared by every stream: one response body,
// one SSE decoder, no goroutines. It is closed by Close or by reading to the
// end, whichever comes first.
type eventStream struct {
	ctx     context.Context
	parent  context.Context // the caller's
	cancel  context.CancelFunc
	expired *atomic.Bool // the header timeout fired
	idle    *time.Timer  // WithStreamIdleTimeout: re-armed by every read
	idled   *atomic.Bool // the idle timeout fired
	body    io.ReadCloser
	dec     *sse.Decoder
	meta    Meta
	err     error
	done    bool
	path    string
	events  int // events delivered, [DONE] excluded

	// complete reports whether what arrived is a whole stream, for a
	// stream that ends without [DONE]; nil means only [DONE] ends one.
	complete func() bool

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
	s.parent = ctx
	ctx, s.cancel = context.WithCancel(ctx)
	if co.usageHook != nil {
		ctx, s.info = ratelimit.WithRetryInfo(ctx)
	}
	s.ctx = ctx
	var timer *time.Timer
	if co.timeout > 0 {
		expired := s.expired
		cancel := s.cancel
		timer = time.AfterFunc(co.timeout, func() {
			expired.Store(true)
			cancel()
		})
	}
	isSSE := cl.accept == nil
	if isSSE {
		cl.accept = acceptEventStream
	}
	resp, err := co.do(ctx, cl)
	if timer != nil && !timer.Stop() && s.expired.Load() {
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
	if !isSSE {
		return s
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !isEventStream(ct) {
		s.fail(co.notEventStream(resp, cl, ct))
		return s
	}
	// WithMaxResponseSize bounds the bytes a stream may read, so that an
	// endless stream of deltas cannot grow what the stream accumulates
	// without end.
	body := &cappedReader{r: resp.Body, left: co.maxBody + 1}
	if co.idle > 0 {
		idled, cancel := new(atomic.Bool), s.cancel
		s.idled = idled
		s.idle = time.AfterFunc(co.idle, func() {
			idled.Store(true)
			cancel()
		})
		s.idle.Stop() // it runs only while a read waits for the server
		body.idle, body.after = s.idle, co.idle
	}
	s.dec = sse.NewDecoder(body, sse.WithMaxEventSize(int(co.maxBody)))
	return s
}

// ErrStreamIdle is wrapped, with context.DeadlineExceeded, by the error of a
// stream that received nothing for the WithStreamIdleTimeout duration.
var ErrStreamIdle = errors.New("the stream received nothing within the idle timeout")

// isEventStream reports a Content-Type of text/event-stream, parameters
// (charset) aside.
func isEventStream(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.EqualFold(strings.TrimSpace(ct), "text/event-stream")
}

// notEventStream explains a 2xx reply to a stream request whose body is
// something else: an error envelope becomes an *APIError, anything else (a
// gateway's JSON that ignored "stream": true, a captive portal's page) a
// *DecodeError naming the content type. It reads at most 64 KiB and closes
// the body.
func (co *core) notEventStream(resp *http.Response, cl *call, ct string) error {
	body, buf, err := transport.ReadErrorBody(resp, 64<<10, co.scrub)
	defer transport.PutBuffer(buf)
	if e, ok := envelopeError(resp, body); err == nil && ok {
		return fmt.Errorf("openai: %s %s stream: %w", cl.method, cl.path, e)
	}
	if err == nil || errors.Is(err, transport.ErrBodyTooLarge) {
		err = fmt.Errorf("expected text/event-stream, got %s", ct)
	}
	return fmt.Errorf("openai: %s %s stream: %w", cl.method, cl.path, transport.NewDecodeError(resp, requestIDHeader, body, err))
}

// cappedReader fails with ErrBodyTooLarge once more than left-1 bytes were
// read, and runs the idle timer, if any, while a read waits.
type cappedReader struct {
	r     io.Reader
	left  int64
	idle  *time.Timer
	after time.Duration
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, transport.ErrBodyTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	if c.idle != nil {
		// The idle clock runs only while the read waits: a caller that
		// takes its time between events does not make the stream idle.
		c.idle.Reset(c.after)
	}
	n, err := c.r.Read(p)
	if c.idle != nil {
		c.idle.Stop()
	}
	c.left -= int64(n)
	if c.left <= 0 && err == nil {
		err = transport.ErrBodyTooLarge
	}
	return n, err
}

var acceptEventStream = []string{"text/event-stream"}

// next returns the next event's type and data, or ok=false at the end or on
// an error (then s.err is set). A [DONE] event ends the stream.
func (s *eventStream) next() (typ string, data []byte, ok bool) {
	if s.done {
		return "", nil, false
	}
	if !s.dec.Next() {
		switch err := s.dec.Err(); {
		case err != nil:
			s.fail(s.readError(err))
		case s.events == 0:
			s.fail(s.decodeError(transport.ErrEmptyBody, nil))
		case s.complete == nil || !s.complete():
			s.fail(s.decodeError(ErrStreamTruncated, nil))
		default:
			s.finish()
		}
		return "", nil, false
	}
	ev := s.dec.Event()
	if ev.IsDone() {
		s.finish()
		return "", nil, false
	}
	s.events++
	return ev.Type, ev.Data, true
}

// ErrStreamTruncated is wrapped by the *DecodeError of a stream whose body
// ended before the stream did: without [DONE] (chat, with a choice left
// unfinished), without a final response event (Responses), or with a read
// error (a reset connection, a body shorter than its Content-Length), which
// stays in the chain too. What arrived stays readable from the stream
// (Completion, OutputText, ...).
var ErrStreamTruncated = errors.New("the stream ended before its last event")

// decodeError builds the *DecodeError of a stream whose body is not what it
// claims, quoting data (an event) when there is one.
func (s *eventStream) decodeError(err error, data []byte) error {
	de := &DecodeError{StatusCode: s.meta.StatusCode, RequestID: s.meta.RequestID, Err: err}
	if s.meta.Header != nil {
		de.ContentType = s.meta.Header.Get("Content-Type")
	}
	if data != nil {
		de.Snippet = transport.Snippet(s.scrubber().Bytes(data), 160)
	}
	return fmt.Errorf("openai: reading %s stream: %w", s.path, de)
}

// scrubber is the client's, or nil for a stream that failed before it was
// sent.
func (s *eventStream) scrubber() *transport.Scrubber {
	if s.co == nil {
		return nil
	}
	return s.co.scrub
}

// readError explains a failed read: a cancelled context is reported as
// itself, not as whatever the transport made of it; a stream or an event
// over the size cap is a *DecodeError wrapping ErrBodyTooLarge.
func (s *eventStream) readError(err error) error {
	if s.idled != nil && s.idled.Load() && context.Cause(s.parent) == nil {
		return fmt.Errorf("openai: reading %s stream: %w: nothing for %v: %w", s.path, ErrStreamIdle, s.co.idle, context.DeadlineExceeded)
	}
	if ctxErr := context.Cause(s.ctx); ctxErr != nil {
		if s.expired.Load() {
			ctxErr = context.DeadlineExceeded
		}
		if errors.Is(err, ctxErr) {
			return fmt.Errorf("openai: reading %s stream: %w", s.path, err)
		}
		return fmt.Errorf("openai: reading %s stream: %w (%w)", s.path, ctxErr, err)
	}
	var big *sse.EventTooLargeError
	switch {
	case errors.As(err, &big):
		return s.decodeError(fmt.Errorf("%w: an event over %d bytes", transport.ErrBodyTooLarge, big.Limit), nil)
	case errors.Is(err, transport.ErrBodyTooLarge):
		return s.decodeError(fmt.Errorf("%w: a stream over %d bytes (WithMaxResponseSize)", transport.ErrBodyTooLarge, s.cappedAt()), nil)
	}
	// The connection failed mid-stream (a reset, a body shorter than its
	// Content-Length): the stream is cut, and the cause stays in the chain.
	return s.decodeError(fmt.Errorf("%w: %w", ErrStreamTruncated, err), nil)
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
	if s.idle != nil {
		s.idle.Stop()
	}
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
		e.Message = s.scrubber().String(e.Message)
	}
	if e.Message == "" {
		e.Message = "the stream reported an error"
	}
	return e
}

// cappedAt is the stream size cap, for error messages.
func (s *eventStream) cappedAt() int64 {
	if s.co == nil {
		return 0
	}
	return s.co.maxBody
}
