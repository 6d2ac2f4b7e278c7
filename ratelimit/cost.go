package ratelimit

import "context"

// Cost is what one request spends from a rate-limit budget. The client that
// builds a request attaches it to the request's context with [WithCost];
// [Throttle] reads it back.
type Cost struct {
	// Key names the budget the request is charged to: the model for OpenAI,
	// an endpoint group for Brevo. Requests with an empty key are not throttled.
	Key string
	// Requests is the number of requests charged, normally 1; zero or less
	// counts as 1.
	Requests int64
	// Tokens is the token charge at admission: an estimate of the prompt plus
	// the maximum output the request may produce, as the server computes it
	// (OpenAI: about one token per four characters of prompt, plus n times
	// max_tokens or max_completion_tokens). Negative counts as 0.
	Tokens int64
}

type costKey struct{}

// WithCost returns a copy of ctx that carries c.
func WithCost(ctx context.Context, c Cost) context.Context {
	return context.WithValue(ctx, costKey{}, c)
}

// CostFrom returns the Cost carried by ctx, if any.
func CostFrom(ctx context.Context) (Cost, bool) {
	c, ok := ctx.Value(costKey{}).(Cost)
	return c, ok
}
