package tokens

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// The pre-tokenizers below split text into the pieces that BPE then merges.
// Each one reproduces, match for match, the regular expression OpenAI
// publishes for its encoding (leftmost-first alternation with backtracking,
// as in the reference implementation), but scans UTF-8 bytes directly: no
// rune slices, no match objects, no allocation. The reference vectors and the
// differential tests against a regex-based tokenizer hold them to that.
//
// cl100k_base:
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//	 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// o200k_base:
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//	\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// Both splitters expect valid UTF-8 (Encoding sanitizes its input first).

// class is a bit set of the character classes the patterns distinguish. A
// rune has exactly one general category, so exactly one of the category bits
// is set; White_Space runes carry clsSpace and CR/LF also clsCRLF.
type class uint16

const (
	clsLu class = 1 << iota
	clsLl
	clsLt
	clsLm
	clsLo
	clsM
	clsN
	clsSpace
	clsCRLF
	clsOther // none of the above

	clsL = clsLu | clsLl | clsLt | clsLm | clsLo
	// clsUpper is o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}].
	clsUpper = clsLu | clsLt | clsLm | clsLo | clsM
	// clsLower is o200k's [\p{Ll}\p{Lm}\p{Lo}\p{M}].
	clsLower = clsLl | clsLm | clsLo | clsM
	// clsNoPrefix marks runes that [^\r\n\p{L}\p{N}] rejects.
	clsNoPrefix = clsL | clsN | clsCRLF
	// clsNotOther marks runes that [^\s\p{L}\p{N}] rejects.
	clsNotOther = clsSpace | clsL | clsN
)

// asciiClass is an immutable lookup table for the ASCII range.
var asciiClass = func() (t [utf8.RuneSelf]class) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		t[r] = classifySlow(r)
	}
	return t
}()

// classTable is the class of every rune of the Basic Multilingual Plane,
// so that splitting non-ASCII text needs no Unicode table search.
type classTable [1 << 16]class

// bmpClasses builds the table once, when the first encoding is built; it is
// never modified afterwards.
var bmpClasses = sync.OnceValue(buildClassTable)

func buildClassTable() *classTable {
	t := new(classTable)
	for r := range t {
		t[r] = classifySlow(rune(r))
	}
	return t
}

// classifySlow checks the categories in rough order of frequency in
// non-ASCII text (ideographs, syllabaries and abugidas are Lo).
func classifySlow(r rune) class {
	switch {
	case r == '\r' || r == '\n':
		return clsSpace | clsCRLF
	case unicode.Is(unicode.Lo, r):
		return clsLo
	case unicode.Is(unicode.Ll, r):
		return clsLl
	case unicode.Is(unicode.Lu, r):
		return clsLu
	case unicode.Is(unicode.M, r):
		return clsM
	case unicode.Is(unicode.N, r):
		return clsN
	case unicode.Is(unicode.White_Space, r):
		return clsSpace
	case unicode.Is(unicode.Lm, r):
		return clsLm
	case unicode.Is(unicode.Lt, r):
		return clsLt
	}
	return clsOther
}

// at returns the rune starting at byte i, its class and its width. At the end
// of s it returns width 0 and class 0.
func (t *classTable) at(s string, i int) (rune, class, int) {
	if i >= len(s) {
		return 0, 0, 0
	}
	if b := s[i]; b < utf8.RuneSelf {
		return rune(b), asciiClass[b], 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if r < 1<<16 {
		return r, t[r], w
	}
	return r, classifySlow(r), w
}

// scan returns the end of the run of runes whose class intersects want,
// starting at byte i.
func (t *classTable) scan(s string, i int, want class) int {
	for i < len(s) {
		_, c, w := t.at(s, i)
		if c&want == 0 {
			break
		}
		i += w
	}
	return i
}

// scanBytes returns the end of a run of the ASCII bytes a, b (and c if
// non-zero), as in [\r\n]* and [\r\n/]*.
func scanBytes(s string, i int, a, b, c byte) int {
	for i < len(s) && (s[i] == a || s[i] == b || (c != 0 && s[i] == c)) {
		i++
	}
	return i
}

// contraction returns the length of (?i:'s|'t|'re|'ve|'m|'ll|'d) at byte i,
// or 0. Case-insensitive matching uses Unicode simple case folding, under
// which 's' also matches U+017F LATIN SMALL LETTER LONG S.
func contraction(s string, i int) int {
	if i+1 >= len(s) || s[i] != '\'' {
		return 0
	}
	switch s[i+1] | 0x20 {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if i+2 < len(s) && s[i+2]|0x20 == 'e' {
			return 3
		}
	case 'l':
		if i+2 < len(s) && s[i+2]|0x20 == 'l' {
			return 3
		}
	}
	if s[i+1] == 0xC5 && i+2 < len(s) && s[i+2] == 0xBF { // ſ
		return 3
	}
	return 0
}

// scanSpace handles the three whitespace alternatives shared by both
// patterns, \s*[\r\n]+ | \s+(?!\S) | \s+, for a whitespace rune at byte i.
func (t *classTable) scanSpace(s string, i int) int {
	end, lastCRLF, lastStart, runes := i, -1, i, 0
	for end < len(s) {
		_, c, w := t.at(s, end)
		if c&clsSpace == 0 {
			break
		}
		if c&clsCRLF != 0 {
			lastCRLF = end
		}
		lastStart = end
		runes++
		end += w
	}
	if lastCRLF >= 0 {
		// \s* backtracks to the last CR or LF of the run; [\r\n]+ takes it.
		return lastCRLF + 1
	}
	if end == len(s) || runes == 1 {
		return end
	}
	// \s+(?!\S): leave the last whitespace rune to prefix the next piece.
	return lastStart
}

// nextCl100k returns the end of the cl100k_base piece starting at byte i
// (i < len(s)).
func (t *classTable) nextCl100k(s string, i int) int {
	r, c, w := t.at(s, i)
	// (?i:'s|'t|'re|'ve|'m|'ll|'d)
	if r == '\'' {
		if n := contraction(s, i); n > 0 {
			return i + n
		}
	}
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if c&clsNoPrefix == 0 {
		if _, c2, w2 := t.at(s, i+w); c2&clsL != 0 {
			return t.scan(s, i+w+w2, clsL)
		}
	}
	if c&clsL != 0 {
		return t.scan(s, i+w, clsL)
	}
	// \p{N}{1,3}
	if c&clsN != 0 {
		return t.scanDigits(s, i+w)
	}
	// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
	if r == ' ' {
		if _, c2, w2 := t.at(s, i+1); w2 > 0 && c2&clsNotOther == 0 {
			return scanBytes(s, t.scan(s, i+1+w2, clsM|clsOther), '\r', '\n', 0)
		}
	}
	if c&clsNotOther == 0 {
		return scanBytes(s, t.scan(s, i+w, clsM|clsOther), '\r', '\n', 0)
	}
	return t.scanSpace(s, i)
}

// scanDigits completes \p{N}{1,3} after its first rune.
func (t *classTable) scanDigits(s string, i int) int {
	for k := 0; k < 2; k++ {
		_, c, w := t.at(s, i)
		if c&clsN == 0 {
			break
		}
		i += w
	}
	return i
}

// nextO200k returns the end of the o200k_base piece starting at byte i
// (i < len(s)).
func (t *classTable) nextO200k(s string, i int) int {
	r, c, w := t.at(s, i)
	canPrefix := c&clsNoPrefix == 0

	// [^\r\n\p{L}\p{N}]?[Upper]*[Lower]+(?i:contraction)?
	if canPrefix {
		if e := t.upperStarLowerPlus(s, i+w); e >= 0 {
			return e + contraction(s, e)
		}
	}
	if c&(clsUpper|clsLower) != 0 {
		if e := t.upperStarLowerPlus(s, i); e >= 0 {
			return e + contraction(s, e)
		}
	}
	// [^\r\n\p{L}\p{N}]?[Upper]+[Lower]*(?i:contraction)?
	if canPrefix {
		if _, c2, w2 := t.at(s, i+w); c2&clsUpper != 0 {
			e := t.scan(s, t.scan(s, i+w+w2, clsUpper), clsLower)
			return e + contraction(s, e)
		}
	}
	if c&clsUpper != 0 {
		e := t.scan(s, t.scan(s, i+w, clsUpper), clsLower)
		return e + contraction(s, e)
	}
	// \p{N}{1,3}
	if c&clsN != 0 {
		return t.scanDigits(s, i+w)
	}
	// ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
	if r == ' ' {
		if _, c2, w2 := t.at(s, i+1); w2 > 0 && c2&clsNotOther == 0 {
			return scanBytes(s, t.scan(s, i+1+w2, clsM|clsOther), '\r', '\n', '/')
		}
	}
	if c&clsNotOther == 0 {
		return scanBytes(s, t.scan(s, i+w, clsM|clsOther), '\r', '\n', '/')
	}
	return t.scanSpace(s, i)
}

// upperStarLowerPlus matches [Upper]*[Lower]+ at byte i and returns its end,
// or -1. The classes overlap (Lm, Lo and M are in both), so when the greedy
// [Upper]* run is not followed by a Lower rune, the regex backtracks to the
// last rune of that run that is also Lower, and [Lower]+ ends right after it.
func (t *classTable) upperStarLowerPlus(s string, i int) int {
	lastLowerEnd := -1
	for i < len(s) {
		_, c, w := t.at(s, i)
		if c&clsUpper == 0 {
			break
		}
		i += w
		if c&clsLower != 0 {
			lastLowerEnd = i
		}
	}
	if _, c, _ := t.at(s, i); c&clsLower != 0 {
		return t.scan(s, i, clsLower)
	}
	return lastLowerEnd
}
