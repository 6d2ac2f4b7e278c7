package brevo

import (
	"bytes"
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
// the HTTP status and the first bytes of the body.
type DecodeError = transport.DecodeError

// ErrBodyTooLarge is wrapped by a *DecodeError when a response body exceeds
// the limit set with WithMaxResponseSize.
var ErrBodyTooLarge = transport.ErrBodyTooLarge

// ErrEmptyBody is wrapped by a *DecodeError when a reply has no body.
var ErrEmptyBody = transport.ErrEmptyBody

// The error codes of Brevo's error model that callers most often test for.
const (
	CodeInvalidParameter   = "invalid_parameter"
	CodeMissingParameter   = "missing_parameter"
	CodeOutOfRange         = "out_of_range"
	CodeDuplicateParameter = "duplicate_parameter"
	CodeDocumentNotFound   = "document_not_found"
	CodeNotEnoughCredits   = "not_enough_credits"
	CodeUnauthorized       = "unauthorized"
	CodePermissionDenied   = "permission_denied"
	CodeCampaignSent       = "campaign_sent"
	CodeTooManyRequests    = "too_many_requests"
	CodeBadRequest         = "bad_request"
)

// APIError is a non-2xx reply from the API. It is built from Brevo's error
// model ({"code", "message"}) when the body has one; otherwise Message
// describes the body and Unwrap returns the *DecodeError explaining why it
// could not be read.
type APIError struct {
	StatusCode int                // HTTP status
	Code       string             // e.g. "invalid_parameter", "duplicate_parameter", "document_not_found"
	Message    string             // the API's explanation, or a description of an unreadable body
	Method     string             // the request method
	Path       string             // the request path, relative to the base URL, email addresses elided
	RateLimit  ratelimit.Snapshot // the x-sib-ratelimit-* headers of the reply
	Header     http.Header        // the reply's headers

	cause error
	body  []byte // the error body, for routes whose errors carry more than the error model
}

// Error formats the status, code, message and route.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "brevo: HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Method != "" {
		fmt.Fprintf(&b, " (%s /%s)", e.Method, e.Path)
	}
	return b.String()
}

// Unwrap returns the *DecodeError when the error body could not be read.
func (e *APIError) Unwrap() error { return e.cause }

// IsRateLimit reports a 429: the endpoint group's budget is spent until the
// x-sib-ratelimit-reset header's time has passed.
func (e *APIError) IsRateLimit() bool { return e.StatusCode == http.StatusTooManyRequests }

// IsNotFound reports a 404: the contact, list or campaign does not exist.
func (e *APIError) IsNotFound() bool { return e.StatusCode == http.StatusNotFound }

// IsAuth reports an authentication or permission failure (401, 403): a
// wrong, revoked or under-privileged key, or an IP address not allowed.
func (e *APIError) IsAuth() bool {
	return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
}

// IsRetryable reports whether sending the same request again may succeed:
// 408, 429 and 5xx.
func (e *APIError) IsRetryable() bool {
	return e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// IsRateLimit reports whether err is, or wraps, an *APIError for a 429.
func IsRateLimit(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsRateLimit()
}

// IsNotFound reports whether err is, or wraps, an *APIError for a 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsNotFound()
}

// IsAuth reports whether err is, or wraps, an *APIError for a 401 or 403.
func IsAuth(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.IsAuth()
}

// ErrorCode returns the Brevo error code of err when it is, or wraps, an
// *APIError, and "" otherwise.
func ErrorCode(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// newAPIError reads (bounded) and closes resp.Body and builds the error.
// Text quoted from the body passes through scrub first.
func newAPIError(resp *http.Response, limit int64, cl *call, scrub *transport.Scrubber) *APIError {
	body, buf, err := transport.ReadErrorBody(resp, limit, scrub)
	defer transport.PutBuffer(buf)
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     cl.method,
		Path:       elidePath(cl.path),
		Header:     resp.Header,
		RateLimit:  ratelimit.ParseBrevoHeaders(resp.Header),
	}
	if err == nil && parseErrorModel(body, e) {
		e.body = bytes.Clone(body)
		return e
	}
	e.Message, e.cause = transport.UnreadableError(resp, "", body, err, "not a Brevo error model", scrub)
	return e
}

// errorModel is Brevo's error body.
type errorModel struct {
	Code    *string `json:"code"`
	Message *string `json:"message"`
}

func parseErrorModel(body []byte, e *APIError) bool {
	if len(body) == 0 || body[0] != '{' {
		return false
	}
	var m errorModel
	if json.Unmarshal(body, &m) != nil || (m.Code == nil && m.Message == nil) {
		return false
	}
	if m.Code != nil {
		e.Code = *m.Code
	}
	if m.Message != nil {
		e.Message = *m.Message
	}
	return true
}

// elidePath replaces path segments holding an email address with
// "{email}", so that errors and logs do not carry contacts' addresses.
func elidePath(p string) string {
	if !strings.Contains(p, "@") && !strings.Contains(p, "%40") {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.Contains(s, "@") || strings.Contains(s, "%40") {
			parts[i] = "{email}"
		}
	}
	return strings.Join(parts, "/")
}

// ChunkError is one failed call of a helper that splits its input into
// several calls. Start and End index the input: input[Start:End] is what the
// call carried.
type ChunkError struct {
	Chunk    int          // the call's number, from 0
	Start    int          // index of the chunk's first item in the input
	End      int          // index after its last item
	Contacts []ContactRef // the contacts of the chunk
	Err      error        // why it failed: an *APIError, a transport or context error, or ErrNotAttempted
}

// Error describes the chunk and its cause.
func (e *ChunkError) Error() string {
	return fmt.Sprintf("chunk %d (items %d to %d): %v", e.Chunk, e.Start, e.End-1, e.Err)
}

// Unwrap returns the cause.
func (e *ChunkError) Unwrap() error { return e.Err }

// ErrNotAttempted is the cause of a ChunkError for a chunk that was never
// sent because an earlier failure made sending it pointless (an invalid key,
// a cancelled context).
var ErrNotAttempted = errors.New("not attempted after an earlier failure")

// BatchError reports the chunks of a multi-call helper (UpdateMany,
// AddContacts, RemoveContacts) that failed. Every chunk not listed was
// applied; nothing in a listed chunk was, because Brevo applies or rejects a
// call as a whole.
type BatchError struct {
	Total   int          // items in the input
	Applied int          // items in the chunks that succeeded
	Failed  []ChunkError // the chunks that failed or were not sent, in input order
}

// Error summarises the failures and quotes the first.
func (e *BatchError) Error() string {
	failed := 0
	for _, c := range e.Failed {
		failed += c.End - c.Start
	}
	msg := fmt.Sprintf("brevo: %d of %d items in %d chunk(s) failed", failed, e.Total, len(e.Failed))
	if len(e.Failed) > 0 {
		msg += "; first: " + e.Failed[0].Error()
	}
	return msg
}

// Unwrap returns each chunk's error, so errors.As finds an *APIError and
// errors.Is a context error.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i := range e.Failed {
		errs[i] = &e.Failed[i]
	}
	return errs
}

// FailedContacts returns the contacts of every failed chunk, in input order,
// ready to be sent again.
func (e *BatchError) FailedContacts() []ContactRef {
	var out []ContactRef
	for _, c := range e.Failed {
		out = append(out, c.Contacts...)
	}
	return out
}
