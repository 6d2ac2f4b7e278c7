package main

import (
	"context"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reachkit/reachkit/openai"
)

// metrics turns the client's usage events into Prometheus series. Give its
// observe method to openai.WithUsageHook.
type metrics struct {
	tokens   *prometheus.CounterVec
	cost     *prometheus.CounterVec
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// newMetrics registers the series with reg. A registry of your own, rather
// than the global default, keeps tests and several clients apart.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openai_tokens_total",
			Help: "Tokens used, by model and type: prompt, completion, cached (part of prompt) and reasoning (part of completion).",
		}, []string{"model", "type"}),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openai_cost_usd_total",
			Help: "Price of the tokens used, in US dollars, by model. Models missing from the price table are not counted.",
		}, []string{"model"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openai_requests_total",
			Help: "Calls, by model, endpoint and HTTP status of the final attempt (0: no reply).",
		}, []string{"model", "endpoint", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "openai_request_duration_seconds",
			Help:    "Duration of a call, retries and rate-limit waits included, by model and endpoint.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80},
		}, []string{"model", "endpoint"}),
	}
	reg.MustRegister(m.tokens, m.cost, m.requests, m.latency)
	return m
}

// observe records one call. It runs on the caller's goroutine, so it only
// updates counters.
func (m *metrics) observe(_ context.Context, ev openai.UsageEvent) {
	for _, t := range [...]struct {
		typ string
		n   int
	}{{"prompt", ev.PromptTokens}, {"completion", ev.CompletionTokens}, {"cached", ev.CachedTokens}, {"reasoning", ev.ReasoningTokens}} {
		m.tokens.WithLabelValues(ev.Model, t.typ).Add(float64(t.n))
	}
	if ev.CostKnown {
		m.cost.WithLabelValues(ev.Model).Add(ev.Cost)
	}
	m.requests.WithLabelValues(ev.Model, ev.Endpoint, strconv.Itoa(ev.Status)).Inc()
	m.latency.WithLabelValues(ev.Model, ev.Endpoint).Observe(ev.Latency.Seconds())
}
