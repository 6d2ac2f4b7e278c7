package ratesim

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// vclock is a virtual clock.
type vclock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *vclock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newVClock() *vclock { return &vclock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

// completion answers like a chat completion whose usage reports
// completion_tokens.
func completion(tokens int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":%d,"total_tokens":%d,"completion_tokens_details":{"reasoning_tokens":0}}}`, tokens, tokens+10)
	})
}

func chat(chars, maxTokens int) string {
	return fmt.Sprintf(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":%q}],"max_tokens":%d}`, strings.Repeat("a", chars), maxTokens)
}

func do(h http.Handler, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)))
	return rec
}

type apiError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    string  `json:"code"`
	} `json:"error"`
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("429 body %q: %v", rec.Body, err)
	}
	return e
}

func checkHeaders(t *testing.T, h http.Header, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestAdmissionHeaders(t *testing.T) {
	clock := newVClock()
	s := New(Config{Default: Limits{RPM: 3, TPM: 1000}, Now: clock.Now})
	h := s.Wrap(completion(20))
	// 100 characters → 25 tokens, plus max_tokens 50: 75.
	rec := do(h, chat(100, 50))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	checkHeaders(t, rec.Header(), map[string]string{
		"x-ratelimit-limit-requests":     "3",
		"x-ratelimit-remaining-requests": "2",
		"x-ratelimit-reset-requests":     "20s",
		"x-ratelimit-limit-tokens":       "1000",
		"x-ratelimit-remaining-tokens":   "925",
		"x-ratelimit-reset-tokens":       "4.5s",
	})
	clock.Advance(2 * time.Second) // refills 1/30 of a minute
	rec = do(h, chat(4, 10))
	checkHeaders(t, rec.Header(), map[string]string{
		"x-ratelimit-remaining-requests": "1",     // 2 + 0.1 − 1
		"x-ratelimit-reset-requests":     "38s",   // 1.9 requests short
		"x-ratelimit-remaining-tokens":   "947",   // 925 + 33.3 − 11
		"x-ratelimit-reset-tokens":       "3.16s", // 52.7 tokens short
	})
	if st := s.Stats(); st.Admitted != 2 || st.TokensAdmitted != 86 || st.Rejected != 0 {
		t.Fatalf("%+v", st)
	}
}

func TestTokenLimit429(t *testing.T) {
	clock := newVClock()
	s := New(Config{Default: Limits{RPM: 100, TPM: 1000}, Organization: "org-test", Now: clock.Now})
	h := s.Wrap(completion(1))
	if rec := do(h, chat(0, 900)); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	// 100 left; 300 requested: 200 short at 1000 per minute is 12 s.
	rec := do(h, chat(0, 300))
	if rec.Code != 429 {
		t.Fatalf("status %d", rec.Code)
	}
	e := decodeError(t, rec)
	want := "Rate limit reached for gpt-4o-mini in organization org-test on tokens per min (TPM): Limit 1000, Used 900, Requested 300. Please try again in 12s. Visit https://platform.openai.com/account/rate-limits to learn more."
	if e.Error.Message != want || e.Error.Type != "tokens" || e.Error.Code != "rate_limit_exceeded" || e.Error.Param != nil {
		t.Fatalf("error %+v\nwant message %q", e.Error, want)
	}
	checkHeaders(t, rec.Header(), map[string]string{
		"Retry-After":                    "12",
		"Retry-After-Ms":                 "12000",
		"x-ratelimit-remaining-tokens":   "100",
		"x-ratelimit-remaining-requests": "98", // the rejected request counts
		"Content-Type":                   "application/json",
	})
	// Arriving before the advice expires counts as an early attempt, even
	// when it is admitted.
	clock.Advance(11 * time.Second)
	if rec := do(h, chat(0, 10)); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	clock.Advance(2 * time.Second)
	if rec := do(h, chat(0, 300)); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	st := s.Stats()
	if st.Admitted != 3 || st.Rejected != 1 || st.EarlyAttempts != 1 || st.Windows[0].EarlyAttempts != 1 {
		t.Fatalf("%+v", st)
	}
}

func TestRequestLimit429(t *testing.T) {
	clock := newVClock()
	s := New(Config{Default: Limits{RPM: 3, TPM: 100000}, Organization: "org-test", Now: clock.Now})
	h := s.Wrap(completion(1))
	for range 3 {
		do(h, chat(4, 1))
	}
	rec := do(h, chat(4, 1))
	e := decodeError(t, rec)
	want := "Rate limit reached for gpt-4o-mini in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more."
	if rec.Code != 429 || e.Error.Message != want || e.Error.Type != "requests" || rec.Header().Get("Retry-After") != "20" {
		t.Fatalf("%d %+v", rec.Code, e.Error)
	}
}

func TestFastWindowAndRounding(t *testing.T) {
	clock := newVClock()
	s := New(Config{Window: time.Second, Default: Limits{RPM: 1000, TPM: 10000}, Now: clock.Now})
	h := s.Wrap(completion(1))
	do(h, chat(0, 9990))
	rec := do(h, chat(0, 15)) // 5 left, 15 asked: 10 short, 1 ms
	e := decodeError(t, rec)
	if !strings.Contains(e.Error.Message, "Please try again in 1ms.") || rec.Header().Get("Retry-After") != "1" || rec.Header().Get("Retry-After-Ms") != "1" {
		t.Fatalf("%s %v", e.Error.Message, rec.Header())
	}
	checkHeaders(t, rec.Header(), map[string]string{"x-ratelimit-reset-tokens": "999ms", "x-ratelimit-reset-requests": "2ms"})
}

func TestRequestTooLarge(t *testing.T) {
	s := New(Config{Default: Limits{RPM: 100, TPM: 1000}, Organization: "org-test", Now: newVClock().Now})
	rec := do(s.Wrap(completion(1)), chat(4000, 200))
	e := decodeError(t, rec)
	if rec.Code != 429 || !strings.HasPrefix(e.Error.Message, "Request too large for gpt-4o-mini in organization org-test on tokens per min (TPM): Limit 1000, Requested 1200.") || rec.Header().Get("Retry-After") != "" {
		t.Fatalf("%d %+v %v", rec.Code, e.Error, rec.Header())
	}
	if st := s.Stats(); st.TooLarge != 1 || st.Rejected != 1 {
		t.Fatalf("%+v", st)
	}
}

func TestInsufficientQuota(t *testing.T) {
	s := New(Config{InsufficientQuota: true, Now: newVClock().Now})
	rec := do(s.Wrap(completion(1)), chat(4, 1))
	e := decodeError(t, rec)
	if rec.Code != 429 || e.Error.Type != "insufficient_quota" || e.Error.Code != "insufficient_quota" || !strings.HasPrefix(e.Error.Message, "You exceeded your current quota") {
		t.Fatalf("%d %+v", rec.Code, e.Error)
	}
	if rec.Header().Get("x-ratelimit-limit-tokens") == "" {
		t.Error("no rate-limit headers on a quota error")
	}
	if st := s.Stats(); st.QuotaRejected != 1 || st.Rejected != 0 || st.Admitted != 0 {
		t.Fatalf("%+v", st)
	}
}

func TestRefund(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.Handler
		refund  int64
	}{
		{"json usage", completion(30), 70},
		{"stream usage", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n")
			w.(http.Flusher).Flush()
			io.WriteString(w, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":12,\"total_tokens\":17}}\n\ndata: [DONE]\n\n")
		}), 88},
		{"responses usage", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"usage":{"input_tokens":5,"output_tokens":40,"output_tokens_details":{"reasoning_tokens":0}}}`)
		}), 60},
		{"no usage", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{}`) }), 0},
		{"error reply", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			io.WriteString(w, `{"usage":{"completion_tokens":0}}`)
		}), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Config{Default: Limits{RPM: 100, TPM: 1000}, Refund: true, Now: newVClock().Now})
			h := s.Wrap(tc.handler)
			do(h, chat(40, 100)) // 110 charged
			rec := do(h, chat(0, 1))
			want := fmt.Sprint(1000 - 110 - 1 + tc.refund)
			if got := rec.Header().Get("x-ratelimit-remaining-tokens"); got != want {
				t.Fatalf("remaining %s, want %s", got, want)
			}
			if st := s.Stats(); st.TokensRefunded < tc.refund || st.Windows[0].Refunded != st.TokensRefunded {
				t.Fatalf("%+v", st)
			}
		})
	}
}

func TestCoTenant(t *testing.T) {
	clock := newVClock()
	s := New(Config{Window: time.Second, Default: Limits{RPM: 1000, TPM: 100000}, CoTenant: 0.2, Now: clock.Now})
	h := s.Wrap(completion(1))
	do(h, chat(0, 50000)) // half the budget
	for range 10 {
		clock.Advance(50 * time.Millisecond)
		do(h, chat(0, 1))
	}
	st := s.Stats()
	var co float64
	for _, w := range st.Windows {
		co += w.CoTenantTokens
	}
	// Half a second: 50,000 refilled, 10,000 of it taken by the co-tenant.
	if co != 10000 {
		t.Fatalf("co-tenant took %v tokens", co)
	}
}

func TestSetLimits(t *testing.T) {
	clock := newVClock()
	s := New(Config{Window: time.Second, Default: Limits{RPM: 1000, TPM: 100000}, Now: clock.Now})
	h := s.Wrap(completion(1))
	do(h, chat(0, 10000))
	clock.Advance(500 * time.Millisecond)
	s.SetLimits("", Limits{RPM: 500, TPM: 50000})
	rec := do(h, chat(0, 1))
	checkHeaders(t, rec.Header(), map[string]string{"x-ratelimit-limit-tokens": "50000", "x-ratelimit-remaining-tokens": "49999", "x-ratelimit-limit-requests": "500"})
	clock.Advance(500 * time.Millisecond)
	st := s.Stats()
	if len(st.Windows) != 1 || st.Windows[0].TokenCapacity != 75000 || st.Windows[0].RequestCapacity != 750 {
		t.Fatalf("%+v", st.Windows)
	}
	// A model with its own limits keeps them when the default changes.
	s.SetLimits("gpt-4o", Limits{RPM: 10, TPM: 1000})
	s.SetLimits("", Limits{RPM: 1, TPM: 1})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(`{"model":"gpt-4o","messages":[],"max_tokens":10}`)))
	checkHeaders(t, rec.Header(), map[string]string{"x-ratelimit-limit-tokens": "1000", "x-ratelimit-remaining-tokens": "990"})
}

func TestGroupsAndModels(t *testing.T) {
	s := New(Config{
		Default: Limits{RPM: 10, TPM: 1000},
		Models:  map[string]Limits{"gpt-4o": {RPM: 5, TPM: 500}},
		Groups:  map[string]string{"gpt-4o-2024-08-06": "gpt-4o"},
		Now:     newVClock().Now,
	})
	h := s.Wrap(completion(1))
	send := func(model string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(`{"model":"`+model+`","max_tokens":100}`)))
		return rec
	}
	send("gpt-4o")
	rec := send("gpt-4o-2024-08-06")
	checkHeaders(t, rec.Header(), map[string]string{"x-ratelimit-limit-tokens": "500", "x-ratelimit-remaining-tokens": "300"})
	rec = send("gpt-4.1")
	checkHeaders(t, rec.Header(), map[string]string{"x-ratelimit-limit-tokens": "1000", "x-ratelimit-remaining-tokens": "900"})
}

func TestPassThrough(t *testing.T) {
	s := New(Config{Default: Limits{RPM: 1, TPM: 100}, Now: newVClock().Now})
	h := s.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	for _, body := range []string{"", "not json", `{"no":"model"}`, `[1,2]`} {
		rec := httptest.NewRecorder()
		var req *http.Request
		if body == "" {
			req = httptest.NewRequest("GET", "/v1/models", nil)
		} else {
			req = httptest.NewRequest("POST", "/v1/files", strings.NewReader(body))
		}
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.String() != body || rec.Header().Get("x-ratelimit-limit-tokens") != "" {
			t.Errorf("%q: %d %q", body, rec.Code, rec.Body)
		}
	}
	// A limited request's body still reaches the handler whole.
	rec := do(h, chat(4, 1))
	if rec.Body.String() != chat(4, 1) {
		t.Fatalf("handler saw %q", rec.Body)
	}
}

func TestLatency(t *testing.T) {
	s := New(Config{Latency: 20 * time.Millisecond, LatencyJitter: 5 * time.Millisecond})
	start := time.Now()
	do(s.Wrap(completion(1)), chat(4, 1))
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Fatalf("answered in %v", d)
	}
}

func TestUtilization(t *testing.T) {
	clock := newVClock()
	s := New(Config{Window: time.Second, Default: Limits{RPM: 100, TPM: 1000}, Refund: true, Now: clock.Now})
	h := s.Wrap(completion(0))
	do(h, chat(0, 500)) // 500 charged, all refunded
	do(h, chat(400, 0)) // no max: 4096 default, too large
	do(h, chat(400, 400))
	clock.Advance(time.Second)
	do(h, chat(400, 150))
	clock.Advance(time.Second)
	st := s.Stats()
	if len(st.Windows) != 2 {
		t.Fatalf("%d windows", len(st.Windows))
	}
	if u := st.Windows[0].Utilization(); u != 0.1 { // 500 − 500 + 500 − 400 net, of 1000
		t.Errorf("window 0 utilization %v", u)
	}
	if u := st.Windows[1].Utilization(); u != 0.1 {
		t.Errorf("window 1 utilization %v", u)
	}
	if u := st.Utilization(0, 10); u != 0.1 {
		t.Errorf("utilization %v", u)
	}
	if u := st.Utilization(5, 2); u != 0 {
		t.Errorf("empty range utilization %v", u)
	}
}

func TestParseRequest(t *testing.T) {
	for _, tc := range []struct {
		name, body, path string
		want             request
		ok               bool
	}{
		{"chat string", `{"model":"m","messages":[{"role":"user","content":"abcdefgh"}],"max_tokens":10}`, "/v1/chat/completions", request{"m", 2, 10}, true},
		{"chat parts and tools", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"abcd"},{"type":"image_url","image_url":{"url":"data:xyz"}}]},{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"f","arguments":"{\"a\":1}"}}]}],"max_completion_tokens":7,"max_tokens":99}`, "/v1/chat/completions", request{"m", 3, 7}, true},
		{"runes not bytes", `{"model":"m","messages":[{"role":"user","content":"héllo wörld"}],"max_tokens":1}`, "/v1/chat/completions", request{"m", 3, 1}, true},
		{"n choices", `{"model":"m","messages":[],"max_tokens":10,"n":3}`, "/v1/chat/completions", request{"m", 0, 30}, true},
		{"default max", `{"model":"m","messages":[{"content":"a"}]}`, "/v1/chat/completions", request{"m", 1, 4096}, true},
		{"responses input string", `{"model":"m","input":"abcdefghi","instructions":"abc","max_output_tokens":5}`, "/v1/responses", request{"m", 3, 5}, true},
		{"responses input items", `{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"abcd"}]}],"max_output_tokens":5}`, "/v1/responses", request{"m", 1, 5}, true},
		{"embeddings", `{"model":"e","input":["abcd","efgh"]}`, "/v1/embeddings", request{"e", 2, 0}, true},
		{"moderations", `{"model":"o","input":"abcd"}`, "/v1/moderations", request{"o", 1, 0}, true},
		{"no model", `{"messages":[]}`, "/v1/chat/completions", request{}, false},
		{"not an object", `["model"]`, "/v1/chat/completions", request{}, false},
		{"invalid", `{"model":`, "/v1/chat/completions", request{}, false},
	} {
		got, ok := parseRequest([]byte(tc.body), tc.path, 4096)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCompletionTokens(t *testing.T) {
	for _, tc := range []struct {
		body string
		want int64
		ok   bool
	}{
		{`{"usage":{"completion_tokens":42,"completion_tokens_details":{"reasoning_tokens":7}}}`, 42, true},
		{`{"usage":{"completion_tokens_details":{"x":1},"completion_tokens" : 9}}`, 9, true},
		{"data: {\"usage\":{\"completion_tokens\":1}}\n\ndata: {\"usage\":{\"completion_tokens\":3}}\n\n", 3, true},
		{`{"usage":{"output_tokens":11}}`, 11, true},
		{`{"usage":{"completion_tokens":null}}`, 0, false},
		{`{}`, 0, false},
	} {
		got, ok := completionTokens([]byte(tc.body))
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %d, %v", tc.body, got, ok)
		}
	}
}

func TestServedOverHTTP(t *testing.T) {
	s := New(Config{Window: time.Second, Default: Limits{RPM: 100, TPM: 10000}})
	srv := httptest.NewServer(s.Wrap(completion(5)))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(chat(40, 100)))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Ratelimit-Remaining-Tokens") != "9890" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
}

func TestEfficiency(t *testing.T) {
	clock := newVClock()
	s := New(Config{Window: time.Second, Default: Limits{RPM: 100, TPM: 1000}, Refund: true, Now: clock.Now})
	h := s.Wrap(completion(0))
	do(h, chat(0, 1000))                  // the whole budget, refunded at once
	clock.Advance(400 * time.Millisecond) // 400 tokens refill a full budget: lost
	do(h, chat(0, 1))
	st := s.Stats()
	w := st.Windows[0]
	if math.Abs(w.WastedTokens-400) > 1e-6 || math.Abs(w.WastedRequests-39) > 1e-6 {
		t.Fatalf("wasted %v tokens, %v requests", w.WastedTokens, w.WastedRequests)
	}
	// Tokens wasted all their capacity; requests 39 of 40.
	if e := st.Efficiency(0, 1); math.Abs(e-0.025) > 1e-9 {
		t.Fatalf("efficiency %v", e)
	}
}
