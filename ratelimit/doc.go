// Package ratelimit keeps an API client inside its request and token budgets.
//
// It has three parts, each usable on its own:
//
//   - header parsing: [ParseOpenAIHeaders] and [ParseBrevoHeaders] turn the
//     rate-limit headers of a response into a [Snapshot];
//   - [Retry]: middleware that retries transient failures with backoff and
//     honours the server's advice, but never a quota error ([Classify]);
//   - [Throttle]: middleware that admits a request only when its [Cost] fits
//     the budget a [Limiter] learns from the headers, so a client rarely sees
//     a 429 at all.
//
// Middleware has the standard library shape func(http.RoundTripper)
// http.RoundTripper, so it composes with any other transport wrapper. Put
// Retry outside Throttle, so that every attempt waits for budget:
//
//	limiter := ratelimit.NewLimiter(ratelimit.LimiterConfig{})
//	rt := ratelimit.Retry(ratelimit.DefaultRetryPolicy())(ratelimit.Throttle(limiter)(http.DefaultTransport))
//
// The code that builds a request describes it through the request's
// context: [WithCost] says what it spends, [WithRetryInfo] lets the caller
// count the attempts, and [WithSettlement] lets it return the tokens the
// reply shows were not used.
package ratelimit
