package ratelimit_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/reachkit/reachkit/ratelimit"
)

func TestParseReset(t *testing.T) {
	const maxReset = 30 * 24 * time.Hour
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"9ms", 9 * time.Millisecond, true},
		{"20ms", 20 * time.Millisecond, true},
		{"1s", time.Second, true},
		{"1.5s", 1500 * time.Millisecond, true},
		{"6m0s", 6 * time.Minute, true},
		{"23h18m29.144s", 23*time.Hour + 18*time.Minute + 29144*time.Millisecond, true},
		{"0s", 0, true},
		{"250us", 250 * time.Microsecond, true},
		{"64", 64 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{"0", 0, true},
		{" 2s ", 2 * time.Second, true},
		{"1d2h", 26 * time.Hour, true},
		{"2d", 48 * time.Hour, true},
		{"1e3", 1000 * time.Second, true},
		{"99999999999", maxReset, true},
		{"9999h", maxReset, true},
		{"29d2562047h", maxReset, true}, // would overflow when added
		{"", 0, false},
		{"-1", 0, false},
		{"-1s", 0, false},
		{"1d-3h", 0, false},
		{"abc", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"1e400", 0, false},
		{"1 s", 0, false},
		{"d", 0, false},
		{"xd1s", 0, false},
		{"1h2d", 0, false},
		{"s", 0, false},
		{".", 0, false},
	} {
		got, ok := ratelimit.ParseReset(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseReset(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestParseOpenAIHeaders(t *testing.T) {
	full := header(
		"x-ratelimit-limit-requests", "5000",
		"x-ratelimit-remaining-requests", "4999",
		"x-ratelimit-reset-requests", "12ms",
		"x-ratelimit-limit-tokens", "2000000",
		"x-ratelimit-remaining-tokens", "1999000",
		"x-ratelimit-reset-tokens", "30ms",
		"x-ratelimit-limit-project-tokens", "100000",
		"x-ratelimit-remaining-project-tokens", "99000",
		"x-ratelimit-reset-project-tokens", "6m0s",
	)
	s := ratelimit.ParseOpenAIHeaders(full)
	want := ratelimit.Snapshot{
		Requests:      ratelimit.Budget{Limit: 5000, Remaining: 4999, Reset: 12 * time.Millisecond, LimitKnown: true, RemainingKnown: true, ResetKnown: true},
		Tokens:        ratelimit.Budget{Limit: 2000000, Remaining: 1999000, Reset: 30 * time.Millisecond, LimitKnown: true, RemainingKnown: true, ResetKnown: true},
		ProjectTokens: ratelimit.Budget{Limit: 100000, Remaining: 99000, Reset: 6 * time.Minute, LimitKnown: true, RemainingKnown: true, ResetKnown: true},
	}
	if s != want {
		t.Fatalf("full headers:\n got %+v\nwant %+v", s, want)
	}
	if !s.Known() {
		t.Error("Known() = false for full headers")
	}

	for _, tc := range []struct {
		name string
		h    http.Header
		want ratelimit.Budget // tokens
	}{
		{"none", nil, ratelimit.Budget{}},
		{"empty values", header("x-ratelimit-limit-tokens", "", "x-ratelimit-remaining-tokens", " ", "x-ratelimit-reset-tokens", ""), ratelimit.Budget{}},
		{"limit -1 means unknown", header("x-ratelimit-limit-tokens", "-1"), ratelimit.Budget{}},
		{"negative remaining clamps", header("x-ratelimit-remaining-tokens", "-250"), ratelimit.Budget{RemainingKnown: true}},
		{"float counts", header("x-ratelimit-limit-tokens", "100.0", "x-ratelimit-remaining-tokens", "99.9"), ratelimit.Budget{Limit: 100, Remaining: 99, LimitKnown: true, RemainingKnown: true}},
		{"bare seconds reset", header("x-ratelimit-reset-tokens", "64"), ratelimit.Budget{Reset: 64 * time.Second, ResetKnown: true}},
		{"long reset", header("x-ratelimit-reset-tokens", "23h18m29.144s"), ratelimit.Budget{Reset: 23*time.Hour + 18*time.Minute + 29144*time.Millisecond, ResetKnown: true}},
		{"garbage", header("x-ratelimit-limit-tokens", "lots", "x-ratelimit-remaining-tokens", "0x10", "x-ratelimit-reset-tokens", "soon"), ratelimit.Budget{}},
		{"huge", header("x-ratelimit-limit-tokens", "1e30"), ratelimit.Budget{}},
		{"NaN", header("x-ratelimit-limit-tokens", "NaN", "x-ratelimit-remaining-tokens", "NaN"), ratelimit.Budget{}},
		{"first value wins", header("x-ratelimit-limit-tokens", "10", "x-ratelimit-limit-tokens", "20"), ratelimit.Budget{Limit: 10, LimitKnown: true}},
	} {
		got := ratelimit.ParseOpenAIHeaders(tc.h).Tokens
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if ratelimit.ParseOpenAIHeaders(header("x-other", "1")).Known() {
		t.Error("unrelated headers reported as known")
	}
}

func TestParseBrevoHeaders(t *testing.T) {
	s := ratelimit.ParseBrevoHeaders(header("x-sib-ratelimit-limit", "10", "x-sib-ratelimit-remaining", "3", "x-sib-ratelimit-reset", "7"))
	want := ratelimit.Budget{Limit: 10, Remaining: 3, Reset: 7 * time.Second, LimitKnown: true, RemainingKnown: true, ResetKnown: true}
	if s.Requests != want || s.Tokens.Known() || s.ProjectTokens.Known() {
		t.Fatalf("got %+v", s)
	}
	if ratelimit.ParseBrevoHeaders(header("x-ratelimit-limit-requests", "10")).Known() {
		t.Error("Brevo parser read OpenAI headers")
	}
	if s := ratelimit.ParseBrevoHeaders(header("x-sib-ratelimit-reset", "-3", "x-sib-ratelimit-limit", "ten")); s.Known() {
		t.Errorf("garbage Brevo headers reported as known: %+v", s)
	}
}

func checkBudget(t *testing.T, name string, b ratelimit.Budget) {
	t.Helper()
	if b.Remaining < 0 {
		t.Fatalf("%s: negative remaining %d", name, b.Remaining)
	}
	if b.LimitKnown && b.Limit < 0 {
		t.Fatalf("%s: negative known limit %d", name, b.Limit)
	}
	if !b.LimitKnown && b.Limit != 0 || !b.RemainingKnown && b.Remaining != 0 || !b.ResetKnown && b.Reset != 0 {
		t.Fatalf("%s: value without its Known flag: %+v", name, b)
	}
	if b.Reset < 0 || b.Reset > 30*24*time.Hour {
		t.Fatalf("%s: reset %v out of range", name, b.Reset)
	}
}

func FuzzParseReset(f *testing.F) {
	for _, s := range []string{"9ms", "1s", "6m0s", "23h18m29.144s", "64", "0.5", "1d2h", "-1", "", "garbage", "29d2562047h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ratelimit.ParseReset(s)
		if !ok && d != 0 {
			t.Fatalf("ParseReset(%q) = %v with ok=false", s, d)
		}
		if d < 0 || d > 30*24*time.Hour {
			t.Fatalf("ParseReset(%q) = %v out of range", s, d)
		}
	})
}

func FuzzParseOpenAIHeaders(f *testing.F) {
	f.Add("5000", "4999", "12ms", "2000000", "1999000", "30ms")
	f.Add("-1", "-5", "64", "1e30", "NaN", "23h18m29.144s")
	f.Add("", "", "", "100.0", "0x1p4", "1d")
	f.Fuzz(func(t *testing.T, lr, rr, sr, lt, rt, st string) {
		h := http.Header{}
		for k, v := range map[string]string{
			"X-Ratelimit-Limit-Requests": lr, "X-Ratelimit-Remaining-Requests": rr, "X-Ratelimit-Reset-Requests": sr,
			"X-Ratelimit-Limit-Tokens": lt, "X-Ratelimit-Remaining-Tokens": rt, "X-Ratelimit-Reset-Tokens": st,
			"X-Sib-Ratelimit-Limit": lr, "X-Sib-Ratelimit-Remaining": rt, "X-Sib-Ratelimit-Reset": st,
		} {
			h[k] = []string{v}
		}
		s := ratelimit.ParseOpenAIHeaders(h)
		checkBudget(t, "requests", s.Requests)
		checkBudget(t, "tokens", s.Tokens)
		checkBudget(t, "project tokens", s.ProjectTokens)
		checkBudget(t, "brevo", ratelimit.ParseBrevoHeaders(h).Requests)
	})
}
