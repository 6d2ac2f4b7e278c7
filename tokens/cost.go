package tokens

import (
	"fmt"
	"maps"
	"strings"
)

// Price is a model's list price in US dollars per one million tokens.
type Price struct {
	// Input is the price of prompt tokens not served from the prompt cache.
	Input float64
	// CachedInput is the price of prompt tokens served from the prompt
	// cache. Models without a cache discount list their Input price here.
	CachedInput float64
	// Output is the price of completion tokens, reasoning tokens included.
	Output float64
}

// defaultPrices holds OpenAI's standard-tier list prices for text tokens,
// USD per 1M tokens, read from OpenAI's published price list in 2025-08.
// It is never modified: DefaultPrices returns a copy, Prices.With copies.
var defaultPrices = map[string]Price{
	"gpt-5":                        {Input: 1.25, CachedInput: 0.125, Output: 10.00},
	"gpt-5-mini":                   {Input: 0.25, CachedInput: 0.025, Output: 2.00},
	"gpt-5-nano":                   {Input: 0.05, CachedInput: 0.005, Output: 0.40},
	"gpt-4.1":                      {Input: 2.00, CachedInput: 0.50, Output: 8.00},
	"gpt-4.1-mini":                 {Input: 0.40, CachedInput: 0.10, Output: 1.60},
	"gpt-4.1-nano":                 {Input: 0.10, CachedInput: 0.025, Output: 0.40},
	"gpt-4.5-preview":              {Input: 75.00, CachedInput: 37.50, Output: 150.00},
	"gpt-4o":                       {Input: 2.50, CachedInput: 1.25, Output: 10.00},
	"gpt-4o-2024-05-13":            {Input: 5.00, CachedInput: 5.00, Output: 15.00},
	"gpt-4o-mini":                  {Input: 0.15, CachedInput: 0.075, Output: 0.60},
	"gpt-4o-realtime-preview":      {Input: 5.00, CachedInput: 2.50, Output: 20.00},
	"gpt-4o-mini-realtime-preview": {Input: 0.60, CachedInput: 0.30, Output: 2.40},
	"o1":                           {Input: 15.00, CachedInput: 7.50, Output: 60.00},
	"o1-mini":                      {Input: 1.10, CachedInput: 0.55, Output: 4.40},
	"o1-pro":                       {Input: 150.00, CachedInput: 150.00, Output: 600.00},
	"o3":                           {Input: 2.00, CachedInput: 0.50, Output: 8.00},
	"o3-pro":                       {Input: 20.00, CachedInput: 20.00, Output: 80.00},
	"o3-mini":                      {Input: 1.10, CachedInput: 0.55, Output: 4.40},
	"o3-deep-research":             {Input: 10.00, CachedInput: 2.50, Output: 40.00},
	"o4-mini":                      {Input: 1.10, CachedInput: 0.275, Output: 4.40},
	"o4-mini-deep-research":        {Input: 2.00, CachedInput: 0.50, Output: 8.00},
	"codex-mini-latest":            {Input: 1.50, CachedInput: 0.375, Output: 6.00},
	"gpt-4-turbo":                  {Input: 10.00, CachedInput: 10.00, Output: 30.00},
	"gpt-4":                        {Input: 30.00, CachedInput: 30.00, Output: 60.00},
	"gpt-3.5-turbo":                {Input: 0.50, CachedInput: 0.50, Output: 1.50},
	"text-embedding-3-small":       {Input: 0.02, CachedInput: 0.02},
	"text-embedding-3-large":       {Input: 0.13, CachedInput: 0.13},
	"text-embedding-ada-002":       {Input: 0.10, CachedInput: 0.10},
}

// Prices is a price table keyed by model id. The zero value is an empty
// table. A Prices is immutable and safe for concurrent use: With returns a
// new table.
type Prices struct {
	table map[string]Price
}

// DefaultPrices returns a copy of the built-in table of OpenAI list prices
// (standard tier, text tokens). Extend or correct it with With.
func DefaultPrices() Prices {
	return Prices{table: maps.Clone(defaultPrices)}
}

// NewPrices returns a price table holding a copy of table.
func NewPrices(table map[string]Price) Prices {
	return Prices{table: maps.Clone(table)}
}

// With returns a copy of p in which model costs price. The model id is
// matched as Lookup describes, so an entry for "my-model" also prices
// "my-model-2025-01-01", and an entry for "ft:gpt-4o-mini" prices that
// model's fine-tunes.
func (p Prices) With(model string, price Price) Prices {
	t := make(map[string]Price, len(p.table)+1)
	maps.Copy(t, p.table)
	t[strings.ToLower(strings.TrimSpace(model))] = price
	return Prices{table: t}
}

// Lookup returns the price of model: the entry for the model id itself, or
// else for its longest prefix that ends before a '-' or ':' (so a dated
// snapshot such as "gpt-4o-2024-08-06" gets the price of "gpt-4o"). A
// fine-tune id "ft:BASE:org::id" without an entry of its own gets BASE's
// price; OpenAI bills fine-tuned models at their own rates, so add those
// with With("ft:BASE", ...) when exact figures matter.
func (p Prices) Lookup(model string) (Price, bool) {
	m := strings.ToLower(strings.TrimSpace(model))
	if price, ok := p.lookupPrefix(m); ok {
		return price, true
	}
	if strings.HasPrefix(m, "ft:") {
		return p.lookupPrefix(baseModel(m))
	}
	return Price{}, false
}

func (p Prices) lookupPrefix(m string) (Price, bool) {
	if price, ok := p.table[m]; ok {
		return price, true
	}
	var best Price
	bestLen := -1
	for key, price := range p.table {
		if len(key) > bestLen && len(m) > len(key) && strings.HasPrefix(m, key) &&
			(m[len(key)] == '-' || m[len(key)] == ':') {
			best, bestLen = price, len(key)
		}
	}
	return best, bestLen >= 0
}

// Usage is the token usage a response reports.
type Usage struct {
	// PromptTokens counts all prompt tokens, cached ones included.
	PromptTokens int
	// CachedTokens is the part of PromptTokens served from the prompt cache
	// (usage.prompt_tokens_details.cached_tokens).
	CachedTokens int
	// CompletionTokens counts all generated tokens, reasoning included.
	CompletionTokens int
	// ReasoningTokens is the part of CompletionTokens spent on reasoning
	// (usage.completion_tokens_details.reasoning_tokens). It is billed as
	// output within CompletionTokens and does not add to the cost.
	ReasoningTokens int
}

// Cost returns the price in US dollars of a request's usage on model: the
// uncached prompt tokens at the Input rate, the cached ones at the
// CachedInput rate and the completion tokens (reasoning included) at the
// Output rate. A model without a price returns an *UnknownPriceError;
// negative counts, or cached (reasoning) tokens exceeding prompt
// (completion) tokens, return an *InvalidUsageError.
func (p Prices) Cost(model string, u Usage) (float64, error) {
	if err := u.validate(); err != nil {
		return 0, err
	}
	price, ok := p.Lookup(model)
	if !ok {
		return 0, &UnknownPriceError{Model: model}
	}
	uncached := float64(u.PromptTokens - u.CachedTokens)
	usd := uncached*price.Input + float64(u.CachedTokens)*price.CachedInput + float64(u.CompletionTokens)*price.Output
	return usd / 1e6, nil
}

// Cost returns the price in US dollars of a request's usage on model with
// the built-in list prices; see Prices.Cost.
func Cost(model string, u Usage) (float64, error) {
	return Prices{table: defaultPrices}.Cost(model, u)
}

func (u Usage) validate() error {
	switch {
	case u.PromptTokens < 0 || u.CachedTokens < 0 || u.CompletionTokens < 0 || u.ReasoningTokens < 0:
		return &InvalidUsageError{Usage: u, Reason: "token counts cannot be negative"}
	case u.CachedTokens > u.PromptTokens:
		return &InvalidUsageError{Usage: u, Reason: "cached tokens are part of prompt tokens and cannot exceed them"}
	case u.ReasoningTokens > u.CompletionTokens:
		return &InvalidUsageError{Usage: u, Reason: "reasoning tokens are part of completion tokens and cannot exceed them"}
	}
	return nil
}

// UnknownPriceError reports a model the price table has no price for.
type UnknownPriceError struct {
	Model string
}

// Error names the model and says how to add a price for it.
func (e *UnknownPriceError) Error() string {
	return fmt.Sprintf("tokens: no price known for model %q: add one with tokens.DefaultPrices().With(%q, tokens.Price{Input: ..., CachedInput: ..., Output: ...})", e.Model, e.Model)
}

// InvalidUsageError reports usage figures that cannot come from a response.
type InvalidUsageError struct {
	Usage  Usage
	Reason string
}

// Error describes what is wrong with the usage.
func (e *InvalidUsageError) Error() string {
	return fmt.Sprintf("tokens: invalid usage %+v: %s", e.Usage, e.Reason)
}
