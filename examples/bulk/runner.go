package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/reachkit/reachkit/examples/internal/checkpoint"
	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
	"github.com/reachkit/reachkit/ratelimit"
)

type config struct {
	in, out  string
	generate int // requests to generate when in does not exist
	workers  int
	model    string
	window   time.Duration // the fake's limits: per window of this length
	rpm, tpm int64
	progress io.Writer
}

type report struct {
	total, done, skipped, failed int
	rejected                     int64   // 429 replies, retried ones included
	utilization                  float64 // of the binding budget, steady windows only
	windows                      int     // windows measured; 0 against a real server
	peakHeap                     uint64
	elapsed                      time.Duration
}

// Result is one line of the output.
type Result struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
}

// bulk sends every request of cfg.in not yet in cfg.out and appends the
// results to cfg.out. When ctx ends no new request starts, but those in
// flight finish and are recorded: a rerun sends nothing twice.
func bulk(ctx context.Context, cfg config) (rep report, err error) {
	start := time.Now()
	if _, err := os.Stat(cfg.in); errors.Is(err, os.ErrNotExist) && cfg.generate > 0 {
		if err := generate(cfg.in, cfg.generate); err != nil {
			return rep, err
		}
	}
	done := map[string]bool{}
	out, err := checkpoint.Open(cfg.out, 100, func(r Result) { done[r.ID] = true })
	if err != nil {
		return rep, err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	if rep.total, rep.skipped, err = count(cfg.in, done); err != nil {
		return rep, err
	}

	var rejected atomic.Int64
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = cfg.workers // keep a connection per worker
	client, fake, closeFake, err := env.OpenAI(cfg.progress,
		[]openaitest.Option{openaitest.WithRateLimits(openaitest.RateLimits{
			Window: cfg.window, Default: openaitest.Limits{RPM: cfg.rpm, TPM: cfg.tpm}})},
		openai.WithHTTPClient(&http.Client{Transport: transport}),
		openai.WithMiddleware(ratelimit.Throttle(ratelimit.NewLimiter(ratelimit.LimiterConfig{})), count429(&rejected)),
		openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: 10}),
		openai.WithTimeout(5*time.Minute))
	if err != nil {
		return rep, err
	}
	defer closeFake()

	bar := startProgress(cfg.progress, rep.total-rep.skipped, &rejected)
	items := make(chan Request, cfg.workers)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(items)
		return feed(gctx, cfg.in, done, items)
	})
	calls := context.WithoutCancel(ctx) // bounded by the client's timeout
	var finished, failed atomic.Int64
	for range cfg.workers {
		g.Go(func() error {
			for req := range items {
				if gctx.Err() != nil {
					return nil // what is left is done by the next run
				}
				res, err := send(calls, client, cfg.model, req)
				if openai.IsAuth(err) || openai.IsQuotaExceeded(err) {
					return err // every other request would fail the same way
				}
				if err != nil {
					failed.Add(1)
					bar.log(fmt.Sprintf("%s: %v", req.ID, err))
					continue
				}
				if err := out.Append(res); err != nil {
					return err
				}
				finished.Add(1)
				bar.add(1)
			}
			return nil
		})
	}
	err = g.Wait()
	rep.peakHeap = bar.stop()
	rep.done, rep.failed, rep.rejected = int(finished.Load()), int(failed.Load()), rejected.Load()
	rep.elapsed = time.Since(start)
	if fake != nil {
		// The run starts with a full budget, which the first two windows
		// spend on top of the refill, and the last window is cut short:
		// the steady state is in between.
		st := fake.RateLimitStats()
		if n := len(st.Windows); n >= 4 {
			rep.utilization, rep.windows = st.Utilization(2, n-1), n-3
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return rep, err
}

func send(ctx context.Context, c *openai.Client, model string, req Request) (Result, error) {
	resp, err := c.Chat.New(ctx, openai.ChatRequest{
		Model:               model,
		Messages:            []openai.ChatMessage{openai.UserMessage(req.Prompt)},
		MaxCompletionTokens: req.MaxTokens,
	})
	if err != nil {
		return Result{}, err
	}
	res := Result{ID: req.ID, Text: resp.Text()}
	if resp.Usage != nil {
		res.PromptTokens, res.CompletionTokens = resp.Usage.PromptTokens, resp.Usage.CompletionTokens
	}
	return res, nil
}

// count429 counts the 429 replies the client receives, retries included.
func count429(n *atomic.Int64) openai.Middleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err == nil && resp.StatusCode == http.StatusTooManyRequests {
				n.Add(1)
			}
			return resp, err
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
