package ratelimit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reachkit/reachkit/internal/ratesim"
	"github.com/reachkit/reachkit/ratelimit"
)

// soak runs the saturation workloads at full length (≥ 20 measured windows
// of one second each) instead of the short version the default run asserts.
var soak = flag.Bool("soak", false, "run the saturation workloads at full length")

// workload is a TPM-bound chat workload against the simulator: many
// workers, heavy-tailed prompt sizes, max_tokens 200–800.
type workload struct {
	mode     string // "throttle", "reactive" (Retry only), "cookbook"
	window   time.Duration
	warmup   int // windows not measured
	windows  int // windows measured
	workers  int
	limits   ratesim.Limits
	refund   bool
	coTenant float64
	cutAt    int // window at which every limit is halved; 0 for none
	seed     uint64
}

type windowRow struct {
	util     float64
	rejected int64
	early    int64
	admitted int64
	limit    float64 // token capacity
	wasted   float64 // tokens lost to a full budget
}

type result struct {
	util     float64 // binding budget, measured windows
	eff      float64 // binding budget not wasted on a full budget, measured windows
	rejected int64   // 429s in the measured windows
	early    int64   // attempts during a 429-advised pause, measured windows
	total429 int64   // 429s over the whole run
	calls    int64   // logical requests finished (any outcome)
	failed   int64   // logical requests that ended in an error or non-2xx
	retries  int64   // attempts beyond the first
	p50, p99 time.Duration
	trace    []windowRow
}

func (r result) String() string {
	return fmt.Sprintf("utilization %.3f  efficiency %.3f  429s %d (whole run %d)  early attempts %d  calls %d  failed %d  retries %d  p50 %v  p99 %v",
		r.util, r.eff, r.rejected, r.total429, r.early, r.calls, r.failed, r.retries, r.p50.Round(time.Millisecond), r.p99.Round(time.Millisecond))
}

// completionHandler answers chat completions with a usage whose
// completion_tokens is heavy-tailed below max_tokens.
func completionHandler(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MaxTokens int64 `json:"max_tokens"`
		Messages  []struct {
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	u := rand.Float64()
	completion := int64(float64(req.MaxTokens) * (0.05 + 0.95*u*u*u))
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(m.Content) / 4
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"chatcmpl-sim","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`,
		prompt, completion, int64(prompt)+completion)
}

func runWorkload(tb testing.TB, w workload) result {
	tb.Helper()
	sim := ratesim.New(ratesim.Config{
		Window:  w.window,
		Default: w.limits,
		Refund:  w.refund,
		LatencyFunc: func(_, _ int64) time.Duration {
			u := rand.Float64()
			return time.Duration((0.02 + 0.12*u*u) * float64(w.window))
		},
		CoTenant: w.coTenant,
	})
	srv := httptest.NewServer(sim.Wrap(http.HandlerFunc(completionHandler)))
	defer srv.Close()
	transport := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	var remSeen []float64
	var remMu sync.Mutex
	base := countAttempts{next: transport, rem: &remSeen, mu: &remMu}

	var rt http.RoundTripper
	var lim *ratelimit.Limiter
	switch w.mode {
	case "throttle":
		lim = ratelimit.NewLimiter(ratelimit.LimiterConfig{Refunds: w.refund})
		rt = ratelimit.Retry(ratelimit.RetryPolicy{MaxRetries: 4})(ratelimit.Throttle(lim)(base))
	case "reactive":
		rt = ratelimit.Retry(ratelimit.DefaultRetryPolicy())(base)
	case "cookbook":
		rt = newCookbook(base, w.limits, w.window)
	default:
		tb.Fatalf("unknown mode %q", w.mode)
	}
	client := &http.Client{Transport: rt}

	total := time.Duration(w.warmup+w.windows) * w.window
	ctx, cancel := context.WithTimeout(context.Background(), total+w.window/10)
	defer cancel()
	if w.cutAt > 0 {
		cut := time.AfterFunc(time.Duration(w.cutAt)*w.window, func() {
			sim.SetLimits("", ratesim.Limits{RPM: w.limits.RPM / 2, TPM: w.limits.TPM / 2})
		})
		defer cut.Stop()
	}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		res       result
		retries   atomic.Int64
	)
	var wg sync.WaitGroup
	for i := range w.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(w.seed, uint64(i)))
			for ctx.Err() == nil {
				d, ok, attempts := oneCall(ctx, client, srv.URL+"/v1/chat/completions", rng)
				retries.Add(int64(max(attempts-1, 0)))
				if ctx.Err() != nil && !ok {
					return // cut short by the end of the run
				}
				mu.Lock()
				res.calls++
				if ok {
					latencies = append(latencies, d)
				} else {
					res.failed++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	st := sim.Stats()
	from, to := w.warmup, w.warmup+w.windows
	res.util = st.Utilization(from, to)
	res.eff = st.Efficiency(from, to)
	res.retries = retries.Load()
	res.total429 = st.Rejected
	for i, win := range st.Windows {
		res.trace = append(res.trace, windowRow{util: win.Utilization(), rejected: win.Rejected, early: win.EarlyAttempts, admitted: win.Admitted, limit: win.TokenCapacity, wasted: win.WastedTokens})
		if i >= from && i < to {
			res.rejected += win.Rejected
			res.early += win.EarlyAttempts
		}
	}
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		res.p50 = latencies[n/2]
		res.p99 = latencies[min(n-1, n*99/100)]
	}
	if len(remSeen) > 0 {
		slices.Sort(remSeen)
		n := len(remSeen)
		tb.Logf("remaining-tokens seen: p10 %.0f p50 %.0f p90 %.0f", remSeen[n/10], remSeen[n/2], remSeen[n*9/10])
	}
	if lim != nil {
		for _, k := range lim.Snapshot() {
			tb.Logf("limiter state %s: tokens limit %d window %v available %.0f; requests limit %d window %v",
				k.Key, k.Tokens.Limit, k.Tokens.Window, k.Tokens.Available, k.Requests.Limit, k.Requests.Window)
		}
	}
	return res
}

// oneCall sends one chat request and reads the reply. It reports the
// logical request's duration, throttle waits and retries included, whether
// it succeeded, and how many attempts it took.
func oneCall(ctx context.Context, client *http.Client, url string, rng *rand.Rand) (time.Duration, bool, int) {
	// Pareto-distributed prompt: most are short, a few are long.
	chars := int(300 / math.Pow(1-rng.Float64(), 1/1.3))
	chars = min(chars, 24_000)
	maxTokens := int64(200 + rng.IntN(601))
	body, _ := json.Marshal(map[string]any{
		"model":      "gpt-4o-mini",
		"messages":   []map[string]string{{"role": "user", "content": strings.Repeat("a", chars)}},
		"max_tokens": maxTokens,
	})
	ctx = ratelimit.WithCost(ctx, ratelimit.Cost{Key: "gpt-4o-mini", Requests: 1, Tokens: int64((chars+3)/4) + maxTokens})
	ctx, info := ratelimit.WithRetryInfo(ctx)
	ctx, settle := ratelimit.WithSettlement(ctx)
	sent := new(atomic.Int64)
	ctx = context.WithValue(ctx, attemptsKey{}, sent)
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return time.Since(start), false, int(sent.Load())
	}
	defer resp.Body.Close()
	if info.Attempts() != int(sent.Load()) && info.Attempts() != 0 {
		panic(fmt.Sprintf("RetryInfo counted %d attempts, the transport saw %d", info.Attempts(), sent.Load()))
	}
	var out struct {
		Usage struct {
			CompletionTokens int64 `json:"completion_tokens"`
		} `json:"usage"`
	}
	derr := json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK || derr != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return time.Since(start), false, int(sent.Load())
	}
	settle.Refund(maxTokens - out.Usage.CompletionTokens)
	return time.Since(start), true, int(sent.Load())
}

// cookbook ports the algorithm of the OpenAI cookbook's
// api_request_parallel_processor.py: request and token buckets fixed at the
// limits it is told, refilled continuously, charged prompt + max_tokens; after
// a 429 every request waits until 15 s (scaled) have passed since the last
// one; a failed request is retried up to 5 attempts in all.
type cookbook struct {
	next        http.RoundTripper
	rpm, tpm    float64 // per window
	window      time.Duration
	cooldown    time.Duration
	maxAttempts int

	mu      sync.Mutex
	reqCap  float64
	tokCap  float64
	updated time.Time
	last429 time.Time
}

func newCookbook(next http.RoundTripper, l ratesim.Limits, window time.Duration) *cookbook {
	return &cookbook{next: next, rpm: float64(l.RPM), tpm: float64(l.TPM), window: window,
		cooldown: window / 4, maxAttempts: 5, reqCap: float64(l.RPM), tokCap: float64(l.TPM), updated: time.Now()}
}

func (c *cookbook) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cost, _ := ratelimit.CostFrom(ctx)
	for attempt := 1; ; attempt++ {
		if err := c.admit(ctx, float64(cost.Tokens)); err != nil {
			return nil, err
		}
		r := req.Clone(ctx)
		if req.GetBody != nil {
			r.Body, _ = req.GetBody()
		}
		resp, err := c.next.RoundTrip(r)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt == c.maxAttempts {
			return resp, err
		}
		c.mu.Lock()
		c.last429 = time.Now()
		c.mu.Unlock()
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func (c *cookbook) admit(ctx context.Context, tokens float64) error {
	for {
		c.mu.Lock()
		now := time.Now()
		dt := now.Sub(c.updated).Seconds() / c.window.Seconds()
		c.reqCap = math.Min(c.rpm, c.reqCap+c.rpm*dt)
		c.tokCap = math.Min(c.tpm, c.tokCap+c.tpm*dt)
		c.updated = now
		var wait time.Duration
		switch {
		case now.Sub(c.last429) < c.cooldown:
			wait = c.cooldown - now.Sub(c.last429)
		case c.reqCap >= 1 && c.tokCap >= tokens:
			c.reqCap--
			c.tokCap -= tokens
			c.mu.Unlock()
			return nil
		default:
			need := math.Max((1-c.reqCap)/c.rpm, (tokens-c.tokCap)/c.tpm)
			wait = max(time.Duration(need*float64(c.window)), time.Millisecond)
		}
		c.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

type attemptsKey struct{}

// countAttempts counts, per logical request, the attempts that reach the
// network.
type countAttempts struct {
	next http.RoundTripper
	rem  *[]float64
	mu   *sync.Mutex
}

func (c countAttempts) RoundTrip(req *http.Request) (*http.Response, error) {
	if n, ok := req.Context().Value(attemptsKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	resp, err := c.next.RoundTrip(req)
	if err == nil && c.rem != nil {
		if v, e := strconv.ParseFloat(resp.Header.Get("X-Ratelimit-Remaining-Tokens"), 64); e == nil {
			c.mu.Lock()
			*c.rem = append(*c.rem, v)
			c.mu.Unlock()
		}
	}
	return resp, err
}
