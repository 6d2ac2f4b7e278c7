package ratelimit_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/reachkit/reachkit/ratelimit"
)

func errorJSON(typ, code, msg string) []byte {
	return []byte(fmt.Sprintf(`{"error":{"message":%q,"type":%q,"param":null,"code":%q}}`, msg, typ, code))
}

func TestClassify(t *testing.T) {
	rateLimited := errorJSON("tokens", "rate_limit_exceeded", "Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM): Limit 30000, Used 29000, Requested 1500. Please try again in 2s.")
	tooLarge := errorJSON("tokens", "rate_limit_exceeded", "Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Requested 45000. The input or output tokens must be reduced in order to run successfully.")
	tooLargeFits := errorJSON("tokens", "rate_limit_exceeded", "Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Requested 29000.")
	tooLargeNoNumbers := errorJSON("tokens", "rate_limit_exceeded", "Request too large for gpt-4o.")
	for _, tc := range []struct {
		name   string
		status int
		h      http.Header
		body   []byte
		retry  bool
	}{
		{"200", 200, nil, nil, false},
		{"301", 301, nil, nil, false},
		{"400", 400, nil, errorJSON("invalid_request_error", "", "bad"), false},
		{"401", 401, nil, nil, false},
		{"403", 403, nil, nil, false},
		{"404", 404, nil, nil, false},
		{"422", 422, nil, nil, false},
		{"408", 408, nil, nil, true},
		{"409", 409, nil, nil, true},
		{"429 rate limit", 429, nil, rateLimited, true},
		{"429 no body", 429, nil, nil, true},
		{"429 html body", 429, nil, []byte("<html>slow down</html>"), true},
		{"500", 500, nil, nil, true},
		{"502", 502, nil, nil, true},
		{"503", 503, nil, nil, true},
		{"504", 504, nil, nil, true},
		{"429 insufficient_quota code", 429, nil, errorJSON("insufficient_quota", "insufficient_quota", "You exceeded your current quota"), false},
		{"429 insufficient_quota type only", 429, nil, errorJSON("insufficient_quota", "", "quota"), false},
		{"429 credit_balance_exhausted", 429, nil, errorJSON("billing", "credit_balance_exhausted", "x"), false},
		{"429 organization_usage_limit_exceeded", 429, nil, errorJSON("", "organization_usage_limit_exceeded", "x"), false},
		{"429 organization_spend_limit_exceeded", 429, nil, errorJSON("", "organization_spend_limit_exceeded", "x"), false},
		{"429 project_spend_limit_exceeded", 429, nil, errorJSON("", "project_spend_limit_exceeded", "x"), false},
		{"429 quota beats x-should-retry true", 429, header("x-should-retry", "true"), errorJSON("insufficient_quota", "insufficient_quota", "x"), false},
		{"429 request too large", 429, nil, tooLarge, false},
		{"429 request too large but fits", 429, nil, tooLargeFits, true},
		{"429 request too large without numbers", 429, nil, tooLargeNoNumbers, false},
		{"429 x-should-retry false", 429, header("x-should-retry", "false"), rateLimited, false},
		{"503 x-should-retry false", 503, header("x-should-retry", "false"), nil, false},
		{"400 x-should-retry true", 400, header("x-should-retry", "true"), nil, true},
		{"x-should-retry garbage ignored", 400, header("x-should-retry", "maybe"), nil, false},
		{"x-should-retry case", 500, header("x-should-retry", " FALSE "), nil, false},
		{"quota code on 500 is a 500", 500, nil, errorJSON("insufficient_quota", "insufficient_quota", "x"), true},
	} {
		v := ratelimit.Classify(tc.status, tc.h, tc.body)
		if v.Retry != tc.retry {
			t.Errorf("%s: Classify = %+v, want retry %v", tc.name, v, tc.retry)
		}
		if v.Reason == "" {
			t.Errorf("%s: empty reason", tc.name)
		}
	}
}

func TestQuotaHelpers(t *testing.T) {
	for _, c := range []string{"insufficient_quota", "credit_balance_exhausted", "organization_usage_limit_exceeded",
		"organization_spend_limit_exceeded", "project_spend_limit_exceeded", "billing_hard_limit_reached", "billing_not_active"} {
		if !ratelimit.IsQuotaCode(c) {
			t.Errorf("IsQuotaCode(%q) = false", c)
		}
	}
	for _, c := range []string{"", "rate_limit_exceeded", "tokens", "requests", "INSUFFICIENT_QUOTA"} {
		if ratelimit.IsQuotaCode(c) {
			t.Errorf("IsQuotaCode(%q) = true", c)
		}
	}
	q := errorJSON("insufficient_quota", "insufficient_quota", "x")
	if !ratelimit.IsQuotaError(429, q) || ratelimit.IsQuotaError(400, q) || ratelimit.IsQuotaError(429, errorJSON("tokens", "rate_limit_exceeded", "x")) {
		t.Error("IsQuotaError disagrees")
	}
	if ratelimit.IsQuotaError(429, []byte(`{"error":"insufficient_quota"}`)) || ratelimit.IsQuotaError(429, []byte("insufficient_quota")) {
		t.Error("IsQuotaError matched a body without the envelope")
	}
}

func TestParseErrorBody(t *testing.T) {
	for _, tc := range []struct {
		body string
		want ratelimit.ErrorBody
		ok   bool
	}{
		{`{"error":{"message":"m","type":"t","param":"p","code":"c"}}`, ratelimit.ErrorBody{Message: "m", Type: "t", Param: "p", Code: "c"}, true},
		{` {"error":{"message":"m","type":null,"param":null,"code":429}} `, ratelimit.ErrorBody{Message: "m", Code: "429"}, true},
		{`{"error":{"code":true,"param":{"a":1},"message":["x"]}}`, ratelimit.ErrorBody{Code: "true"}, true},
		{`{"error":"string"}`, ratelimit.ErrorBody{}, false},
		{`{"message":"no envelope"}`, ratelimit.ErrorBody{}, false},
		{`<html>`, ratelimit.ErrorBody{}, false},
		{``, ratelimit.ErrorBody{}, false},
		{`{"error":{"message":"trunc`, ratelimit.ErrorBody{}, false},
	} {
		got, ok := ratelimit.ParseErrorBody([]byte(tc.body))
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseErrorBody(%s) = %+v, %v; want %+v, %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

func TestServerWait(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{"none", header(), 0, false},
		{"retry-after-ms", header("retry-after-ms", "250"), 250 * time.Millisecond, true},
		{"retry-after-ms fractional", header("retry-after-ms", "1.5"), 1500 * time.Microsecond, true},
		{"ms beats seconds", header("retry-after-ms", "20", "retry-after", "7"), 20 * time.Millisecond, true},
		{"bad ms falls back", header("retry-after-ms", "soon", "retry-after", "7"), 7 * time.Second, true},
		{"negative ms falls back", header("retry-after-ms", "-5", "retry-after", "1"), time.Second, true},
		{"seconds", header("retry-after", "2"), 2 * time.Second, true},
		{"fractional seconds", header("retry-after", "0.5"), 500 * time.Millisecond, true},
		{"zero", header("retry-after", "0"), 0, true},
		{"http date", header("retry-after", now.Add(90*time.Second).Format(http.TimeFormat)), 90 * time.Second, true},
		{"past http date", header("retry-after", now.Add(-time.Hour).Format(http.TimeFormat)), 0, true},
		{"negative seconds", header("retry-after", "-1"), 0, false},
		{"garbage", header("retry-after", "later"), 0, false},
		{"huge", header("retry-after", "1e12"), 30 * 24 * time.Hour, true},
	} {
		got, ok := ratelimit.ServerWait(tc.h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: ServerWait = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseTryAgain(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want time.Duration
		ok   bool
	}{
		{"Rate limit reached ... Please try again in 1.5s. Visit https://platform.openai.com", 1500 * time.Millisecond, true},
		{"try again in 20ms", 20 * time.Millisecond, true},
		{"Please try again in 6m0s.", 6 * time.Minute, true},
		{"Please Try Again In 2s, thanks", 2 * time.Second, true},
		{"please try again in 7 seconds", 7 * time.Second, true},
		{"Ünïcode prefix — try again in 3ms.", 3 * time.Millisecond, true},
		{"Please try again later.", 0, false},
		{"no advice", 0, false},
		{"", 0, false},
	} {
		got, ok := ratelimit.ParseTryAgain(tc.msg)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseTryAgain(%q) = %v, %v; want %v, %v", tc.msg, got, ok, tc.want, tc.ok)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestIsRetryableError(t *testing.T) {
	opErr := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: "https://api.openai.com", Err: err} }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"refused", urlErr(opErr(&syscallError{syscall.ECONNREFUSED})), true},
		{"reset", urlErr(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), true},
		{"unexpected EOF", urlErr(io.ErrUnexpectedEOF), true},
		{"EOF before headers", urlErr(io.EOF), true},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), true},
		{"net timeout", urlErr(timeoutErr{}), true},
		{"dns temporary", urlErr(&net.DNSError{Err: "server misbehaving", Name: "api.openai.com", IsTemporary: true}), true},
		{"dns not found", urlErr(&net.DNSError{Err: "no such host", Name: "api.openai.con", IsNotFound: true}), false},
		{"canceled", urlErr(context.Canceled), false},
		{"deadline", urlErr(context.DeadlineExceeded), false},
		{"certificate", urlErr(x509.UnknownAuthorityError{}), false},
		{"unknown", errors.New("something else"), false},
		{"body not replayable", ratelimit.ErrBodyNotReplayable, false},
	} {
		if got := ratelimit.IsRetryableError(tc.err); got != tc.want {
			t.Errorf("%s: IsRetryableError(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// syscallError mimics *os.SyscallError.
type syscallError struct{ err error }

func (e *syscallError) Error() string { return "connect: " + e.err.Error() }
func (e *syscallError) Unwrap() error { return e.err }
