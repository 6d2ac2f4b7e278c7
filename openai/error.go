package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// DecodeError reports a response body that could not be decoded: too large,
// empty, truncated, or not JSON (an HTML page from a proxy, say). It carries
// the HTTP status, the request id and the first bytes of the body.
type DecodeError = transport.DecodeError

// ErrBodyTooLarge is wrapped by a *DecodeError when a response body exceeds
// the limit set with WithMaxResponseSize.
var ErrBodyTooLarge = transport.ErrBodyTooLarge

// ErrEmptyBody is wrapped by a *DecodeError when a reply has no body.
var ErrEmptyBody = transport.ErrEmptyBody

// APIError is a non-2xx reply from the API. It is built from OpenAI's error
// envelope ({"error": {"message", "type", "param", "code"}}) when the body has
// one; otherwise Message describes the body and Unwrap returns the
// *DecodeError explaining why it could not be read.
type APIError struct {
	StatusCode int         // HTTP status
	Type       string      // error.type, e.g. "invalid_request_error", "insufficient_quota"
	Code       string      // error.code, e.g. "rate_limit_exceeded", "model_not_found"
	Param      string      // error.param: the request field at fault, if any
	Message    string      // error.message, or a description of an unreadable body
	RequestID  string      // x-request-id: quote it to OpenAI support
	Header     http.Header // the reply's headers (Retry-After, x-ratelimit-*)

	cause    error
	tooLarge bool // a 429 for a request over the limit itself
}

// Error formats the status, code and message.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openai: HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	} else if e.Type != "" {
		b.WriteString(" ")
		b.WriteString(e.Type)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Param != "" {
		fmt.Fprintf(&b, " (param %s)", e.Param)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Unwrap returns the *DecodeError when the error body could not be read.
func (e *APIError) Unwrap() error { return e.cause }

// IsQuotaExceeded reports an exhausted quota or spend limit. Waiting does not
// help: add credit or raise the limit. It agrees with ratelimit.Retry, which
// never retries these.
func (e *APIError) IsQuotaExceeded() bool {
	return ratelimit.IsQuotaCode(e.Code) || ratelimit.IsQuotaCode(e.Type)
}

// IsRateLimit reports a 429 that waiting will cure (requests or tokens per
// minute), as opposed to an exhausted quota or a request too large for the
// limit.
func (e *APIError) IsRateLimit() bool {
	return e.StatusCode == http.StatusTooManyRequests && !e.IsQuotaExceeded() && !e.tooLarge
}

// IsRequestTooLarge reports a 429 for a request that needs more tokens than
// the per-minute limit allows: it can never succeed as sent, however long
// one waits. Shorten the input or lower max tokens, or use a model with a
// larger limit (WithFallback does, when configured). ratelimit.Retry never
// retries it.
func (e *APIError) IsRequestTooLarge() bool { return e.tooLarge }

// IsAuth reports an authentication or permission failure (401, 403): a wrong,
// revoked or under-privileged key.
func (e *APIError) IsAuth() bool {
	return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
}

// IsRetryable reports whether sending the same request again may succeed:
// 408, 409, 429 other than quota and request too large, and 5xx.
func (e *APIError) IsRetryable() bool {
	switch {
	case e.StatusCode == http.StatusRequestTimeout, e.StatusCode == http.StatusConflict:
		return true
	case e.StatusCode == http.StatusTooManyRequests:
		return !e.IsQuotaExceeded() && !e.tooLarge
	default:
		return e.StatusCode >= 500
	}
}

// IsRateLimit reports whether err is, or wraps, an *APIError for a 429 that
// waiting will cure.
func IsRateLimit(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsRateLimit()
}

// IsQuotaExceeded reports whether err is, or wraps, an *APIError for an
// exhausted quota or spend limit.
func IsQuotaExceeded(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsQuotaExceeded()
}

// IsAuth reports whether err is, or wraps, an *APIError for a 401 or 403.
func IsAuth(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsAuth()
}

// newAPIError reads (bounded) and closes resp.Body and builds the error.
// Text quoted from the body passes through scrub first.
func newAPIError(resp *http.Response, limit int64, scrub *transport.Scrubber) *APIError {
	body, buf, err := transport.ReadErrorBody(resp, limit, scrub)
	defer transport.PutBuffer(buf)
	e, ok := envelopeError(resp, body)
	if err == nil && ok {
		return e
	}
	e.Message, e.cause = transport.UnreadableError(resp, requestIDHeader, body, err, "not an OpenAI error envelope", scrub)
	return e
}

// errorEnvelope is OpenAI's error body. Code and param are sometimes numbers
// or null, so they are decoded leniently.
type errorEnvelope struct {
	Error *errorBody `json:"error"`
}

type errorBody struct {
	Message looseString `json:"message"`
	Type    looseString `json:"type"`
	Param   looseString `json:"param"`
	Code    looseString `json:"code"`
}

// parseErrorEnvelope fills e from OpenAI's error envelope, reporting false
// when body is not one. It reads the body as ratelimit does, so that the
// error and the retry verdict never disagree on what the body said.
func parseErrorEnvelope(body []byte, e *APIError) bool {
	b, ok := ratelimit.ParseErrorBody(body)
	if ok {
		e.Message, e.Type, e.Param, e.Code = b.Message, b.Type, b.Param, b.Code
	}
	return ok
}

// envelopeError builds the *APIError of a reply whose body is OpenAI's
// error envelope, reporting false when it is not.
func envelopeError(resp *http.Response, body []byte) (*APIError, bool) {
	e := &APIError{StatusCode: resp.StatusCode, Header: resp.Header, RequestID: resp.Header.Get(requestIDHeader),
		tooLarge: ratelimit.IsRequestTooLarge(resp.StatusCode, body)}
	return e, parseErrorEnvelope(body, e)
}

// looseString decodes a JSON string, number or boolean as text, and null or
// anything else as "".
type looseString string

func (s *looseString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = looseString(v)
		return nil
	}
	switch {
	case len(b) == 0, string(b) == "null", b[0] == '{', b[0] == '[':
		*s = ""
	default:
		*s = looseString(b)
	}
	return nil
}
