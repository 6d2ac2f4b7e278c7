package templates

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/reachkit/reachkit/openai"
)

// Meter adds up the tokens and cost a client's usage hook reports; give
// its Record method to openai.WithUsageHook.
type Meter struct {
	mu                 sync.Mutex
	prompt, completion int
	usd                float64
	unpriced           []string
}

// Record adds one call.
func (m *Meter) Record(_ context.Context, ev openai.UsageEvent) {
	if ev.PromptTokens+ev.CompletionTokens == 0 {
		return // moderation is free and reports no usage
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prompt += ev.PromptTokens
	m.completion += ev.CompletionTokens
	m.usd += ev.Cost
	if !ev.CostKnown {
		m.unpriced = append(m.unpriced, ev.Model)
	}
}

// String reports the totals.
func (m *Meter) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := fmt.Sprintf("cost: $%.6f for %d prompt + %d completion tokens", m.usd, m.prompt, m.completion)
	if len(m.unpriced) > 0 {
		s += fmt.Sprintf(" (no price for %s: add it with openai.WithPrices)", strings.Join(m.unpriced, ", "))
	}
	return s
}
