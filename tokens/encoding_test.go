package tokens

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestGet(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wantErr bool
	}{
		{O200kBase, false},
		{Cl100kBase, false},
		{"p50k_base", true},
		{"", true},
		{"O200K_BASE", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := Get(tc.name)
			if tc.wantErr {
				var ue *UnknownEncodingError
				if !errors.As(err, &ue) || ue.Name != tc.name || enc != nil {
					t.Fatalf("Get(%q) = %v, %v; want *UnknownEncodingError", tc.name, enc, err)
				}
				if !strings.Contains(err.Error(), O200kBase) {
					t.Errorf("error %q does not list the known encodings", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if enc.Name() != tc.name {
				t.Errorf("Name() = %q, want %q", enc.Name(), tc.name)
			}
			if again, _ := Get(tc.name); again != enc {
				t.Error("Get built the encoding twice")
			}
		})
	}
}

// TestConcurrentFirstUse builds a fresh encoding cell from many goroutines
// at once and uses the shared encoder concurrently (run with -race).
func TestConcurrentFirstUse(t *testing.T) {
	cell := &lazyEncoding{spec: encodings[Cl100kBase].spec}
	texts := []string{"hello world", strings.Repeat("\u4e2d\u6587 ", 50), strings.Repeat("a", 500), "I'm here\n\n  ok"}
	want := make([]int, len(texts))
	ref := mustGet(t, Cl100kBase)
	for i, s := range texts {
		want[i] = ref.Count(s)
	}
	var wg sync.WaitGroup
	encs := make([]*Encoding, 8)
	for g := range encs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			enc, err := cell.get()
			if err != nil {
				t.Error(err)
				return
			}
			encs[g] = enc
			for range 50 {
				for i, s := range texts {
					if got := enc.Count(s); got != want[i] {
						t.Errorf("Count = %d, want %d", got, want[i])
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, e := range encs {
		if e != encs[0] {
			t.Fatal("concurrent first use built more than one encoder")
		}
	}
}

func TestCountDoesNotAllocate(t *testing.T) {
	text := mixedText(t, 64<<10) + strings.Repeat("x", 5000) + strings.Repeat(" ", 3000) + "!"
	for _, name := range []string{O200kBase, Cl100kBase} {
		enc := mustGet(t, name)
		enc.Count(text) // warm the scratch buffers
		runtime.GC()    // they must survive collections
		if allocs := testing.AllocsPerRun(20, func() { enc.Count(text) }); allocs != 0 {
			t.Errorf("%s: Count allocates %.1f times per call, want 0", name, allocs)
		}
	}
}

func TestTruncate(t *testing.T) {
	o200k := mustGet(t, O200kBase)
	for _, tc := range []struct {
		name string
		text string
		max  int
		want string
	}{
		{"negative", "hello world", -1, ""},
		{"zero", "hello world", 0, ""},
		{"empty", "", 5, ""},
		{"fits", "hello world", 2, "hello world"},
		{"fits loosely", "hello world", 100, "hello world"},
		{"cut", "hello world, how are you", 2, "hello world"},
		{"cut one", "hello world", 1, "hello"},
		{"invalid utf-8 is replaced", "ab\xffcd", 100, "ab\ufffdcd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := o200k.Truncate(tc.text, tc.max); got != tc.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tc.text, tc.max, got, tc.want)
			}
		})
	}
}

// TestTruncateProperties truncates every reference text at every length and
// checks the contract: valid UTF-8, a prefix, at most n tokens, and exactly
// the decoded first n tokens whenever those end on a character boundary.
func TestTruncateProperties(t *testing.T) {
	vs := loadVectors(t)
	extra := []string{
		strings.Repeat("\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466", 20),
		strings.Repeat("\u9f98\u9f96\u9f8d", 30), // rare ideographs split across tokens
		"\u0939\u093f\u0928\u094d\u0926\u0940 \u0ba4\u0bae\u0bbf\u0bb4\u0bcd \u10e5\u10d0\u10e0\u10d7\u10e3\u10da\u10d8",
	}
	for _, s := range extra {
		vs = append(vs, vector{Text: s})
	}
	for _, name := range []string{O200kBase, Cl100kBase} {
		enc := mustGet(t, name)
		midRune := 0
		for _, v := range vs {
			ids := enc.Encode(v.Text)
			for n := 1; n <= len(ids)+1; n++ {
				got := enc.Truncate(v.Text, n)
				if !utf8.ValidString(got) || !strings.HasPrefix(v.Text, got) {
					t.Fatalf("%s: Truncate(%q, %d) = %q: not a valid prefix", name, short(v.Text), n, got)
				}
				if c := enc.Count(got); c > n {
					t.Fatalf("%s: Truncate(%q, %d) has %d tokens", name, short(v.Text), n, c)
				}
				want := enc.Decode(ids[:min(n, len(ids))])
				if !utf8.ValidString(want) {
					midRune++
					for !utf8.ValidString(want) {
						want = want[:len(want)-1]
					}
				}
				if got != want {
					t.Fatalf("%s: Truncate(%q, %d) = %q, want %q", name, short(v.Text), n, got, want)
				}
			}
		}
		t.Logf("%s: %d cuts fell inside a character and were backed off", name, midRune)
		if midRune == 0 {
			t.Errorf("%s: no cut fell inside a character; the back-off is untested", name)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, name := range []string{O200kBase, Cl100kBase} {
		enc := mustGet(t, name)
		t.Run(name, func(t *testing.T) {
			if n := enc.Count(""); n != 0 {
				t.Errorf("Count(\"\") = %d", n)
			}
			if ids := enc.Encode(""); len(ids) != 0 {
				t.Errorf("Encode(\"\") = %v", ids)
			}
			if s := enc.Decode(nil); s != "" {
				t.Errorf("Decode(nil) = %q", s)
			}
			if s := enc.Decode([]int{-1, 1 << 40, enc.Encode("hi")[0]}); s != "hi" {
				t.Errorf("Decode with unknown ids = %q, want %q", s, "hi")
			}
			eot := 199999
			if name == Cl100kBase {
				eot = 100257
			}
			if s := enc.Decode([]int{eot}); s != "<|endoftext|>" {
				t.Errorf("Decode(endoftext) = %q", s)
			}
			// Special-token text is ordinary text.
			if n := enc.Count("<|endoftext|>"); n <= 1 {
				t.Errorf("Count(<|endoftext|>) = %d, want it counted as text", n)
			}
			for _, bad := range []string{"\xff", "a\xffb", "\xe4\xbd", "caf\xc3", "\xed\xa0\x80", "ok \xf0\x9f\x98 ok"} {
				fixed := string([]rune(bad)) // one U+FFFD per invalid byte
				if got := validUTF8(bad); got != fixed {
					t.Fatalf("validUTF8(%q) = %q, want %q", bad, got, fixed)
				}
				if got, want := enc.Count(bad), enc.Count(fixed); got != want {
					t.Errorf("Count(%q) = %d, want %d (as %q)", bad, got, want, fixed)
				}
				if got := enc.Decode(enc.Encode(bad)); got != fixed {
					t.Errorf("Decode(Encode(%q)) = %q, want %q", bad, got, fixed)
				}
				if got := enc.Truncate(bad, 1000); got != fixed {
					t.Errorf("Truncate(%q) = %q, want %q", bad, got, fixed)
				}
			}
		})
	}
}

// TestHugeInput counts 100 MB of mixed text. The text repeats a chunk that
// ends in a newline, where pieces cannot span chunks, so the count must be
// exactly 100 times the chunk's.
func TestHugeInput(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB input")
	}
	chunk := mixedText(t, 1<<20)
	chunk = chunk[:strings.LastIndexByte(chunk, '\n')+1]
	huge := strings.Repeat(chunk, (100<<20)/len(chunk)+1)
	enc := mustGet(t, O200kBase)
	reps := len(huge) / len(chunk)
	if got, want := enc.Count(huge), reps*enc.Count(chunk); got != want {
		t.Fatalf("Count(%d MB) = %d, want %d", len(huge)>>20, got, want)
	}
	if got := enc.Truncate(huge, 1000); enc.Count(got) > 1000 || !strings.HasPrefix(huge, got) {
		t.Fatalf("Truncate of huge input: %d tokens", enc.Count(got))
	}
}

// TestLongPieces checks single pieces far longer than the quadratic merge
// handles, against the quadratic merge.
func TestLongPieces(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, name := range []string{O200kBase, Cl100kBase} {
		enc := mustGet(t, name)
		pieces := []string{strings.Repeat("a", 3000), strings.Repeat(" ", 2000), strings.Repeat("\u4e2d", 700)}
		for range 200 {
			var b strings.Builder
			letters := "abcdefghijklmnopqrstuvwxyz"[:2+r.IntN(24)]
			for range 97 + r.IntN(1500) {
				b.WriteByte(letters[r.IntN(len(letters))])
			}
			pieces = append(pieces, b.String())
		}
		for _, p := range pieces {
			parts := enc.mergeShort(p, make([]boundary, 0, len(p)+1))
			var want []int
			for k := 0; k+1 < len(parts); k++ {
				want = append(want, parts[k].start)
			}
			var got []int
			enc.mergeLong(p, func(start, _ int) { got = append(got, start) })
			if len(got) != len(want) {
				t.Fatalf("%s: mergeLong(%q) gives %d tokens, quadratic merge %d", name, short(p), len(got), len(want))
			}
			for k := range got {
				if got[k] != want[k] {
					t.Fatalf("%s: mergeLong(%q) token %d starts at %d, want %d", name, short(p), k, got[k], want[k])
				}
			}
		}
	}
}

// mixedText returns about n bytes of the reference texts, concatenated in
// their fixed order and repeated.
func mixedText(tb testing.TB, n int) string {
	tb.Helper()
	var b strings.Builder
	vs := loadVectors(tb)
	for b.Len() < n {
		for _, v := range vs {
			b.WriteString(v.Text)
			b.WriteByte('\n')
			if b.Len() >= n {
				break
			}
		}
	}
	return b.String()
}
