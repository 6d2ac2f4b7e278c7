package ratelimit

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Budget is one dimension of a rate limit (requests or tokens) as a response
// reported it. Each value carries its own Known flag: a header that is missing
// or cannot be parsed leaves its flag false rather than reporting a zero.
type Budget struct {
	Limit          int64         // the maximum in the current window
	Remaining      int64         // what is left in the window; clamped at 0
	Reset          time.Duration // time until the budget is fully restored
	LimitKnown     bool          // Limit came from a valid header
	RemainingKnown bool          // Remaining came from a valid header
	ResetKnown     bool          // Reset came from a valid header
}

// Known reports whether any value of b was read from a header.
func (b Budget) Known() bool { return b.LimitKnown || b.RemainingKnown || b.ResetKnown }

// Snapshot is the rate-limit state reported by one response.
type Snapshot struct {
	Requests      Budget // requests per window
	Tokens        Budget // tokens per window
	ProjectTokens Budget // project-level token budget, when the server reports one
}

// Known reports whether the response carried any usable rate-limit header.
func (s Snapshot) Known() bool {
	return s.Requests.Known() || s.Tokens.Known() || s.ProjectTokens.Known()
}

// Canonical header names, looked up directly in the header map so that parsing
// allocates nothing when the headers are absent.
const (
	hLimitRequests         = "X-Ratelimit-Limit-Requests"
	hRemainingRequests     = "X-Ratelimit-Remaining-Requests"
	hResetRequests         = "X-Ratelimit-Reset-Requests"
	hLimitTokens           = "X-Ratelimit-Limit-Tokens"
	hRemainingTokens       = "X-Ratelimit-Remaining-Tokens"
	hResetTokens           = "X-Ratelimit-Reset-Tokens"
	hLimitProjectTokens    = "X-Ratelimit-Limit-Project-Tokens"
	hRemainingProjectToken = "X-Ratelimit-Remaining-Project-Tokens"
	hResetProjectTokens    = "X-Ratelimit-Reset-Project-Tokens"
	hSibLimit              = "X-Sib-Ratelimit-Limit"
	hSibRemaining          = "X-Sib-Ratelimit-Remaining"
	hSibReset              = "X-Sib-Ratelimit-Reset"
)

// ParseOpenAIHeaders reads OpenAI's x-ratelimit-{limit,remaining,reset}-{requests,tokens}
// headers (and the project-token variants). Reset values may be Go duration
// strings ("9ms", "6m0s", "23h18m29.144s"), durations with a day unit ("1d2h"),
// or bare seconds ("64", "0.5"). Missing or malformed values are reported as
// unknown; parsing never panics.
func ParseOpenAIHeaders(h http.Header) Snapshot {
	if len(h) == 0 {
		return Snapshot{}
	}
	return Snapshot{
		Requests:      parseBudget(h, hLimitRequests, hRemainingRequests, hResetRequests),
		Tokens:        parseBudget(h, hLimitTokens, hRemainingTokens, hResetTokens),
		ProjectTokens: parseBudget(h, hLimitProjectTokens, hRemainingProjectToken, hResetProjectTokens),
	}
}

// ParseBrevoHeaders reads Brevo's x-sib-ratelimit-{limit,remaining,reset}
// headers into the Requests budget; Brevo reports reset in seconds.
func ParseBrevoHeaders(h http.Header) Snapshot {
	if len(h) == 0 {
		return Snapshot{}
	}
	return Snapshot{Requests: parseBudget(h, hSibLimit, hSibRemaining, hSibReset)}
}

func parseBudget(h http.Header, limit, remaining, reset string) Budget {
	var b Budget
	if v, ok := first(h, limit); ok {
		b.Limit, b.LimitKnown = parseCount(v)
		if b.LimitKnown && b.Limit < 0 { // "-1" means the server did not say
			b.Limit, b.LimitKnown = 0, false
		}
	}
	if v, ok := first(h, remaining); ok {
		b.Remaining, b.RemainingKnown = parseCount(v)
		if b.Remaining < 0 {
			b.Remaining = 0
		}
	}
	if v, ok := first(h, reset); ok {
		b.Reset, b.ResetKnown = ParseReset(v)
	}
	return b
}

func first(h http.Header, key string) (string, bool) {
	v := h[key]
	if len(v) == 0 {
		return "", false
	}
	return strings.TrimSpace(v[0]), true
}

// parseCount accepts integers and, leniently, integral floats ("100.0").
func parseCount(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1e18 || f < -1e18 {
		return 0, false
	}
	return int64(f), true
}

// maxReset bounds any parsed reset so that arithmetic on it cannot overflow.
const maxReset = 30 * 24 * time.Hour

// ParseReset parses a rate-limit reset value: a Go duration ("20ms", "1s",
// "6m0s"), a duration with a leading day count ("2d3h"), or a bare number of
// seconds ("64", "1.5"). Negative, empty or malformed values report false.
// Values above 30 days are clamped to 30 days.
func ParseReset(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	var d time.Duration
	if c := s[len(s)-1]; c >= '0' && c <= '9' || c == '.' {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != f || f < 0 {
			return 0, false
		}
		if f > maxReset.Seconds() {
			return maxReset, true
		}
		return time.Duration(f * float64(time.Second)), true
	}
	if i := strings.IndexByte(s, 'd'); i > 0 {
		days, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || days != days || days < 0 {
			return 0, false
		}
		if days*24 > maxReset.Hours() {
			return maxReset, true
		}
		d = time.Duration(days * 24 * float64(time.Hour))
		s = s[i+1:]
		if s == "" {
			return d, true
		}
	}
	rest, err := time.ParseDuration(s)
	if err != nil || rest < 0 {
		return 0, false
	}
	if rest > maxReset-d { // also keeps d+rest from overflowing
		return maxReset, true
	}
	return d + rest, true
}
