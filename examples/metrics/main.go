// Command metrics exports the OpenAI client's usage as Prometheus metrics:
// tokens by model and type, cost in US dollars, calls by model, endpoint and
// status, and a latency histogram, all fed by openai.WithUsageHook.
//
// It serves /metrics, makes a few calls, and prints what a scrape returns.
// With -serve it keeps serving until interrupted, for a Prometheus to scrape.
//
//	go run ./metrics
//	go run ./metrics -addr :9464 -serve
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "metrics:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9464", "address to serve /metrics on")
	serve := fs.Bool("serve", false, "keep serving after the calls, until interrupted")
	if err := fs.Parse(args); err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/metrics"
	fmt.Fprintln(stderr, "serving", url)

	client, _, closeFake, err := env.OpenAI(stderr, nil, openai.WithUsageHook(m.observe))
	if err != nil {
		return err
	}
	defer closeFake()
	if _, err := demoCalls(ctx, client); err != nil {
		return err
	}

	if err := printScrape(ctx, url, stdout); err != nil {
		return err
	}
	if *serve {
		fmt.Fprintln(stderr, "serving until interrupted")
		<-ctx.Done()
	}
	return nil
}

// printScrape fetches url and prints the openai_ series, as Prometheus
// would see them.
func printScrape(ctx context.Context, url string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("scrape: " + resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "openai_") && !strings.Contains(line, "_bucket{") {
			fmt.Fprintln(w, line)
		}
	}
	return sc.Err()
}
