// Command sentiment-to-brevo scores customer feedback with structured output
// and writes the scores to the customers' Brevo contacts.
//
// It reads email,text rows (CSV or JSONL), scores each contact's feedback as
// {score -1..1, label, topics} with concurrent, throttled calls, records each
// score in a JSONL checkpoint as it arrives, and writes SENTIMENT_SCORE and
// SENTIMENT_LABEL with Brevo's batch update. Interrupt it and the calls in
// flight finish and are recorded; run it again and it skips what is done.
//
//	go run ./sentiment-to-brevo                     # the bundled sample
//	go run ./sentiment-to-brevo -in feedback.jsonl  # your own data
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/examples/internal/checkpoint"
	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C quits at once
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "sentiment-to-brevo: interrupted; run the same command again to resume")
		os.Exit(130)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sentiment-to-brevo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment-to-brevo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "feedback, CSV (email,text header) or JSONL; default: the bundled sample")
	cpPath := fs.String("checkpoint", filepath.Join(os.TempDir(), "reachkit-sentiment.jsonl"), "JSONL file of finished scores; a rerun skips them")
	fresh := fs.Bool("fresh", false, "delete the checkpoint and score everything again")
	workers := fs.Int("workers", 8, "concurrent scoring calls")
	model := fs.String("model", "gpt-4o-mini", "chat model")
	if err := fs.Parse(args); err != nil {
		return err
	}
	items, err := loadFeedback(*in)
	if err != nil {
		return err
	}

	// One Limiter per API key: it learns the limits from the replies'
	// headers and holds requests back instead of collecting 429s.
	lim := ratelimit.NewLimiter(ratelimit.LimiterConfig{})
	oa, _, closeOA, err := env.OpenAI(stderr, nil,
		openai.WithMiddleware(ratelimit.Throttle(lim)),
		openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: 5}),
		openai.WithTimeout(2*time.Minute))
	if err != nil {
		return err
	}
	defer closeOA()
	bv, bfake, closeBV, err := env.Brevo(stderr, nil, brevo.WithMiddleware(brevo.Throttle()))
	if err != nil {
		return err
	}
	defer closeBV()
	if bfake != nil {
		if err := seedContacts(ctx, bfake, items); err != nil {
			return err
		}
	}
	// Before spending tokens: the attributes the scores go to must exist.
	if _, err := bv.Attributes.Ensure(ctx, []brevo.AttributeSpec{
		{Name: "SENTIMENT_SCORE", Type: brevo.AttributeFloat},
		{Name: "SENTIMENT_LABEL", Type: brevo.AttributeText},
	}); err != nil {
		return err
	}

	if *fresh {
		if err := os.Remove(*cpPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	var mu sync.Mutex // guards scores and skipped
	scores := map[string]Scored{}
	cp, err := checkpoint.Open(*cpPath, 16, func(s Scored) { scores[s.Email] = s })
	if err != nil {
		return err
	}
	var todo []Feedback
	for _, fb := range items {
		if _, ok := scores[fb.Email]; !ok {
			todo = append(todo, fb)
		}
	}
	fmt.Fprintf(stderr, "%d contacts: %d already scored (%s), %d to score\n", len(items), len(items)-len(todo), *cpPath, len(todo))

	sc, err := newScorer(oa, *model)
	if err != nil {
		cp.Close()
		return err
	}
	bar := newProgress(stderr, len(todo))
	skipped := 0
	err = scoreAll(ctx, sc, todo, *workers, func(s Scored) error {
		mu.Lock()
		scores[s.Email] = s
		mu.Unlock()
		bar.add(1)
		return cp.Append(s)
	}, func(err error) {
		mu.Lock()
		skipped++
		mu.Unlock()
		bar.log("skipped " + err.Error())
	})
	bar.finish()
	if err = errors.Join(err, cp.Close()); err != nil {
		return err
	}
	return writeScores(ctx, bv, items, scores, skipped, stdout)
}

// scoreAll scores items with at most workers calls at a time. When ctx ends
// (an interrupt), no new call starts but the calls in flight finish and are
// recorded, so nothing paid for is lost. An unusable answer goes to skip (a
// rerun tries again); any other failure stops the run.
func scoreAll(ctx context.Context, sc *scorer, items []Feedback, workers int, record func(Scored) error, skip func(error)) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	calls := context.WithoutCancel(ctx) // bounded by the client's timeout
	for _, fb := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil
			}
			s, err := sc.score(calls, fb)
			if errors.Is(err, errUnusable) {
				skip(err)
				return nil
			}
			if err != nil {
				return fmt.Errorf("scoring %s: %w", fb.Email, err)
			}
			return record(s)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
