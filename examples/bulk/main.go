// Command bulk runs a large batch of chat requests through one throttled,
// concurrent, resumable runner.
//
// Requests come from a JSONL file ({"id", "prompt", "max_tokens"} a line;
// -n generates one when it does not exist). A fixed pool of workers sends
// them through a ratelimit.Throttle that learns the limits from the replies'
// headers, with ratelimit.Retry for what still fails. Each result is
// appended to a JSONL output that doubles as the checkpoint: interrupt the
// run, start it again, and it skips every id already there. Memory stays
// flat: the input is streamed and only the ids of finished items are kept.
//
// Offline, the fake OpenAI server enforces gpt-4o-mini's tier-1 limits (500
// requests and 200,000 tokens a minute) with the minute scaled down to
// -window, so 10,000 requests take seconds.
//
//	go run ./bulk                        # 10,000 generated requests, offline
//	go run ./bulk -in requests.jsonl -out results.jsonl
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
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C quits at once
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "bulk: interrupted; run the same command again to resume")
		os.Exit(130)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bulk:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	dir := filepath.Join(os.TempDir(), "reachkit-bulk")
	cfg := config{progress: stderr}
	fs := flag.NewFlagSet("bulk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.in, "in", filepath.Join(dir, "requests.jsonl"), "requests, JSONL: {\"id\", \"prompt\", \"max_tokens\"}")
	fs.StringVar(&cfg.out, "out", filepath.Join(dir, "results.jsonl"), "results, JSONL, and the checkpoint: ids found here are skipped")
	fs.IntVar(&cfg.generate, "n", 10_000, "requests to generate when -in does not exist")
	fresh := fs.Bool("fresh", false, "delete -out (and a generated -in) and start over")
	fs.IntVar(&cfg.workers, "workers", 32, "concurrent requests")
	fs.StringVar(&cfg.model, "model", "gpt-4o-mini", "chat model")
	fs.DurationVar(&cfg.window, "window", 500*time.Millisecond, "offline only: how long the fake's rate-limit minute lasts")
	fs.Int64Var(&cfg.rpm, "rpm", 500, "offline only: the fake's requests per window")
	fs.Int64Var(&cfg.tpm, "tpm", 200_000, "offline only: the fake's tokens per window")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *fresh {
		for _, p := range []string{cfg.out, cfg.in} {
			if p == cfg.in && !isUnder(p, dir) {
				continue // never delete a caller's own input
			}
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	for _, p := range []string{cfg.in, cfg.out} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
	}

	rep, err := bulk(ctx, cfg)
	fmt.Fprintf(stdout, "items: %d total, %d done now, %d done before, %d failed (run again to retry them)\n",
		rep.total, rep.done, rep.skipped, rep.failed)
	fmt.Fprintf(stdout, "time: %v (%.0f items/s)\n", rep.elapsed.Round(time.Millisecond), float64(rep.done)/rep.elapsed.Seconds())
	fmt.Fprintf(stdout, "429 replies: %d\n", rep.rejected)
	if rep.windows > 0 {
		fmt.Fprintf(stdout, "utilization: %.3f of the binding limit over %d steady windows of %v\n", rep.utilization, rep.windows, cfg.window)
	} else {
		fmt.Fprintln(stdout, "utilization: known only offline (the fake measures it)")
	}
	fmt.Fprintf(stdout, "peak heap: %.1f MiB\n", float64(rep.peakHeap)/(1<<20))
	fmt.Fprintln(stdout, "results:", cfg.out)
	return err
}

func isUnder(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && filepath.IsLocal(rel)
}
