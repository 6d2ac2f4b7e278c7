package tokens

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCost(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model string
		u     Usage
		want  float64
	}{
		{"gpt-4o input and output", "gpt-4o", Usage{PromptTokens: 1_000_000, CompletionTokens: 1_000_000}, 2.50 + 10.00},
		{"dated snapshot", "gpt-4o-2024-08-06", Usage{PromptTokens: 1_000_000}, 2.50},
		{"snapshot with its own price", "gpt-4o-2024-05-13", Usage{PromptTokens: 1_000_000}, 5.00},
		{"mini is not gpt-4o", "gpt-4o-mini-2024-07-18", Usage{PromptTokens: 2_000_000, CompletionTokens: 1_000_000}, 0.30 + 0.60},
		{"fine-tune resolves to base", "ft:gpt-4o-mini:my-org::abc123", Usage{PromptTokens: 1_000_000}, 0.15},
		{"cached tokens at cached rate", "gpt-4.1", Usage{PromptTokens: 1_000_000, CachedTokens: 400_000}, 0.6*2.00 + 0.4*0.50},
		{"all cached", "gpt-5", Usage{PromptTokens: 1_000_000, CachedTokens: 1_000_000}, 0.125},
		{"reasoning not double counted", "o3", Usage{PromptTokens: 1000, CompletionTokens: 5000, ReasoningTokens: 4000}, (1000*2.00 + 5000*8.00) / 1e6},
		{"gpt-5-nano", "gpt-5-nano", Usage{PromptTokens: 10_000, CachedTokens: 2_000, CompletionTokens: 3_000}, (8000*0.05 + 2000*0.005 + 3000*0.40) / 1e6},
		{"embedding", "text-embedding-3-small", Usage{PromptTokens: 1_000_000}, 0.02},
		{"o4-mini", "o4-mini-2025-04-16", Usage{PromptTokens: 1_000_000, CompletionTokens: 1_000_000}, 1.10 + 4.40},
		{"o3-mini is not o3", "o3-mini", Usage{PromptTokens: 1_000_000}, 1.10},
		{"case and space", " GPT-4.1-Nano ", Usage{PromptTokens: 1_000_000}, 0.10},
		{"zero usage", "gpt-4o", Usage{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Cost(tc.model, tc.u)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Cost(%q, %+v) = %.12f, want %.12f", tc.model, tc.u, got, tc.want)
			}
		})
	}
}

func TestDefaultPricesCoverage(t *testing.T) {
	p := DefaultPrices()
	for _, model := range []string{
		"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o1", "o3", "o3-mini", "o4-mini",
		"gpt-5", "gpt-5-mini", "gpt-5-nano", "text-embedding-3-small", "text-embedding-3-large",
	} {
		price, ok := p.Lookup(model)
		if !ok || price.Input <= 0 || price.CachedInput <= 0 || price.CachedInput > price.Input || price.Output < 0 {
			t.Errorf("%s: price %+v, %v", model, price, ok)
		}
	}
}

func TestCostErrors(t *testing.T) {
	var pe *UnknownPriceError
	for _, model := range []string{"mystery-model", "", "gpt-4omega", "ft:mystery:org::id"} {
		_, err := Cost(model, Usage{PromptTokens: 1})
		if !errors.As(err, &pe) || pe.Model != model || !strings.Contains(err.Error(), "With(") {
			t.Errorf("Cost(%q) err = %v, want *UnknownPriceError", model, err)
		}
	}
	var ue *InvalidUsageError
	for _, u := range []Usage{
		{PromptTokens: -1},
		{CompletionTokens: -1},
		{PromptTokens: 10, CachedTokens: 11},
		{CompletionTokens: 10, ReasoningTokens: 11},
		{CachedTokens: -1},
	} {
		if _, err := Cost("gpt-4o", u); !errors.As(err, &ue) {
			t.Errorf("Cost(%+v) err = %v, want *InvalidUsageError", u, err)
		}
	}
}

func TestPricesOverride(t *testing.T) {
	base := DefaultPrices()
	mine := base.With("my-model", Price{Input: 1, CachedInput: 0.5, Output: 2}).
		With("gpt-4o", Price{Input: 100, CachedInput: 100, Output: 100}).
		With("ft:gpt-4o-mini", Price{Input: 0.30, CachedInput: 0.15, Output: 1.20})

	for _, tc := range []struct {
		p     Prices
		model string
		want  float64
		ok    bool
	}{
		{mine, "my-model", 1, true},
		{mine, "my-model-2025-01-01", 1, true},
		{mine, "gpt-4o", 100, true},
		{mine, "gpt-4o-2024-11-20", 100, true},
		{mine, "ft:gpt-4o-mini:org::id", 0.30, true},
		{mine, "gpt-4o-mini", 0.15, true},
		{base, "gpt-4o", 2.50, true},
		{base, "my-model", 0, false},
		{DefaultPrices(), "gpt-4o", 2.50, true},
		{Prices{}, "gpt-4o", 0, false},
		{NewPrices(map[string]Price{"local": {Input: 3}}), "local-v2", 3, true},
	} {
		price, ok := tc.p.Lookup(tc.model)
		if ok != tc.ok || price.Input != tc.want {
			t.Errorf("Lookup(%q) = %+v, %v; want Input %v, %v", tc.model, price, ok, tc.want, tc.ok)
		}
	}
	if got, err := mine.Cost("my-model", Usage{PromptTokens: 2_000_000, CachedTokens: 1_000_000, CompletionTokens: 1_000_000}); err != nil || got != 1+0.5+2 {
		t.Errorf("mine.Cost = %v, %v", got, err)
	}
	// The built-in table is not affected by overrides of any copy.
	if got, _ := Cost("gpt-4o", Usage{PromptTokens: 1_000_000}); got != 2.50 {
		t.Errorf("default gpt-4o price changed: %v", got)
	}
	src := map[string]Price{"x": {Input: 1}}
	p := NewPrices(src)
	src["x"] = Price{Input: 9}
	if price, _ := p.Lookup("x"); price.Input != 1 {
		t.Error("NewPrices does not copy its map")
	}
}
