package tokens

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// vector is one line of testdata/vectors.jsonl, produced by
// testdata/gen/gen.cjs with OpenAI's tokenizer (npm "tiktoken").
type vector struct {
	Text      string `json:"text"`
	O200k     int    `json:"o200k_base"`
	Cl100k    int    `json:"cl100k_base"`
	O200kIDs  []int  `json:"o200k_base_ids"`
	Cl100kIDs []int  `json:"cl100k_base_ids"`
}

func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	f, err := os.Open("testdata/vectors.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var vs []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			tb.Fatalf("line %d: %v", len(vs)+1, err)
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return vs
}

func mustGet(tb testing.TB, name string) *Encoding {
	tb.Helper()
	enc, err := Get(name)
	if err != nil {
		tb.Fatal(err)
	}
	return enc
}

func TestReferenceVectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 300 {
		t.Fatalf("only %d vectors, want at least 300", len(vs))
	}
	for _, tc := range []struct {
		name  string
		count func(vector) int
		ids   func(vector) []int
	}{
		{O200kBase, func(v vector) int { return v.O200k }, func(v vector) []int { return v.O200kIDs }},
		{Cl100kBase, func(v vector) int { return v.Cl100k }, func(v vector) []int { return v.Cl100kIDs }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc := mustGet(t, tc.name)
			failed := 0
			for i, v := range vs {
				want := tc.ids(v)
				if tc.count(v) != len(want) {
					t.Fatalf("vector %d: count %d disagrees with %d ids", i, tc.count(v), len(want))
				}
				if got := enc.Count(v.Text); got != tc.count(v) {
					failed++
					t.Errorf("vector %d %q: Count = %d, want %d", i, short(v.Text), got, tc.count(v))
				}
				if got := enc.Encode(v.Text); !slices.Equal(got, want) {
					failed++
					t.Errorf("vector %d %q: Encode = %v, want %v", i, short(v.Text), got, want)
				}
				if got := enc.Decode(want); got != v.Text {
					t.Errorf("vector %d: Decode(ids) = %q, want %q", i, short(got), short(v.Text))
				}
			}
			t.Logf("%d vectors, %d mismatches", len(vs), failed)
		})
	}
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
