package tokens

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// Benchmarks of Count next to the regex-based tokenizer of
// github.com/pkoukk/tiktoken-go (its Encode, the way to count with it) on
// the same mixed text: the reference texts (nine scripts, emoji, code, HTML,
// URLs, numbers, whitespace runs) concatenated and repeated.
//
//	go test -run '^$' -bench . -benchmem ./tokens/

var benchSizes = []struct {
	name string
	n    int
}{{"1KB", 1 << 10}, {"100KB", 100 << 10}, {"10MB", 10 << 20}}

func BenchmarkCount(b *testing.B) {
	for _, name := range []string{O200kBase, Cl100kBase} {
		enc := mustGet(b, name)
		for _, size := range benchSizes {
			text := mixedText(b, size.n)[:size.n]
			text = validUTF8(text) // the cut may split a character
			b.Run(fmt.Sprintf("%s/%s/reachkit", name, size.name), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				tokens := enc.Count(text) // the shared encoder is warm in steady use
				for b.Loop() {
					tokens = enc.Count(text)
				}
				b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			})
			b.Run(fmt.Sprintf("%s/%s/tiktoken-go", name, size.name), func(b *testing.B) {
				tk := oracle(b, name)
				b.SetBytes(int64(len(text)))
				tokens := 0
				for b.Loop() {
					tokens = len(tk.Encode(text, nil, nil))
				}
				b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}

// BenchmarkEncode measures Encode, which also builds the id slice.
func BenchmarkEncode(b *testing.B) {
	for _, name := range []string{O200kBase, Cl100kBase} {
		enc := mustGet(b, name)
		text := validUTF8(mixedText(b, 100<<10)[:100<<10])
		b.Run(name+"/100KB", func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				enc.Encode(text)
			}
		})
	}
}

// BenchmarkLoad measures the first-use cost of an encoding: parsing the
// embedded vocabulary and building the encoder, which Get pays once per
// encoding and process, plus the character-class table shared by both
// (built with the first encoding). The regex-based tokenizer's equivalent
// (parsing the same data and building its encoder) is shown for comparison.
func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{O200kBase, Cl100kBase} {
		b.Run(name+"/reachkit", func(b *testing.B) {
			for b.Loop() {
				if _, err := buildEncoding(encodings[name].spec); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/tiktoken-go", func(b *testing.B) {
			for b.Loop() {
				if _, err := buildOracle(name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("class-table", func(b *testing.B) {
		for b.Loop() {
			buildClassTable()
		}
	})
}

// TestLoadCost logs what building each encoding costs once: time and the
// heap it keeps.
func TestLoadCost(t *testing.T) {
	for _, name := range []string{O200kBase, Cl100kBase} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		enc, err := buildEncoding(encodings[name].spec)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		t.Logf("%s: built in %v, keeps %.1f MB of heap", name, elapsed.Round(time.Millisecond),
			float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20))
		runtime.KeepAlive(enc)
	}
}
