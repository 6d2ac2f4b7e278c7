package tokens

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// alphabet mixes runes of every class the pre-tokenizers distinguish, so
// random strings over it hit the alternation and backtracking corners.
var alphabet = []string{
	"a", "b", "z", "A", "Z", "s", "S", "t", "e", "l", "d", "m", "v", "r", "'", "'", "'s", "'LL", "\u017f",
	"0", "7", "9", "\u0663", "\u00b2", "\u2167", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000",
	"\u2028", "\u0085", "\u000b", "!", ".", ",", "/", "//", "-", "_", "<", ">", "\"", "(", "$", "%",
	"\u0301", "\u0308", "\u094d", "\u01c5", "\u02b0", "\u3005", "\u4e2d", "\u6587", "\u3053", "\u30ab",
	"\u0928", "\u093f", "\u0627", "\u0644", "\u0e01", "\u0e34", "\u00e9", "\u00c9", "\u03a3", "\u03c3",
	"\U0001F600", "\U0001F468\u200d\U0001F469", "\ufe0f", "\u200b", "\ufffd",
}

func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestAgainstRegexTokenizer compares Encode with the regex-based tokenizer
// on random strings, invalid UTF-8 and the reference texts.
func TestAgainstRegexTokenizer(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var texts []string
	for i := range 3000 {
		texts = append(texts, randomText(r, 1+i%40))
	}
	for range 20 {
		texts = append(texts, randomText(r, 400))
	}
	texts = append(texts,
		"\xff", "a\xffb", "\xe4\xbd", "\xe4\xbd\xa0\xe4", "caf\xc3", "\xc0\x80", "\xed\xa0\x80", "ok \xf0\x9f\x98 ok",
		strings.Repeat("\xff", 50), "\ufffd\xff\ufffd",
	)
	for _, v := range loadVectors(t) {
		texts = append(texts, v.Text)
	}
	for _, name := range []string{O200kBase, Cl100kBase} {
		t.Run(name, func(t *testing.T) {
			enc, tk := mustGet(t, name), oracle(t, name)
			bad := 0
			for _, s := range texts {
				want := tk.EncodeOrdinary(s)
				if got := enc.Encode(s); !slices.Equal(got, want) {
					if bad++; bad <= 10 {
						t.Errorf("Encode(%q) = %v, regex tokenizer %v", s, got, want)
					}
				}
				if got := enc.Count(s); got != len(want) {
					t.Errorf("Count(%q) = %d, want %d", s, got, len(want))
				}
			}
		})
	}
}

func FuzzAgainstRegexTokenizer(f *testing.F) {
	for _, s := range []string{"", "hello world", "I'm 'SURE'\r\n\n  x", "\u4e2d\u6587 \U0001F600\u200d", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range []string{O200kBase, Cl100kBase} {
			want := oracle(t, name).EncodeOrdinary(s)
			if got := mustGet(t, name).Encode(s); !slices.Equal(got, want) {
				t.Fatalf("%s: Encode(%q) = %v, regex tokenizer %v", name, s, got, want)
			}
		}
	})
}
