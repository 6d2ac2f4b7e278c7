package openai

import (
	"context"
	"net/http"
	"time"

	"github.com/reachkit/reachkit/tokens"
)

// UsageEvent describes one call, for metering: tokens, cost, latency and
// outcome. See WithUsageHook.
type UsageEvent struct {
	Model    string        // the model the call was sent with
	Endpoint string        // the API path, e.g. "chat/completions"
	Status   int           // HTTP status of the final attempt; 0 when no reply came
	Attempts int           // HTTP attempts, retries included; 0 when served from the cache
	Latency  time.Duration // from the call to its end, waits included
	Cached   bool          // served from the cache, no request sent
	Stream   bool          // a stream, reported when it ended
	Fallback bool          // this call went to a fallback model (see WithFallback)
	Err      error         // the call's error, if it failed

	PromptTokens     int
	CachedTokens     int // part of PromptTokens
	CompletionTokens int
	ReasoningTokens  int // part of CompletionTokens

	// Cost is the price of the tokens in US dollars. CostKnown is false when
	// the model has no price in the table (see WithPrices): the cost is then
	// unknown, not zero.
	Cost      float64
	CostKnown bool
}

// WithUsageHook calls hook once per logical call, when it ends (a stream
// when it ends or is closed), with its model, endpoint, status, attempts,
// latency, token usage and cost; with WithFallback, once per model tried.
// The hook runs on the caller's goroutine and must be quick: hand the event
// to a metrics library, not to the network.
func WithUsageHook(hook func(context.Context, UsageEvent)) Option {
	return func(c *config) { c.usageHook = hook }
}

// WithPrices sets the price table used for UsageEvent.Cost (by default
// tokens.DefaultPrices()).
func WithPrices(p tokens.Prices) Option { return func(c *config) { c.prices = &p } }

// usageReporter is implemented by replies that carry token usage.
type usageReporter interface{ tokenUsage() (tokens.Usage, bool) }

func usageOf(out any) (tokens.Usage, bool) {
	if r, ok := out.(usageReporter); ok && r != nil {
		return r.tokenUsage()
	}
	return tokens.Usage{}, false
}

func (c *ChatCompletion) tokenUsage() (tokens.Usage, bool) {
	if c == nil || c.Usage == nil {
		return tokens.Usage{}, false
	}
	return c.Usage.Tokens(), true
}

// Tokens converts the usage for package tokens, to price it with
// tokens.Cost.
func (u *Usage) Tokens() tokens.Usage {
	return tokens.Usage{PromptTokens: u.PromptTokens, CachedTokens: u.PromptTokensDetails.CachedTokens,
		CompletionTokens: u.CompletionTokens, ReasoningTokens: u.CompletionTokensDetails.ReasoningTokens}
}

func (r *Response) tokenUsage() (tokens.Usage, bool) {
	if r == nil || r.Usage == nil {
		return tokens.Usage{}, false
	}
	return r.Usage.Tokens(), true
}

// Tokens converts the usage for package tokens, to price it with
// tokens.Cost.
func (u *ResponseUsage) Tokens() tokens.Usage {
	return tokens.Usage{PromptTokens: u.InputTokens, CachedTokens: u.InputTokensDetails.CachedTokens,
		CompletionTokens: u.OutputTokens, ReasoningTokens: u.OutputTokensDetails.ReasoningTokens}
}

func (r *EmbeddingResponse) tokenUsage() (tokens.Usage, bool) {
	if r == nil {
		return tokens.Usage{}, false
	}
	return tokens.Usage{PromptTokens: r.Usage.PromptTokens}, true
}

// report calls the usage hook for a finished call.
func (co *core) report(ctx context.Context, cl *call, meta Meta, out any, start time.Time, attempts int, err error) {
	if co.usageHook == nil {
		return
	}
	ev := UsageEvent{Model: cl.model, Endpoint: pathOnly(cl.path), Status: meta.StatusCode, Attempts: attempts,
		Latency: time.Since(start), Cached: meta.Cached, Fallback: meta.FallbackReason != "", Stream: cl.stream, Err: err}
	if meta.Model != "" {
		ev.Model = meta.Model
	}
	if err == nil && ev.Status == 0 {
		ev.Status = http.StatusOK
	}
	if u, ok := usageOf(out); ok {
		co.fillUsage(&ev, u)
	}
	co.usageHook(ctx, ev)
}

func (co *core) fillUsage(ev *UsageEvent, u tokens.Usage) {
	ev.PromptTokens, ev.CachedTokens, ev.CompletionTokens, ev.ReasoningTokens = u.PromptTokens, u.CachedTokens, u.CompletionTokens, u.ReasoningTokens
	if ev.Cached {
		return // a cached reply costs nothing
	}
	if cost, err := co.prices.Cost(ev.Model, u); err == nil {
		ev.Cost, ev.CostKnown = cost, true
	}
}
