package bench

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// throttleRun sizes one run of the throttled workload.
type throttleRun struct {
	window  time.Duration // the simulator's "minute"
	warmup  int           // windows not measured: the client learns the limits
	windows int           // windows measured
	workers int           // concurrent callers sharing one client
	limits  RateLimits
}

// throttleConfig is TPM-bound: each request is charged 27 prompt tokens
// plus 256 maximum output tokens (283), so 60,000 TPM admits about 212
// requests per window while 5,000 RPM never binds. 32 workers with 20–140 ms
// of service latency offer more than that. Under -short (the CI smoke run)
// the windows are shorter and fewer.
func throttleConfig(short bool) throttleRun {
	r := throttleRun{window: time.Second, warmup: 2, windows: 8, workers: 32}
	if short {
		r.window, r.warmup, r.windows = 250*time.Millisecond, 1, 2
	}
	w := r.window
	r.limits = RateLimits{
		Window: w, RPM: 5000, TPM: 60_000,
		Latency: func() time.Duration {
			u := rand.Float64()
			return time.Duration((0.02 + 0.12*u*u) * float64(w))
		},
	}
	return r
}

// throttledReply is ChatReply without the fixed rate-limit headers: the
// simulator sends its own.
func throttledReply() *Reply {
	r := ChatReply()
	return &Reply{Header: http.Header{
		"Content-Type":   {"application/json"},
		"Content-Length": {strconv.Itoa(len(r.Body))},
		"X-Request-Id":   {"req_throttled"},
	}, Body: r.Body}
}

type throttleResult struct {
	SimStats
	failed int64 // calls that returned an error to the caller
	calls  int64
}

func runThrottled(tb testing.TB, sdk string, cfg throttleRun) throttleResult {
	srv := NewRateLimitedServer(cfg.limits, throttledReply())
	defer srv.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * cfg.workers
	defer tr.CloseIdleConnections()
	op, err := ThrottledChat(sdk, Target{BaseURL: srv.BaseURL(), HTTP: &http.Client{Transport: tr}})
	if err != nil {
		tb.Fatal(err)
	}
	total := time.Duration(cfg.warmup+cfg.windows) * cfg.window
	ctx, cancel := context.WithTimeout(context.Background(), total)
	defer cancel()
	var calls, failed atomic.Int64
	var wg sync.WaitGroup
	for range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				err := op(ctx)
				if ctx.Err() != nil {
					return // cut short by the end of the run
				}
				calls.Add(1)
				if err != nil {
					failed.Add(1)
					if errors.Is(err, context.Canceled) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return throttleResult{
		SimStats: srv.Stats(cfg.warmup, cfg.warmup+cfg.windows),
		failed:   failed.Load(),
		calls:    calls.Load(),
	}
}

// BenchmarkThrottledThroughput runs the same TPM-bound chat workload for
// every SDK against the rate-limit simulator and reports the simulator's
// figures over the measured windows: utilization of the binding budget,
// 429s per attempt, attempts made while a 429's advised wait was in force;
// and, over the whole run, the share of calls that returned an error to
// the caller. ns/op is the length of one run, not a cost.
func BenchmarkThrottledThroughput(b *testing.B) {
	cfg := throttleConfig(testing.Short())
	for _, sdk := range SDKs {
		b.Run("sdk="+sdk, func(b *testing.B) {
			var util float64
			var adm, rej, early, failed, calls int64
			for i := 0; i < b.N; i++ {
				r := runThrottled(b, sdk, cfg)
				util += r.Utilization
				adm += r.Admitted
				rej += r.Rejected
				early += r.Early
				failed += r.failed
				calls += r.calls
			}
			n := float64(b.N)
			b.ReportMetric(util/n, "utilization")
			if adm+rej > 0 {
				b.ReportMetric(100*float64(rej)/float64(adm+rej), "429/attempt%")
			}
			b.ReportMetric(float64(rej)/n, "429s")
			b.ReportMetric(float64(adm+rej)/n, "attempts")
			b.ReportMetric(float64(early)/n, "early-attempts")
			if calls > 0 {
				// Over the whole run, warm-up included.
				b.ReportMetric(100*float64(failed)/float64(calls), "failed-call%")
			}
		})
	}
}
