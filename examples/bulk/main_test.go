package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reachkit/reachkit/openai/openaitest"
)

// outputIDs counts how often each id appears in a results file.
func outputIDs(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad result line %q: %v", sc.Text(), err)
		}
		if r.Text == "" {
			t.Fatalf("result %s has no text", r.ID)
		}
		ids[r.ID]++
	}
	return ids
}

func checkExactlyOnce(t *testing.T, out string, n int) {
	t.Helper()
	ids := outputIDs(t, out)
	if len(ids) != n {
		t.Errorf("%d distinct ids in the output, want %d", len(ids), n)
	}
	for id, c := range ids {
		if c != 1 {
			t.Errorf("%s appears %d times", id, c)
		}
	}
}

func offline(t *testing.T) {
	for _, k := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL"} {
		t.Setenv(k, "")
	}
}

// TestSaturatesTheLimitWithoutLosingItems runs a scaled-down batch against
// the fake's rate-limit simulator: the runner must keep the binding budget
// busy, draw few 429s, and record every item exactly once. The rate (100
// requests a second) stays low enough that a busy machine running the race
// detector keeps up; `go run ./bulk` runs the full size, 10,000 requests at
// 1,000 a second.
func TestSaturatesTheLimitWithoutLosingItems(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	const n = 400
	cfg := config{in: filepath.Join(dir, "in.jsonl"), out: filepath.Join(dir, "out.jsonl"), generate: n, workers: 16,
		model: "gpt-4o-mini", window: 200 * time.Millisecond, rpm: 20, tpm: 200_000, progress: io.Discard}
	rep, err := bulk(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("done %d in %v; utilization %.3f over %d windows; %d 429s; peak heap %.1f MiB",
		rep.done, rep.elapsed.Round(time.Millisecond), rep.utilization, rep.windows, rep.rejected, float64(rep.peakHeap)/(1<<20))
	if rep.done != n || rep.failed != 0 || rep.total != n {
		t.Errorf("report %+v, want all %d done", rep, n)
	}
	if rep.windows < 4 || rep.utilization < 0.9 {
		t.Errorf("utilization %.3f over %d windows, want ≥ 0.9", rep.utilization, rep.windows)
	}
	if rep.rejected > n/100 {
		t.Errorf("%d 429s: the throttle should prevent nearly all", rep.rejected)
	}
	if rep.peakHeap == 0 || rep.peakHeap > 256<<20 {
		t.Errorf("peak heap %d", rep.peakHeap)
	}
	checkExactlyOnce(t, cfg.out, n)

	// A rerun finds everything done and sends nothing.
	rep, err = bulk(context.Background(), cfg)
	if err != nil || rep.done != 0 || rep.skipped != n {
		t.Fatalf("rerun: %+v, %v", rep, err)
	}
}

// TestInterruptAndResume interrupts a run after some requests, then runs it
// again: every id must be requested, and recorded, exactly once.
func TestInterruptAndResume(t *testing.T) {
	oa := openaitest.NewServer(t)
	target, _ := url.Parse(oa.URL())
	target.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(target)
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	const n, stopAt = 300, 100
	var seen atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) == stopAt {
			interrupt()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", front.URL+"/v1")

	dir := t.TempDir()
	args := []string{"-in", filepath.Join(dir, "in.jsonl"), "-out", filepath.Join(dir, "out.jsonl"), "-n", "300", "-workers", "8"}
	var out, errOut bytes.Buffer
	if err := run(ctx, args, &out, &errOut); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v\n%s", err, errOut.String())
	}
	first := len(outputIDs(t, filepath.Join(dir, "out.jsonl")))
	if first < stopAt || first >= n {
		t.Fatalf("the interrupted run recorded %d results, want %d to %d", first, stopAt, n-1)
	}
	out.Reset()
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("resumed run: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "done before") || !strings.Contains(out.String(), "peak heap") {
		t.Errorf("summary: %s", out.String())
	}
	checkExactlyOnce(t, filepath.Join(dir, "out.jsonl"), n)

	perID := map[string]int{}
	for _, r := range oa.Requests() {
		var body struct {
			Messages []struct {
				Content string `json:"content"`
			} `json:"messages"`
		}
		r.DecodeJSON(&body)
		perID[body.Messages[0].Content]++
	}
	for prompt, c := range perID {
		if c != 1 {
			t.Errorf("%q was requested %d times", prompt, c)
		}
	}
	if len(perID) != n {
		t.Errorf("%d distinct requests, want %d", len(perID), n)
	}
	t.Logf("first run %d, second %d", first, n-first)
}
