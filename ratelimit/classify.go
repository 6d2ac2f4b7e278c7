package ratelimit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrorBody is the object inside OpenAI's error envelope
// {"error": {"message", "type", "param", "code"}}. Fields the server sent as
// numbers or booleans are kept as their JSON text; null becomes "".
type ErrorBody struct {
	Message string
	Type    string
	Param   string
	Code    string
}

// ParseErrorBody decodes OpenAI's error envelope. It reports false when body
// is not a JSON object with an "error" object in it.
func ParseErrorBody(body []byte) (ErrorBody, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return ErrorBody{}, false
	}
	var env struct {
		Error *struct {
			Message json.RawMessage `json:"message"`
			Type    json.RawMessage `json:"type"`
			Param   json.RawMessage `json:"param"`
			Code    json.RawMessage `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || env.Error == nil {
		return ErrorBody{}, false
	}
	e := env.Error
	return ErrorBody{
		Message: rawText(e.Message),
		Type:    rawText(e.Type),
		Param:   rawText(e.Param),
		Code:    rawText(e.Code),
	}, true
}

// rawText renders a JSON scalar as text: strings unquoted, numbers and
// booleans verbatim, null and containers as "".
func rawText(r json.RawMessage) string {
	r = bytes.TrimSpace(r)
	if len(r) == 0 {
		return ""
	}
	switch r[0] {
	case '"':
		var s string
		if json.Unmarshal(r, &s) == nil {
			return s
		}
		return ""
	case '{', '[', 'n':
		return ""
	}
	return string(r)
}

// IsQuotaCode reports whether s, an error type or code from OpenAI's error
// envelope, names an exhausted quota or spend limit: "insufficient_quota",
// "credit_balance_exhausted", "organization_usage_limit_exceeded",
// "organization_spend_limit_exceeded", "project_spend_limit_exceeded",
// "billing_hard_limit_reached" or "billing_not_active". Waiting cannot cure
// these. A client's error type should decide "quota exceeded" with it so that
// it agrees with [Retry].
func IsQuotaCode(s string) bool {
	switch s {
	case "insufficient_quota",
		"credit_balance_exhausted",
		"organization_usage_limit_exceeded",
		"organization_spend_limit_exceeded",
		"project_spend_limit_exceeded",
		"billing_hard_limit_reached",
		"billing_not_active":
		return true
	}
	return false
}

// IsQuotaError reports whether a reply with this status and body is a quota
// or billing failure: a 429 whose error type or code satisfies [IsQuotaCode].
// Such a reply is never retried and never pauses a [Limiter]: retrying cannot
// succeed until credit is added or a limit raised.
func IsQuotaError(status int, body []byte) bool {
	if status != http.StatusTooManyRequests {
		return false
	}
	e, ok := ParseErrorBody(body)
	return ok && (IsQuotaCode(e.Type) || IsQuotaCode(e.Code))
}

// IsRequestTooLarge reports whether a reply is a 429 "Request too large"
// error whose requested tokens exceed the limit, so that the same request
// can never be admitted. A "Request too large" message without both numbers
// also counts: the server says the request cannot fit.
func IsRequestTooLarge(status int, body []byte) bool {
	if status != http.StatusTooManyRequests {
		return false
	}
	e, ok := ParseErrorBody(body)
	return ok && requestTooLarge(e)
}

// requestTooLarge is IsRequestTooLarge for an error body already parsed.
func requestTooLarge(e ErrorBody) bool {
	if indexASCIIFold(e.Message, "request too large") < 0 {
		return false
	}
	limit, okL := numberAfter(e.Message, "Limit ")
	requested, okR := numberAfter(e.Message, "Requested ")
	if !okL || !okR {
		return true
	}
	return requested > limit
}

// numberAfter finds label in s and parses the integer after it, ignoring
// thousands separators.
func numberAfter(s, label string) (int64, bool) {
	i := strings.Index(s, label)
	if i < 0 {
		return 0, false
	}
	s = s[i+len(label):]
	var n int64
	digits := 0
	for j := 0; j < len(s); j++ {
		c := s[j]
		if c == ',' && digits > 0 {
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		digits++
	}
	return n, digits > 0
}

// Verdict is the outcome of [Classify].
type Verdict struct {
	// Retry reports whether sending the request again may succeed.
	Retry bool
	// Reason says why, in a few words ("HTTP 503", "insufficient_quota",
	// "x-should-retry: false").
	Reason string
}

// Classify decides whether a reply is worth retrying. body is the reply's
// body, or a prefix of it; it is read only for a 429. The rules, in order:
//
//   - 1xx, 2xx and 3xx replies are not retried;
//   - a 429 that [IsQuotaError] or [IsRequestTooLarge] reports is never
//     retried, whatever the headers say;
//   - "x-should-retry: true" or "false" decides next;
//   - then 408, 409, 429 and 5xx are retried and everything else (400, 401,
//     403, 404, 422, ...) is not.
func Classify(status int, header http.Header, body []byte) Verdict {
	if status < 400 {
		return Verdict{Reason: "HTTP " + strconv.Itoa(status)}
	}
	if status == http.StatusTooManyRequests {
		if e, ok := ParseErrorBody(body); ok {
			switch {
			case IsQuotaCode(e.Code):
				return Verdict{Reason: e.Code}
			case IsQuotaCode(e.Type):
				return Verdict{Reason: e.Type}
			}
			if requestTooLarge(e) {
				return Verdict{Reason: "request too large"}
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(header.Get("X-Should-Retry"))) {
	case "true":
		return Verdict{Retry: true, Reason: "x-should-retry: true"}
	case "false":
		return Verdict{Reason: "x-should-retry: false"}
	}
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusConflict,
		status == http.StatusTooManyRequests, status >= 500:
		return Verdict{Retry: true, Reason: "HTTP " + strconv.Itoa(status)}
	}
	return Verdict{Reason: "HTTP " + strconv.Itoa(status)}
}

// IsRetryableError reports whether a transport error is a connection failure
// that a new attempt may cure: a refused, reset or aborted connection, an
// unexpected EOF before the reply's headers, a timeout of the network layer,
// or a DNS failure other than "no such host". Context errors, certificate and
// TLS errors, and errors of unknown kind report false.
func IsRetryableError(err error) bool {
	if err == nil || errors.Is(err, errNotReplayable) {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, net.ErrClosed):
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// ServerWait returns the wait a reply advises before the next attempt:
// "retry-after-ms" (milliseconds) if present and valid, else "Retry-After"
// as seconds or an HTTP date (relative to now; a past date means 0).
// It reports false when neither header is present and valid.
func ServerWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms <= float64(maxReset/time.Millisecond) {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || s != s {
			return 0, false
		}
		if s > maxReset.Seconds() {
			return maxReset, true
		}
		return time.Duration(s * float64(time.Second)), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	if d > maxReset {
		d = maxReset
	}
	return d, true
}

// ParseTryAgain extracts the wait from an error message such as "Please try
// again in 1.5s.", "try again in 20ms" or "Please try again in 6m0s". It
// reports false when the message has no such phrase.
func ParseTryAgain(message string) (time.Duration, bool) {
	const phrase = "try again in "
	i := indexASCIIFold(message, phrase)
	if i < 0 {
		return 0, false
	}
	s := message[i+len(phrase):]
	end := 0
	for end < len(s) && s[end] != ' ' && s[end] != ',' && s[end] != ')' {
		end++
	}
	s = strings.TrimRight(s[:end], ".")
	return ParseReset(s)
}

// indexASCIIFold is strings.Index with ASCII case folding; lower must be
// lower case. Byte offsets stay valid for the original string.
func indexASCIIFold(s, lower string) int {
	for i := 0; i+len(lower) <= len(s); i++ {
		j := 0
		for j < len(lower) {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[j] {
				break
			}
			j++
		}
		if j == len(lower) {
			return i
		}
	}
	return -1
}
