package brevo

import (
	"math"
	"net/http"
	"strings"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// The endpoint groups Brevo budgets separately. The client charges every
// request to one of them with ratelimit.WithCost, so a ratelimit.Throttle
// keeps one budget per group.
const (
	GroupContacts          = "contacts"       // /contacts and everything below it: attributes, lists, folders, import
	GroupTransactional     = "smtp/email"     // POST /smtp/email
	GroupCampaigns         = "emailCampaigns" // /emailCampaigns and below
	GroupDefault           = "default"        // every other route
	defaultRouteRate       = 5.0              // requests per second for GroupCampaigns and GroupDefault
	contactsRouteRate      = 10.0             // 36,000 requests an hour
	transactionalRouteRate = 1000.0           // 3,600,000 requests an hour
)

// RouteGroup returns the endpoint group a request is charged to: the first
// path segment, with POST /smtp/email, the transactional send, a group of its
// own. path is relative to the base URL ("contacts/batch").
func RouteGroup(method, path string) string {
	path = strings.Trim(path, "/")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	first, _, _ := strings.Cut(path, "/")
	switch {
	case first == "contacts":
		return GroupContacts
	case path == "smtp/email" && (method == "" || method == "POST"):
		return GroupTransactional
	case first == "emailCampaigns":
		return GroupCampaigns
	default:
		return GroupDefault
	}
}

// RouteLimits returns the initial request budget of each endpoint group, in
// requests per second: contacts 10 (Brevo's 36,000 an hour), the
// transactional send 1,000 (3,600,000 an hour), and a conservative 5 for the
// other routes. Accounts on higher plans get more; a throttle corrects itself
// from the x-sib-ratelimit-* headers. The map is a fresh copy.
func RouteLimits() map[string]float64 {
	return map[string]float64{
		GroupContacts:      contactsRouteRate,
		GroupTransactional: transactionalRouteRate,
		GroupCampaigns:     defaultRouteRate,
		GroupDefault:       defaultRouteRate,
	}
}

// LimiterConfig returns the ratelimit configuration for one endpoint group:
// Brevo's x-sib-ratelimit-* headers, whose reset counts down to the moment
// the whole budget comes back (a fixed window), and an initial budget of one
// second's worth of the group's RouteLimits rate. The initial budget only
// holds until the first reply reports the real one; it is deliberately
// small, because the Limiter counts initial budgets per minute and a
// minute's worth sent at once would break Brevo's per-second limit.
func LimiterConfig(group string) ratelimit.LimiterConfig {
	rps, ok := RouteLimits()[group]
	if !ok {
		rps = defaultRouteRate
	}
	return ratelimit.LimiterConfig{
		Parse:                    ratelimit.ParseBrevoHeaders,
		FixedWindow:              true,
		InitialRequestsPerMinute: int64(math.Ceil(rps)),
	}
}

// Throttle returns middleware that keeps every endpoint group inside its
// budget, each with its own ratelimit.Limiter built from LimiterConfig, so
// a burst of contact updates never holds back transactional email. Give it
// to a client with WithMiddleware; it runs inside retry, so a retried
// request waits for the budget again:
//
//	c, err := brevo.NewClient(brevo.WithMiddleware(brevo.Throttle()))
//
// Requests without a ratelimit.Cost pass straight through. Each call of
// Throttle starts fresh budgets: build it once per API key and share it
// between the clients that use that key.
func Throttle() Middleware {
	limiters := make(map[string]*ratelimit.Limiter)
	for g := range RouteLimits() {
		limiters[g] = ratelimit.NewLimiter(LimiterConfig(g))
	}
	return func(next http.RoundTripper) http.RoundTripper {
		byGroup := make(map[string]http.RoundTripper, len(limiters))
		for g, l := range limiters {
			byGroup[g] = ratelimit.Throttle(l)(next)
		}
		return transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
			cost, ok := ratelimit.CostFrom(r.Context())
			if !ok || cost.Key == "" {
				return next.RoundTrip(r)
			}
			rt, ok := byGroup[cost.Key]
			if !ok {
				rt = byGroup[GroupDefault]
			}
			return rt.RoundTrip(r)
		})
	}
}
