package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/reachkit/reachkit/openai"
)

// meter adds up the tokens and cost the client's usage hook reports.
type meter struct {
	mu                 sync.Mutex
	prompt, completion int
	usd                float64
	unpriced           []string
}

func (m *meter) record(_ context.Context, ev openai.UsageEvent) {
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

func (m *meter) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := fmt.Sprintf("cost: $%.6f for %d prompt + %d completion tokens", m.usd, m.prompt, m.completion)
	if len(m.unpriced) > 0 {
		s += fmt.Sprintf(" (no price for %s: add it with openai.WithPrices)", strings.Join(m.unpriced, ", "))
	}
	return s
}
