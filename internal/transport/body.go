package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// DefaultMaxBodySize is the default cap on a response body read into memory.
const DefaultMaxBodySize = 32 << 20

// ErrBodyTooLarge is returned, wrapped in a *DecodeError, when a response body
// exceeds the configured size cap. Reading stops at the cap.
var ErrBodyTooLarge = errors.New("response body exceeds the size limit")

// ErrEmptyBody is returned, wrapped in a *DecodeError, when a response that
// should carry JSON has no body at all.
var ErrEmptyBody = errors.New("response body is empty")

// EncodeJSON marshals v without HTML escaping (marketing copy is full of
// '<' and '&') and merges extra into the top-level object, extra keys winning
// over v's fields. The result is a complete body that can be sent any number
// of times.
func EncodeJSON(v any, extra map[string]any) ([]byte, error) {
	e := encPool.Get().(*pooledEncoder)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err // not put back: an Encoder keeps a write error
	}
	b := bytes.Clone(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
	if e.buf.Cap() <= maxPooledEncode {
		encPool.Put(e)
	}
	if len(extra) == 0 {
		return b, nil
	}
	return mergeExtra(b, extra)
}

// pooledEncoder is an Encoder writing into its own buffer, kept between
// calls so that encoding a request costs one allocation: the body it
// returns, sized exactly.
type pooledEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encPool = sync.Pool{New: func() any {
	e := new(pooledEncoder)
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// maxPooledEncode bounds the buffers kept: a request with a large inline
// image must not pin its size.
const maxPooledEncode = 256 << 10

// mergeExtra is only paid for when a caller uses Extra: the common path above
// encodes once.
func mergeExtra(body []byte, extra map[string]any) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("merging Extra: request body is not a JSON object: %w", err)
	}
	keys := make([]string, 0, len(obj)+len(extra))
	for k := range obj {
		if _, over := extra[k]; !over {
			keys = append(keys, k)
		}
	}
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		if v, ok := extra[k]; ok {
			vb, err := EncodeJSON(v, nil)
			if err != nil {
				return nil, fmt.Errorf("merging Extra[%q]: %w", k, err)
			}
			buf.Write(vb)
		} else {
			buf.Write(obj[k])
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// bufPool recycles read buffers between calls, so a steady stream of calls
// reads its bodies without allocating. Buffers up to maxPooled (large
// embedding replies) are kept; the pool drops what it holds at garbage
// collection, so an idle client pins nothing.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooled = 64 << 20

// GetBuffer returns an empty buffer from the pool.
func GetBuffer() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// PutBuffer returns b to the pool; b must not be used afterwards.
func PutBuffer(b *bytes.Buffer) {
	if b != nil && b.Cap() <= maxPooled {
		bufPool.Put(b)
	}
}

// ReadBody reads resp.Body into a pooled buffer, at most limit bytes
// (DefaultMaxBodySize when limit <= 0). Past the limit it stops reading and
// returns ErrBodyTooLarge. The caller must PutBuffer the result.
func ReadBody(resp *http.Response, limit int64) (*bytes.Buffer, error) {
	if limit <= 0 {
		limit = DefaultMaxBodySize
	}
	buf := GetBuffer()
	if resp.Body == nil {
		return buf, nil
	}
	if resp.ContentLength > limit {
		return buf, ErrBodyTooLarge
	}
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return buf, err
	}
	if n > limit {
		return buf, ErrBodyTooLarge
	}
	return buf, nil
}

// DecodeError reports a response body that could not be used: too large,
// empty, cut short, or not the JSON it should be. It keeps what a person
// needs to chase the problem: the status, the request id, the content type
// and the first bytes of the body.
type DecodeError struct {
	StatusCode  int    // HTTP status of the response
	RequestID   string // the server's request id, if it sent one
	ContentType string // the Content-Type the server declared
	Snippet     string // the first bytes of the body, printable characters only
	Err         error  // the cause: ErrBodyTooLarge, ErrEmptyBody, a read or a JSON error
}

// Error describes the failure.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("cannot decode response body (HTTP ")
	fmt.Fprintf(&b, "%d", e.StatusCode)
	if e.ContentType != "" {
		b.WriteString(", ")
		b.WriteString(e.ContentType)
	}
	if e.RequestID != "" {
		b.WriteString(", request id ")
		b.WriteString(e.RequestID)
	}
	b.WriteString("): ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Snippet != "" {
		fmt.Fprintf(&b, "; body starts %q", e.Snippet)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// NewDecodeError builds a DecodeError for resp, with a snippet of body.
func NewDecodeError(resp *http.Response, requestIDHeader string, body []byte, err error) *DecodeError {
	e := &DecodeError{StatusCode: resp.StatusCode, Err: err, Snippet: Snippet(body, 160)}
	if resp.Header != nil {
		e.ContentType = resp.Header.Get("Content-Type")
		e.RequestID = resp.Header.Get(requestIDHeader)
	}
	return e
}

// Snippet returns at most max bytes of b as printable text, for error messages.
func Snippet(b []byte, max int) string {
	if len(b) > max {
		b = b[:max]
	}
	var s strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case r == utf8.RuneError && size <= 1:
			s.WriteRune('\uFFFD')
		case r == '\n' || r == '\r' || r == '\t':
			s.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		default:
			s.WriteRune(r)
		}
	}
	return strings.TrimSpace(s.String())
}

// DecodeJSON reads resp.Body (bounded by limit) and unmarshals it into v.
// Every failure is a *DecodeError carrying the status and request id; its
// snippet of the body passes through scrub first.
func DecodeJSON(resp *http.Response, v any, limit int64, requestIDHeader string, scrub *Scrubber) error {
	buf, err := ReadBody(resp, limit)
	defer PutBuffer(buf)
	if err != nil {
		return NewDecodeError(resp, requestIDHeader, scrub.Bytes(buf.Bytes()), err)
	}
	body := bytes.TrimSpace(buf.Bytes())
	if len(body) == 0 {
		return NewDecodeError(resp, requestIDHeader, nil, ErrEmptyBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return NewDecodeError(resp, requestIDHeader, scrub.Bytes(body), ExplainJSON(resp.Header.Get("Content-Type"), body, err))
	}
	return nil
}

// ExplainJSON says what went wrong when a reply body declared with ctype
// failed to decode as JSON with err: a body cut short is "truncated JSON", a
// body of another type (an HTML page from a proxy) is "expected JSON, got
// text/html". err stays wrapped.
func ExplainJSON(ctype string, body []byte, err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn) && syn.Offset >= int64(len(body)), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("truncated JSON: %w", err)
	case ctype != "" && !strings.Contains(ctype, "json"):
		return fmt.Errorf("expected JSON, got %s: %w", ctype, err)
	}
	return err
}
