package ratelimit_test

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reachkit/reachkit/ratelimit"
)

// maxAdvice is the longest wait a server's advice can produce (30 days, as
// for the reset headers).
const maxAdvice = 30 * 24 * time.Hour

// FuzzServerWait parses any retry-after-ms and Retry-After values: seconds,
// fractions, HTTP dates in the three formats, garbage. The wait is never
// negative nor above 30 days, is zero when not ok, and a valid number of
// seconds (or milliseconds) gives exactly that wait.
func FuzzServerWait(f *testing.F) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range [][2]string{
		{"", "1"}, {"", "120"}, {"", "0.5"}, {"", "-1"}, {"", "NaN"}, {"", "+Inf"}, {"", "1e309"}, {"", "soon"},
		{"", "Sat, 01 Mar 2025 12:00:02 GMT"}, {"", "Saturday, 01-Mar-25 12:00:02 GMT"}, {"", "Sat Mar  1 12:00:02 2025"},
		{"", "Fri, 28 Feb 2025 12:00:00 GMT"}, {"", "Sun, 01 Mar 2099 12:00:00 GMT"}, {"200", ""}, {"1.5", "5"},
		{"-3", "2"}, {"NaN", "2"}, {"9e99", "2"}, {"0x10", ""}, {" 20 ", " 3 "},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, ms, secs string) {
		h := http.Header{}
		if ms != "" {
			h.Set("Retry-After-Ms", ms)
		}
		if secs != "" {
			h.Set("Retry-After", secs)
		}
		d, ok := ratelimit.ServerWait(h, now)
		if d < 0 || d > maxAdvice {
			t.Fatalf("ServerWait(%q, %q) = %v, out of range", ms, secs, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ServerWait(%q, %q) = %v with ok=false", ms, secs, d)
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(ms), 64); err == nil && v >= 0 && v <= float64(maxAdvice/time.Millisecond) {
			if want := time.Duration(v * float64(time.Millisecond)); !ok || d != want {
				t.Fatalf("retry-after-ms %q: %v %v, want %v", ms, d, ok, want)
			}
			return
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(secs), 64); err == nil && v >= 0 && v <= 1e6 && !math.IsInf(v, 0) {
			if want := time.Duration(v * float64(time.Second)); !ok || d != want {
				t.Fatalf("Retry-After %q: %v %v, want %v", secs, d, ok, want)
			}
		}
	})
}

// FuzzClassify decides on any status, x-should-retry value and body. It
// never panics, never retries a success, a quota error or a request that is
// too large, always says why, and the error fields and "try again in" wait
// it reads from the body are valid UTF-8 and in range.
func FuzzClassify(f *testing.F) {
	for _, s := range []struct {
		status int
		should string
		body   string
	}{
		{429, "", `{"error":{"message":"Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000. Please try again in 2s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}`},
		{429, "true", `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`},
		{429, "", `{"error":{"message":"Request too large for gpt-4o on tokens per min (TPM): Limit 30000, Requested 50000.","type":"tokens","code":"rate_limit_exceeded"}}`},
		{429, "", `{"error":{"code":12,"type":true,"message":null,"param":{"a":1}}}`},
		{503, "false", ""},
		{500, " TRUE ", "<html>"},
		{409, "", ""},
		{200, "true", ""},
		{429, "", "{\"error\":{\"message\":\"try again in \xff1s\",\"code\":\"\xfe\"}}"},
	} {
		f.Add(s.status, s.should, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, should string, body []byte) {
		h := http.Header{}
		if should != "" {
			h.Set("X-Should-Retry", should)
		}
		v := ratelimit.Classify(status, h, body)
		if v.Reason == "" {
			t.Fatalf("Classify(%d, %q, %q) gives no reason", status, should, body)
		}
		if v.Retry && status < 400 {
			t.Fatalf("retries HTTP %d", status)
		}
		if v.Retry && (ratelimit.IsQuotaError(status, body) || ratelimit.IsRequestTooLarge(status, body)) {
			t.Fatalf("retries a quota error or a request too large: HTTP %d %q", status, body)
		}
		if e, ok := ratelimit.ParseErrorBody(body); ok {
			for name, s := range map[string]string{"Message": e.Message, "Type": e.Type, "Param": e.Param, "Code": e.Code} {
				if !utf8.ValidString(s) {
					t.Fatalf("%s is not valid UTF-8: %q", name, s)
				}
			}
			if d, ok := ratelimit.ParseTryAgain(e.Message); d < 0 || d > maxAdvice || !ok && d != 0 {
				t.Fatalf("ParseTryAgain(%q) = %v, %v", e.Message, d, ok)
			}
		}
	})
}
