//go:build conformance

package conformance

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/reachkit/reachkit/internal/transport"
)

// seeds is how many different random answers each method must decode.
func seeds() int {
	if n, err := strconv.Atoi(os.Getenv("REACHKIT_CONFORMANCE_SEEDS")); err == nil && n > 0 {
		return n
	}
	return 100
}

// mockURL returns the base URL of the mock named by env, or skips the test.
func mockURL(t *testing.T, env string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		msg := env + " is not set: start the spec mock with internal/conformance/run.sh (needs npm and ../shared/specs)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("spec mock at %s does not answer: %v", u, err)
	}
	resp.Body.Close()
	return u
}

// recorder is middleware that checks steady's verdict on every request:
// x-steady-request-valid and the x-steady-error-N-* headers. Errors of
// severity "error" (E3xxx) fail the test; notes (E4xxx) and warnings (E3012)
// are counted and reported.
type recorder struct {
	mu       sync.Mutex
	requests int
	invalid  []string
	notes    map[string]int
}

func newRecorder() *recorder { return &recorder{notes: make(map[string]int)} }

func (rec *recorder) middleware(next http.RoundTripper) http.RoundTripper {
	return transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil {
			return resp, err
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.requests++
		for k, v := range resp.Header {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "x-steady-error-") && strings.HasSuffix(lk, "-code") && len(v) > 0 {
				code := v[0]
				if strings.HasPrefix(code, "E4") || code == "E3012" {
					rec.notes[code]++
				}
			}
		}
		if resp.Header.Get("X-Steady-Request-Valid") == "false" || resp.StatusCode == http.StatusBadRequest {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
			resp.Body.Close()
			resp.Body = io.NopCloser(strings.NewReader(string(body)))
			rec.invalid = append(rec.invalid, fmt.Sprintf("%s %s: %s", r.Method, r.URL.Path, body))
		}
		return resp, nil
	})
}

func (rec *recorder) report(t *testing.T) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	codes := make([]string, 0, len(rec.notes))
	for c, n := range rec.notes {
		codes = append(codes, fmt.Sprintf("%s×%d", c, n))
	}
	sort.Strings(codes)
	t.Logf("%d requests, %d validation errors, notes: %v", rec.requests, len(rec.invalid), codes)
	for i, s := range rec.invalid {
		if i == 5 {
			t.Errorf("... and %d more", len(rec.invalid)-5)
			break
		}
		t.Errorf("validation error: %s", s)
	}
}

// sweepWorkers is how many seeds run at once: the mock paces its streams,
// so the sweep waits on timers, not on the CPU.
const sweepWorkers = 16

// sweep runs fn once per seed, sending the seed to the mock so that each run
// decodes a different random, spec-valid answer.
func sweep(t *testing.T, name string, fn func(ctx context.Context, seed int) error) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		n := seeds()
		errs := make([]error, n+1)
		next := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < sweepWorkers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seed := range next {
					errs[seed] = fn(context.Background(), seed)
				}
			}()
		}
		for seed := 1; seed <= n; seed++ {
			next <- seed
		}
		close(next)
		wg.Wait()
		failures := 0
		for seed, err := range errs {
			if err != nil {
				failures++
				if failures <= 3 {
					t.Errorf("seed %d: %v", seed, err)
				}
			}
		}
		if failures > 0 {
			t.Errorf("%d of %d seeds failed", failures, n)
		}
	})
}
