package main

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
	"github.com/reachkit/reachkit/tokens"
)

// scrape fetches /metrics from h and parses it.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// value returns the counter, or the histogram's count, with these labels.
func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := families[name]
	if f == nil {
		return math.NaN()
	}
next:
	for _, m := range f.Metric {
		for _, l := range m.Label {
			if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
				continue next
			}
		}
		if m.Histogram != nil {
			return float64(m.Histogram.GetSampleCount())
		}
		return m.Counter.GetValue()
	}
	return math.NaN()
}

func TestCountersEqualTheCallsUsage(t *testing.T) {
	fake := openaitest.NewServer(t)
	// One reply reports cached and reasoning tokens, which the fake's
	// default replies do not.
	fake.Enqueue("chat/completions", openaitest.JSON(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": "Spring into savings"}}},
		"usage": map[string]any{"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500,
			"prompt_tokens_details": map[string]any{"cached_tokens": 1024}, "completion_tokens_details": map[string]any{"reasoning_tokens": 256}},
	}))
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	client := fake.Client(openai.WithUsageHook(m.observe))
	ctx := context.Background()
	got, err := demoCalls(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	fake.Enqueue("chat/completions", openaitest.Error(400, "invalid_value", "bad request"))
	if _, err := client.Chat.New(ctx, openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage("x")}}); err == nil {
		t.Fatal("the scripted 400 did not fail the call")
	}

	families := scrape(t, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if got["gpt-4o-mini"].cached != 1024 || got["gpt-4o-mini"].reasoning != 256 {
		t.Fatalf("the scripted usage was not used: %+v", *got["gpt-4o-mini"])
	}
	for model, u := range got {
		for typ, want := range map[string]int{"prompt": u.prompt, "completion": u.completion, "cached": u.cached, "reasoning": u.reasoning} {
			if v := value(families, "openai_tokens_total", map[string]string{"model": model, "type": typ}); v != float64(want) {
				t.Errorf("openai_tokens_total{model=%q,type=%q} = %v, want %d", model, typ, v, want)
			}
		}
		cost, err := tokens.Cost(model, tokens.Usage{PromptTokens: u.prompt, CachedTokens: u.cached, CompletionTokens: u.completion, ReasoningTokens: u.reasoning})
		if err != nil {
			t.Fatal(err)
		}
		if v := value(families, "openai_cost_usd_total", map[string]string{"model": model}); math.Abs(v-cost) > 1e-12 {
			t.Errorf("openai_cost_usd_total{model=%q} = %v, want %v", model, v, cost)
		}
	}
	for _, c := range []struct {
		model, endpoint, status string
		want                    float64
	}{
		{"gpt-4o-mini", "chat/completions", "200", 3},
		{"gpt-4o-mini", "chat/completions", "400", 1},
		{"text-embedding-3-small", "embeddings", "200", 1},
	} {
		labels := map[string]string{"model": c.model, "endpoint": c.endpoint, "status": c.status}
		if v := value(families, "openai_requests_total", labels); v != c.want {
			t.Errorf("openai_requests_total%v = %v, want %v", labels, v, c.want)
		}
	}
	if v := value(families, "openai_request_duration_seconds", map[string]string{"model": "gpt-4o-mini", "endpoint": "chat/completions"}); v != 4 {
		t.Errorf("latency histogram counted %v chat calls, want 4", v)
	}
}

func TestRunServesAndPrintsTheScrape(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`openai_requests_total{endpoint="chat/completions",model="gpt-4o-mini",status="200"} 3`, `openai_cost_usd_total{model="text-embedding-3-small"}`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "in-process fake") {
		t.Errorf("stderr: %s", errOut.String())
	}
}
