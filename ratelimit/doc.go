// Package ratelimit keeps an API client inside its request and token budgets.
//
// It has three parts, each usable on its own:
//
//   - header parsing: [ParseOpenAIHeaders] and [ParseBrevoHeaders] turn the
//     rate-limit headers of a response into a [Snapshot];
//   - [Retry]: middleware that retries transient failures with backoff and
//     honours the server's advice;
//   - [Throttle]: middleware that admits a request only when its [Cost] fits the
//     budget learned from the headers, so a client rarely sees a 429 at all.
//
// Middleware has the standard library shape func(http.RoundTripper)
// http.RoundTripper, so it composes with any other transport wrapper.
package ratelimit
