package tokens

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go-loader/assets"
)

// Names of the encodings this package provides.
const (
	// O200kBase is the encoding of gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the
	// o-series reasoning models.
	O200kBase = "o200k_base"
	// Cl100kBase is the encoding of gpt-4, gpt-4-turbo, gpt-3.5-turbo and
	// the text-embedding-3 and ada-002 embedding models.
	Cl100kBase = "cl100k_base"
)

// Encoding is a byte-pair-encoding tokenizer with the vocabulary of one of
// OpenAI's encodings. Obtain one with Get or ForModel; each is built once per
// process and is safe for concurrent use.
//
// Text is split and merged exactly as OpenAI's reference tokenizer does,
// with special-token strings such as "<|endoftext|>" treated as ordinary
// text, which is how the API treats message content. Invalid UTF-8 is read
// as if each byte that is not part of a valid sequence were U+FFFD.
type Encoding struct {
	name    string
	ranks   map[string]int
	decoder []string         // token bytes by id
	special map[int]string   // special-token text by id, for Decode
	pairs   *[1 << 16]uint32 // rank of every two-byte token, noRank if none
	next    func(t *classTable, s string, i int) int
	classes *classTable
	scratch scratchList
}

// encodingSpec describes how to build an encoding from the embedded data.
type encodingSpec struct {
	file    string
	size    int // number of mergeable ranks in the file
	next    func(t *classTable, s string, i int) int
	special map[int]string
}

// lazyEncoding builds its Encoding on first use.
type lazyEncoding struct {
	spec encodingSpec
	once sync.Once
	enc  *Encoding
	err  error
}

func (l *lazyEncoding) get() (*Encoding, error) {
	l.once.Do(func() { l.enc, l.err = buildEncoding(l.spec) })
	return l.enc, l.err
}

// encodings is the table of known encodings. The map is never modified; each
// entry builds its Encoding once, on first use.
var encodings = map[string]*lazyEncoding{
	O200kBase: {spec: encodingSpec{
		file: "o200k_base.tiktoken",
		size: 199998,
		next: (*classTable).nextO200k,
		special: map[int]string{
			199999: "<|endoftext|>",
			200018: "<|endofprompt|>",
		},
	}},
	Cl100kBase: {spec: encodingSpec{
		file: "cl100k_base.tiktoken",
		size: 100256,
		next: (*classTable).nextCl100k,
		special: map[int]string{
			100257: "<|endoftext|>",
			100258: "<|fim_prefix|>",
			100259: "<|fim_middle|>",
			100260: "<|fim_suffix|>",
			100276: "<|endofprompt|>",
		},
	}},
}

// Get returns the encoding with the given name: "o200k_base" or
// "cl100k_base". An unknown name returns an *UnknownEncodingError.
func Get(name string) (*Encoding, error) {
	l, ok := encodings[name]
	if !ok {
		return nil, &UnknownEncodingError{Name: name}
	}
	return l.get()
}

// UnknownEncodingError reports an encoding name this package does not know.
type UnknownEncodingError struct {
	Name string
}

// Error names the encoding and lists the known ones.
func (e *UnknownEncodingError) Error() string {
	return fmt.Sprintf("tokens: unknown encoding %q (known: %q, %q)", e.Name, O200kBase, Cl100kBase)
}

// buildEncoding parses the BPE ranks embedded in the binary. It never reads
// the file system or the network.
func buildEncoding(spec encodingSpec) (*Encoding, error) {
	data, err := assets.Assets.ReadFile(spec.file)
	if err != nil {
		return nil, fmt.Errorf("tokens: loading embedded %s: %w", spec.file, err)
	}
	ranks, decoder, err := parseRanks(data, spec.size)
	if err != nil {
		return nil, fmt.Errorf("tokens: parsing embedded %s: %w", spec.file, err)
	}
	pairs := new([1 << 16]uint32)
	for i := range pairs {
		pairs[i] = noRank
	}
	for id, tok := range decoder {
		if len(tok) == 2 {
			pairs[uint16(tok[0])<<8|uint16(tok[1])] = uint32(id)
		}
	}
	return &Encoding{
		name:    spec.file[:len(spec.file)-len(".tiktoken")],
		pairs:   pairs,
		ranks:   ranks,
		decoder: decoder,
		special: spec.special,
		next:    spec.next,
		classes: bmpClasses(),
	}, nil
}

// parseRanks reads a .tiktoken file: one "base64(token) rank" line per
// token, ranks 0..size-1 in order. All token bytes share one string, so
// the whole vocabulary costs three allocations plus the map.
func parseRanks(data []byte, size int) (map[string]int, []string, error) {
	type span struct{ start, end int }
	arena := make([]byte, 0, len(data)*3/4)
	spans := make([]span, 0, size)
	for line := 1; len(data) > 0; line++ {
		eol := bytes.IndexByte(data, '\n')
		if eol < 0 {
			eol = len(data)
		}
		row := data[:eol]
		data = data[min(eol+1, len(data)):]
		if len(row) == 0 {
			continue
		}
		sp := bytes.IndexByte(row, ' ')
		if sp < 0 {
			return nil, nil, fmt.Errorf("line %d: no rank", line)
		}
		rank, err := strconv.Atoi(string(row[sp+1:]))
		if err != nil || rank != len(spans) {
			return nil, nil, fmt.Errorf("line %d: rank %q, want %d", line, row[sp+1:], len(spans))
		}
		start := len(arena)
		arena = arena[:start+base64.StdEncoding.DecodedLen(sp)]
		n, err := base64.StdEncoding.Decode(arena[start:], row[:sp])
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		arena = arena[:start+n]
		spans = append(spans, span{start, start + n})
	}
	if len(spans) != size {
		return nil, nil, fmt.Errorf("%d ranks, want %d", len(spans), size)
	}
	all := string(arena)
	ranks := make(map[string]int, size)
	decoder := make([]string, size)
	for id, sp := range spans {
		tok := all[sp.start:sp.end]
		ranks[tok] = id
		decoder[id] = tok
	}
	if len(ranks) != size {
		return nil, nil, fmt.Errorf("%d distinct tokens, want %d", len(ranks), size)
	}
	return ranks, decoder, nil
}

// Name returns the encoding's name, such as "o200k_base".
func (e *Encoding) Name() string { return e.name }

// Count returns the number of tokens text encodes to; it equals
// len(e.Encode(text)) without building the slice. Counting valid UTF-8 does
// not allocate.
func (e *Encoding) Count(text string) int {
	text = validUTF8(text)
	n := 0
	for i := 0; i < len(text); {
		j := e.next(e.classes, text, i)
		n += e.countPiece(text[i:j])
		i = j
	}
	return n
}

func (e *Encoding) countPiece(piece string) int {
	if _, ok := e.ranks[piece]; ok {
		return 1
	}
	if len(piece) <= shortPiece {
		var buf [shortPiece + 1]boundary
		return len(e.mergeShort(piece, buf[:0])) - 1
	}
	n := 0
	e.mergeLong(piece, func(int, int) { n++ })
	return n
}

// Encode returns the token ids of text.
func (e *Encoding) Encode(text string) []int {
	text = validUTF8(text)
	ids := make([]int, 0, len(text)/4+1)
	for i := 0; i < len(text); {
		j := e.next(e.classes, text, i)
		ids = e.appendPiece(ids, text[i:j])
		i = j
	}
	return ids
}

func (e *Encoding) appendPiece(ids []int, piece string) []int {
	if id, ok := e.ranks[piece]; ok {
		return append(ids, id)
	}
	if len(piece) <= shortPiece {
		var buf [shortPiece + 1]boundary
		parts := e.mergeShort(piece, buf[:0])
		for k := 0; k+1 < len(parts); k++ {
			ids = append(ids, e.ranks[piece[parts[k].start:parts[k+1].start]])
		}
		return ids
	}
	e.mergeLong(piece, func(start, end int) {
		ids = append(ids, e.ranks[piece[start:end]])
	})
	return ids
}

// Decode returns the text of the given token ids. Special-token ids decode
// to their text (such as "<|endoftext|>"); ids outside the vocabulary are
// skipped. The bytes are returned as they are: a sequence that ends inside a
// multi-byte character yields a string that is not valid UTF-8, so that
// decoding a long sequence in pieces and concatenating loses nothing.
func (e *Encoding) Decode(ids []int) string {
	n := 0
	for _, id := range ids {
		n += len(e.tokenBytes(id))
	}
	b := make([]byte, 0, n)
	for _, id := range ids {
		b = append(b, e.tokenBytes(id)...)
	}
	return string(b)
}

func (e *Encoding) tokenBytes(id int) string {
	if id >= 0 && id < len(e.decoder) && e.decoder[id] != "" {
		return e.decoder[id]
	}
	return e.special[id]
}

// Truncate returns the longest prefix of text that is at most maxTokens
// tokens long and ends on a character boundary: when the first maxTokens
// tokens end inside a multi-byte character, the partial character is
// dropped. Text that already fits is returned unchanged; maxTokens <= 0
// returns "". The result is valid UTF-8 and Count(result) <= maxTokens.
// Invalid UTF-8 in text is replaced as described on Encoding before cutting.
func (e *Encoding) Truncate(text string, maxTokens int) string {
	if maxTokens <= 0 {
		return ""
	}
	text = validUTF8(text)
	for n := maxTokens; n > 0; {
		cut, whole := e.prefixLen(text, n)
		if whole {
			return text
		}
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		// Re-encoding a prefix can, rarely, split its last piece into more
		// tokens than it had inside the longer text; shorten until it fits.
		got := e.Count(text[:cut])
		if got <= maxTokens {
			return text[:cut]
		}
		n -= got - maxTokens
	}
	return ""
}

// prefixLen returns the byte length of the first n tokens of text, or
// whole=true when text has at most n tokens.
func (e *Encoding) prefixLen(text string, n int) (cut int, whole bool) {
	count := 0
	for i := 0; i < len(text); {
		j := e.next(e.classes, text, i)
		piece := text[i:j]
		k := e.countPiece(piece) // count < n here, so a whole token always fits
		if count+k > n {
			return i + e.tokenOffset(piece, n-count), false
		}
		count += k
		if count == n && j < len(text) {
			return j, false
		}
		i = j
	}
	return len(text), true
}

// tokenOffset returns the byte offset in piece where its k-th token starts.
func (e *Encoding) tokenOffset(piece string, k int) int {
	if len(piece) <= shortPiece {
		var buf [shortPiece + 1]boundary
		return e.mergeShort(piece, buf[:0])[k].start
	}
	off, seen := len(piece), 0
	e.mergeLong(piece, func(start, _ int) {
		if seen == k {
			off = start
		}
		seen++
	})
	return off
}

// validUTF8 returns s unchanged when it is valid UTF-8, and otherwise a copy
// in which every byte that does not belong to a valid sequence is replaced
// by U+FFFD (one replacement per byte, as a []rune conversion does).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+len(s)/2)
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[i:i+w]...)
		}
		i += w
	}
	return string(b)
}
