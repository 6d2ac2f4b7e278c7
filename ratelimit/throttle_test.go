package ratelimit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reachkit/reachkit/ratelimit"
)

// fakeAPI is a transport that answers every request with the reply its
// respond function builds, and records the order of requests.
type fakeAPI struct {
	mu      sync.Mutex
	order   []string
	respond func(r *http.Request) *http.Response
}

func (f *fakeAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.order = append(f.order, r.Header.Get("X-Name"))
	f.mu.Unlock()
	return f.respond(r), nil
}

func (f *fakeAPI) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.order...)
}

func rlHeaders(limitReq, remReq int64, resetReq string, limitTok, remTok int64, resetTok string) http.Header {
	h := http.Header{}
	h.Set("X-Ratelimit-Limit-Requests", strconv.FormatInt(limitReq, 10))
	h.Set("X-Ratelimit-Remaining-Requests", strconv.FormatInt(remReq, 10))
	h.Set("X-Ratelimit-Reset-Requests", resetReq)
	h.Set("X-Ratelimit-Limit-Tokens", strconv.FormatInt(limitTok, 10))
	h.Set("X-Ratelimit-Remaining-Tokens", strconv.FormatInt(remTok, 10))
	h.Set("X-Ratelimit-Reset-Tokens", resetTok)
	return h
}

func okReply(h http.Header) *http.Response {
	return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(`{}`))}
}

// send issues one request with the given cost through rt and returns the
// status or the error.
func send(rt http.RoundTripper, ctx context.Context, name string, c ratelimit.Cost) (int, error) {
	req, _ := http.NewRequestWithContext(ratelimit.WithCost(ctx, c), "POST", "http://api.invalid/v1/chat/completions", strings.NewReader("{}"))
	req.Header.Set("X-Name", name)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func tokens(key string, n int64) ratelimit.Cost {
	return ratelimit.Cost{Key: key, Requests: 1, Tokens: n}
}

func snapshotOf(t *testing.T, l *ratelimit.Limiter, key string) ratelimit.KeyStatus {
	t.Helper()
	for _, k := range l.Snapshot() {
		if k.Key == key {
			return k
		}
	}
	t.Fatalf("no key %q in the snapshot", key)
	return ratelimit.KeyStatus{}
}

func TestThrottlePassThrough(t *testing.T) {
	api := &fakeAPI{respond: func(*http.Request) *http.Response { return okReply(http.Header{}) }}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{InitialRequestsPerMinute: 1, Clock: newFakeClock()})
	rt := ratelimit.Throttle(l)(api)
	for i := range 5 {
		// No cost, or a cost without a key: never throttled, never recorded.
		req, _ := http.NewRequest("GET", "http://api.invalid/v1/models", nil)
		if i%2 == 1 {
			req = req.WithContext(ratelimit.WithCost(req.Context(), ratelimit.Cost{Tokens: 1e9}))
		}
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatal(resp, err)
		}
	}
	if len(l.Snapshot()) != 0 {
		t.Fatalf("snapshot %+v", l.Snapshot())
	}
}

// TestThrottleProbeThenLearn: a new key sends one request; its reply's
// headers set the budgets, window included, and later requests wait for
// budget rather than being sent into a 429.
func TestThrottleProbeThenLearn(t *testing.T) {
	clock := newFakeClock()
	var mu sync.Mutex
	remaining := int64(1000)
	api := &fakeAPI{respond: func(r *http.Request) *http.Response {
		mu.Lock()
		defer mu.Unlock()
		c, _ := ratelimit.CostFrom(r.Context())
		remaining -= c.Tokens
		// A 1000-token budget that refills in 10 s: reset = deficit × 10 ms.
		reset := time.Duration(1000-remaining) * 10 * time.Millisecond
		return okReply(rlHeaders(100, 99, "600ms", 1000, remaining, reset.String()))
	}}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{Clock: clock, Headroom: -1})
	rt := ratelimit.Throttle(l)(api)

	if st, err := send(rt, context.Background(), "probe", tokens("m", 400)); err != nil || st != 200 {
		t.Fatal(st, err)
	}
	k := snapshotOf(t, l, "m")
	if !k.Learned || k.Tokens.Limit != 1000 || k.Tokens.Available != 600 || k.Requests.Limit != 100 {
		t.Fatalf("after the probe: %+v", k)
	}
	if w := k.Tokens.Window; w < 9900*time.Millisecond || w > 10100*time.Millisecond {
		t.Fatalf("window %v, want about 10s (reset 4s × 1000 / 400)", w)
	}

	// 600 left: a 500-token request goes at once, the next one waits for
	// 400 more tokens, which take 4 s to refill. (The pause lets the probe
	// leave the reorder window, so that a's reply is not read as if the
	// server might not have seen the probe yet.)
	clock.Advance(200 * time.Millisecond)
	if st, err := send(rt, context.Background(), "a", tokens("m", 500)); err != nil || st != 200 {
		t.Fatal(st, err)
	}
	done := make(chan error, 1)
	n := clock.registered()
	go func() { _, err := send(rt, context.Background(), "b", tokens("m", 500)); done <- err }()
	clock.waitTimer(t, "b to wait", n)
	clock.Advance(3 * time.Second)
	select {
	case <-done:
		t.Fatal("b was admitted before its tokens refilled")
	case <-time.After(5 * time.Millisecond):
	}
	// b may re-arm its timer after the first advance, at any moment of
	// wall time: advance in steps until it is admitted, with a bound, so
	// that a late timer cannot hang the test.
	giveUp := time.After(10 * time.Second)
	for admitted := false; !admitted; {
		clock.Advance(100 * time.Millisecond)
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			admitted = true
		case <-time.After(2 * time.Millisecond):
		case <-giveUp:
			t.Fatal("b was never admitted")
		}
	}
	if got := api.sent(); strings.Join(got, ",") != "probe,a,b" {
		t.Fatalf("sent %v", got)
	}
}

func TestThrottleProbeSerializesUntilFirstReply(t *testing.T) {
	release := make(chan struct{})
	api := &fakeAPI{respond: func(r *http.Request) *http.Response {
		if r.Header.Get("X-Name") == "first" {
			<-release
		}
		return okReply(rlHeaders(100, 90, "1s", 100000, 90000, "1s"))
	}}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{Clock: newFakeClock()})
	rt := ratelimit.Throttle(l)(api)
	errs := make(chan error, 2)
	go func() { _, err := send(rt, context.Background(), "first", tokens("m", 10)); errs <- err }()
	eventually(t, "the probe to be sent", func() bool { return len(api.sent()) == 1 })
	go func() { _, err := send(rt, context.Background(), "second", tokens("m", 10)); errs <- err }()
	eventually(t, "the second to wait", func() bool { return snapshotOf(t, l, "m").Waiting == 1 })
	if len(api.sent()) != 1 {
		t.Fatal("a second request went out before the probe's reply")
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestThrottleUnmanagedWithoutHeaders(t *testing.T) {
	api := &fakeAPI{respond: func(*http.Request) *http.Response { return okReply(http.Header{}) }}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{Clock: newFakeClock()})
	rt := ratelimit.Throttle(l)(api)
	var wg sync.WaitGroup
	send(rt, context.Background(), "probe", tokens("m", 10))
	for range 20 {
		wg.Add(1)
		go func() { defer wg.Done(); send(rt, context.Background(), "x", tokens("m", 1e9)) }()
	}
	wg.Wait()
	if k := snapshotOf(t, l, "m"); k.Throttled || k.Admitted != 21 {
		t.Fatalf("%+v", k)
	}
}

func TestThrottleInitialBudgets(t *testing.T) {
	clock := newFakeClock()
	api := &fakeAPI{respond: func(*http.Request) *http.Response { return okReply(http.Header{}) }}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{InitialRequestsPerMinute: 2, Clock: clock, Headroom: -1})
	rt := ratelimit.Throttle(l)(api)
	for range 2 {
		if _, err := send(rt, context.Background(), "x", tokens("m", 1e6)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	n := clock.registered()
	go func() { _, err := send(rt, ctx, "third", tokens("m", 1)); done <- err }()
	clock.waitTimer(t, "the third to wait", n)
	k := snapshotOf(t, l, "m")
	if k.Learned || !k.Requests.Enforced || k.Requests.Limit != 2 || k.Tokens.Enforced || k.Waiting != 1 {
		t.Fatalf("%+v", k)
	}
	clock.Advance(30 * time.Second) // 2 per minute: one more 30 s after the first
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cancel()
}

// TestThrottleFIFO: requests of one key are admitted in arrival order, even
// when a later one is small enough to fit first.
func TestThrottleFIFO(t *testing.T) {
	clock := newFakeClock()
	api := &fakeAPI{respond: func(*http.Request) *http.Response {
		return okReply(rlHeaders(1000, 999, "60ms", 1000, 0, "1m0s"))
	}}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{Clock: clock, Headroom: -1})
	rt := ratelimit.Throttle(l)(api)
	send(rt, context.Background(), "probe", tokens("m", 1000))

	var wg sync.WaitGroup
	names := []string{"big", "small1", "small2", "small3"}
	for i, name := range names {
		c := tokens("m", 10)
		if i == 0 {
			c.Tokens = 500
		}
		wg.Add(1)
		go func() { defer wg.Done(); send(rt, context.Background(), name, c) }()
		eventually(t, name+" to queue", func() bool { return snapshotOf(t, l, "m").Waiting == i+1 })
	}
	for snapshotOf(t, l, "m").Waiting > 0 {
		clock.Advance(time.Second)
		time.Sleep(100 * time.Microsecond)
	}
	wg.Wait()
	if got := strings.Join(api.sent()[1:], ","); got != strings.Join(names, ",") {
		t.Fatalf("admitted %s", got)
	}
}

func TestThrottleCancelWhileWaiting(t *testing.T) {
	clock := newFakeClock()
	api := &fakeAPI{respond: func(*http.Request) *http.Response {
		return okReply(rlHeaders(1000, 999, "60ms", 1000, 0, "1m0s"))
	}}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{Clock: clock, Headroom: -1})
	rt := ratelimit.Throttle(l)(api)
	send(rt, context.Background(), "probe", tokens("m", 1000))

	// The head and a waiter behind it are cancelled; the one after them
	// still gets its turn.
	ctxHead, cancelHead := context.WithCancel(context.Background())
	ctxMid, cancelMid := context.WithCancel(context.Background())
	results := make(map[string]chan error)
	for i, n := range []struct {
		name string
		ctx  context.Context
	}{{"head", ctxHead}, {"mid", ctxMid}, {"tail", context.Background()}} {
		ch := make(chan error, 1)
		results[n.name] = ch
		go func() { _, err := send(rt, n.ctx, n.name, tokens("m", 100)); ch <- err }()
		eventually(t, n.name+" to queue", func() bool { return snapshotOf(t, l, "m").Waiting == i+1 })
	}
	cancelMid()
	if err := <-results["mid"]; !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `budget of "m"`) {
		t.Fatalf("mid: %v", err)
	}
	cancelHead()
	if err := <-results["head"]; !errors.Is(err, context.Canceled) {
		t.Fatalf("head: %v", err)
	}
	clock.Advance(6 * time.Second)
	eventually(t, "tail to be admitted", func() bool {
		clock.Advance(time.Second)
		return len(results["tail"]) == 1
	})
	if err := <-results["tail"]; err != nil {
		t.Fatal(err)
	}
	if got := api.sent(); len(got) != 2 || got[1] != "tail" {
		t.Fatalf("sent %v", got)
	}
}

func rateLimited(h http.Header, typ, msg string) *http.Response {
	body, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": "rate_limit_exceeded"}})
	return &http.Response{StatusCode: 429, Header: h, Body: io.NopCloser(strings.NewReader(string(body)))}
}

// TestThrottlePauseAfter429: the key pauses for the longest of the server's
// advice, the message's "try again in" and the reset-derived wait.
func TestThrottlePauseAfter429(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply func() *http.Response
		pause time.Duration
	}{
		{"retry-after longest", func() *http.Response {
			h := rlHeaders(100, 50, "1s", 100000, 99000, "600ms")
			h.Set("Retry-After", "3")
			return rateLimited(h, "tokens", "Please try again in 1s.")
		}, 3 * time.Second},
		{"retry-after-ms beats retry-after", func() *http.Response {
			h := rlHeaders(100, 50, "1s", 100000, 99000, "600ms")
			h.Set("Retry-After", "3")
			h.Set("Retry-After-Ms", "1500")
			return rateLimited(h, "tokens", "Please try again in 20ms.")
		}, 1500 * time.Millisecond},
		{"message longest", func() *http.Response {
			h := rlHeaders(100, 50, "1s", 100000, 99000, "600ms")
			h.Set("Retry-After", "1")
			return rateLimited(h, "tokens", "Please try again in 2.5s.")
		}, 2500 * time.Millisecond},
		{"reset-derived longest", func() *http.Response {
			// 100000 tokens per minute, 0 left, 5000 requested: 3 s.
			h := rlHeaders(100, 50, "1s", 100000, 0, "1m0s")
			return rateLimited(h, "tokens", "Please try again in 20ms.")
		}, 3 * time.Second},
		{"request budget ignored for a tokens 429", func() *http.Response {
			h := rlHeaders(100, 0, "1m0s", 100000, 0, "1m0s")
			return rateLimited(h, "tokens", "Please try again in 20ms.")
		}, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			var mu sync.Mutex
			first := true
			api := &fakeAPI{respond: func(r *http.Request) *http.Response {
				mu.Lock()
				defer mu.Unlock()
				if first {
					first = false
					return tc.reply()
				}
				return okReply(rlHeaders(100, 99, "1s", 100000, 99000, "600ms"))
			}}
			l := ratelimit.NewLimiter(ratelimit.LimiterConfig{InitialRequestsPerMinute: 100, InitialTokensPerMinute: 100000, Clock: clock, Headroom: -1})
			rt := ratelimit.Throttle(l)(api)
			if st, _ := send(rt, context.Background(), "limited", tokens("m", 5000)); st != 429 {
				t.Fatalf("status %d", st)
			}
			k := snapshotOf(t, l, "m")
			// The reset-derived wait rounds the window up a little.
			if got := k.PausedUntil.Sub(clock.Now()); got < tc.pause || got > tc.pause+100*time.Microsecond {
				t.Fatalf("paused for %v, want %v", got, tc.pause)
			}
			done := make(chan struct{})
			n := clock.registered()
			go func() { send(rt, context.Background(), "next", tokens("m", 10)); close(done) }()
			clock.waitTimer(t, "next to wait", n)
			clock.Advance(tc.pause - time.Millisecond)
			time.Sleep(2 * time.Millisecond)
			if len(api.sent()) != 1 {
				t.Fatal("sent during the pause")
			}
			clock.Advance(2 * time.Millisecond)
			<-done
		})
	}
}

func TestThrottleQuota429DoesNotPause(t *testing.T) {
	clock := newFakeClock()
	api := &fakeAPI{respond: func(r *http.Request) *http.Response {
		h := rlHeaders(100, 99, "1s", 100000, 99000, "600ms")
		h.Set("Retry-After", "60")
		body := `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`
		return &http.Response{StatusCode: 429, Header: h, Body: io.NopCloser(strings.NewReader(body))}
	}}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{Clock: clock})
	rt := ratelimit.Throttle(l)(api)
	for range 3 {
		if st, err := send(rt, context.Background(), "x", tokens("m", 10)); st != 429 || err != nil {
			t.Fatal(st, err)
		}
	}
	if k := snapshotOf(t, l, "m"); k.PausedUntil.After(clock.Now()) {
		t.Fatalf("paused until %v after a quota error", k.PausedUntil)
	}
}

// TestThrottle429ReturnsTokens: the tokens of a rejected request return to
// the budget (the server did not take them); its request is still counted.
func TestThrottle429ReturnsTokens(t *testing.T) {
	clock := newFakeClock()
	reject := false
	api := &fakeAPI{respond: func(r *http.Request) *http.Response {
		if reject {
			h := http.Header{}
			h.Set("Retry-After-Ms", "10")
			return rateLimited(h, "tokens", "slow down")
		}
		return okReply(http.Header{})
	}}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{InitialRequestsPerMinute: 60, InitialTokensPerMinute: 60000, Clock: clock, Headroom: -1})
	rt := ratelimit.Throttle(l)(api)
	send(rt, context.Background(), "ok", tokens("m", 1000))
	clock.Advance(10 * time.Millisecond)
	reject = true
	send(rt, context.Background(), "rejected", tokens("m", 5000))
	k := snapshotOf(t, l, "m")
	// 10 ms of refill at 1000 tokens and 1 request per second.
	if k.Tokens.Available != 59010 || k.Requests.Available != 58.01 {
		t.Fatalf("tokens %v (want 59010), requests %v (want 58.01)", k.Tokens.Available, k.Requests.Available)
	}
}

func TestSettlementRefund(t *testing.T) {
	for _, refunds := range []bool{false, true} {
		t.Run(fmt.Sprint("refunds=", refunds), func(t *testing.T) {
			clock := newFakeClock()
			api := &fakeAPI{respond: func(*http.Request) *http.Response { return okReply(http.Header{}) }}
			l := ratelimit.NewLimiter(ratelimit.LimiterConfig{InitialTokensPerMinute: 10000, Refunds: refunds, Clock: clock, Headroom: -1})
			rt := ratelimit.Throttle(l)(api)
			ctx, s := ratelimit.WithSettlement(context.Background())
			if s.Reserved() != 0 {
				t.Fatal("reserved before the request")
			}
			s.Refund(100) // not filled in yet: no effect
			send(rt, ctx, "x", tokens("m", 1000))
			if s.Reserved() != 1000 {
				t.Fatalf("Reserved() = %d", s.Reserved())
			}
			s.Refund(5000) // capped at the reservation
			s.Refund(700)  // only the first call counts
			want := 9000.0
			if refunds {
				want = 10000
			}
			if got := snapshotOf(t, l, "m").Tokens.Available; got != want {
				t.Fatalf("available %.0f, want %.0f", got, want)
			}
		})
	}
}

func TestSettlementNotFilledOnError(t *testing.T) {
	api := &fakeAPI{respond: func(*http.Request) *http.Response {
		return &http.Response{StatusCode: 500, Header: http.Header{}, Body: http.NoBody}
	}}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{InitialTokensPerMinute: 10000, Refunds: true, Clock: newFakeClock()})
	ctx, s := ratelimit.WithSettlement(context.Background())
	send(ratelimit.Throttle(l)(api), ctx, "x", tokens("m", 1000))
	if s.Reserved() != 0 {
		t.Fatal("a failed request filled the settlement in")
	}
	s.Refund(1000) // harmless
}

// TestThrottleBrevoFixedWindow: Brevo headers, a budget restored at once
// when its reset elapses.
func TestThrottleBrevoFixedWindow(t *testing.T) {
	clock := newFakeClock()
	var mu sync.Mutex
	remaining := int64(3)
	api := &fakeAPI{respond: func(*http.Request) *http.Response {
		mu.Lock()
		defer mu.Unlock()
		remaining--
		h := http.Header{}
		h.Set("X-Sib-Ratelimit-Limit", "3")
		h.Set("X-Sib-Ratelimit-Remaining", strconv.FormatInt(remaining, 10))
		h.Set("X-Sib-Ratelimit-Reset", "10")
		return okReply(h)
	}}
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{Parse: ratelimit.ParseBrevoHeaders, FixedWindow: true, Clock: clock, Headroom: -1})
	rt := ratelimit.Throttle(l)(api)
	for range 3 {
		send(rt, context.Background(), "x", ratelimit.Cost{Key: "contacts"})
		clock.Advance(200 * time.Millisecond) // out of the reorder window
	}
	done := make(chan struct{})
	n := clock.registered()
	go func() { send(rt, context.Background(), "fourth", ratelimit.Cost{Key: "contacts"}); close(done) }()
	clock.waitTimer(t, "the fourth to wait", n)
	clock.Advance(9 * time.Second)
	select {
	case <-done:
		t.Fatal("admitted before the reset")
	case <-time.After(5 * time.Millisecond):
	}
	mu.Lock()
	remaining = 3
	mu.Unlock()
	clock.Advance(time.Second)
	<-done
	if k := snapshotOf(t, l, "contacts"); k.Requests.Limit != 3 || k.Requests.Window != 10*time.Second || k.Tokens.Enforced {
		t.Fatalf("%+v", k)
	}
}

func TestThrottleTransportErrorKeepsCharge(t *testing.T) {
	api := roundTripFunc(func(r *http.Request) (*http.Response, error) { return nil, io.ErrUnexpectedEOF })
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{InitialTokensPerMinute: 10000, Clock: newFakeClock(), Headroom: -1})
	if _, err := send(ratelimit.Throttle(l)(api), context.Background(), "x", tokens("m", 1000)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatal(err)
	}
	if k := snapshotOf(t, l, "m"); k.Tokens.Available != 9000 || k.InFlight != 0 {
		t.Fatalf("%+v", k)
	}
}

func TestKeyStateJSON(t *testing.T) {
	st := ratelimit.NewMemoryStore()
	l := ratelimit.NewLimiter(ratelimit.LimiterConfig{InitialTokensPerMinute: 10000, Store: st, Clock: newFakeClock()})
	api := &fakeAPI{respond: func(*http.Request) *http.Response { return okReply(rlHeaders(10, 9, "6s", 10000, 8000, "12s")) }}
	send(ratelimit.Throttle(l)(api), context.Background(), "x", tokens("m", 1000))
	k := st.Lock("m")
	b, err := k.MarshalJSON()
	st.Unlock("m")
	if err != nil {
		t.Fatal(err)
	}
	var back ratelimit.KeyState
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := back.MarshalJSON()
	if string(b) != string(b2) {
		t.Fatalf("round trip changed the state:\n%s\n%s", b, b2)
	}
	if got := st.Keys([]string{"z"}); strings.Join(got, ",") != "z,m" {
		t.Fatalf("Keys = %v", got)
	}
}
