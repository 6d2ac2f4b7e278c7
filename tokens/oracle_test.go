package tokens

import (
	"strings"
	"sync"
	"testing"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// The regex-based tokenizer of github.com/pkoukk/tiktoken-go serves as a
// second oracle (for inputs the reference vectors do not cover, such as
// random strings and invalid UTF-8) and as the baseline of the benchmarks.
// It is built here from the embedded ranks, without its global loader.

var oraclePatterns = map[string]string{
	O200kBase: strings.Join([]string{
		`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
		`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
		`\p{N}{1,3}`,
		` ?[^\s\p{L}\p{N}]+[\r\n/]*`,
		`\s*[\r\n]+`,
		`\s+(?!\S)`,
		`\s+`,
	}, "|"),
	Cl100kBase: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
}

type oracleCell struct {
	once sync.Once
	tk   *tiktoken.Tiktoken
	err  error
}

var oracles = map[string]*oracleCell{O200kBase: {}, Cl100kBase: {}}

func buildOracle(name string) (*tiktoken.Tiktoken, error) {
	ranks, err := tiktoken_loader.NewOfflineLoader().LoadTiktokenBpe(name + ".tiktoken")
	if err != nil {
		return nil, err
	}
	special := map[string]int{}
	for id, text := range encodings[name].spec.special {
		special[text] = id
	}
	bpe, err := tiktoken.NewCoreBPE(ranks, special, oraclePatterns[name])
	if err != nil {
		return nil, err
	}
	set := map[string]any{}
	for text := range special {
		set[text] = true
	}
	return tiktoken.NewTiktoken(bpe, &tiktoken.Encoding{
		Name: name, PatStr: oraclePatterns[name], MergeableRanks: ranks, SpecialTokens: special,
	}, set), nil
}

func oracle(tb testing.TB, name string) *tiktoken.Tiktoken {
	tb.Helper()
	c := oracles[name]
	c.once.Do(func() { c.tk, c.err = buildOracle(name) })
	if c.err != nil {
		tb.Fatal(c.err)
	}
	return c.tk
}
