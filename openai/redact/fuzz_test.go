package redact_test

import (
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai/redact"
)

// FuzzRoundTrip redacts two texts through one session and checks that both
// restore exactly, that a fresh session restores the first alone, and that the
// findings are consistent: placeholders unique, numbered per kind from 1, each
// appearing in the redacted texts.
func FuzzRoundTrip(f *testing.F) {
	for i, c := range table {
		f.Add(c.text, table[(i+1)%len(table)].text)
	}
	r := redact.New()
	f.Fuzz(func(t *testing.T, a, b string) {
		s := r.NewSession()
		ra := s.Redact(a)
		rb := s.Redact(b)
		if got := s.Restore(ra); got != a {
			t.Fatalf("Restore(Redact(%q)) = %q via %q", a, got, ra)
		}
		if got := s.Restore(rb); got != b {
			t.Fatalf("second text: Restore(Redact(%q)) = %q via %q (first %q)", b, got, rb, a)
		}
		seen := map[string]bool{}
		for _, fd := range s.Findings() {
			if seen[fd.Placeholder] {
				t.Fatalf("placeholder %s handed out twice", fd.Placeholder)
			}
			seen[fd.Placeholder] = true
			if !strings.HasPrefix(fd.Placeholder, "["+string(fd.Kind)+"_") {
				t.Fatalf("finding %+v: placeholder of another kind", fd)
			}
			if !strings.Contains(ra, fd.Placeholder) && !strings.Contains(rb, fd.Placeholder) {
				t.Fatalf("finding %+v not in %q or %q", fd, ra, rb)
			}
		}
		one, s1 := r.Redact(a)
		if got := s1.Restore(one); got != a {
			t.Fatalf("fresh session: Restore(Redact(%q)) = %q via %q", a, got, one)
		}
	})
}
