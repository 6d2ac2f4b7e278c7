package redact

import "strings"

// match is one value found in a text, or a placeholder-shaped literal.
type match struct {
	start, end int
	kind       kindIndex
	literal    bool // text[start:end] is shaped like a placeholder of kind
}

// scanner walks a text once from left to right and yields the values of the
// kinds in mask, and the placeholder-shaped literals of those kinds, in order
// and without overlaps. Values of every kind are found alike; one of a kind
// not in mask is stepped over whole, so that no part of it is taken for a
// value of another kind. E-mail addresses are found by looking for "@" ahead
// of the walk; everything else starts at a trigger byte.
type scanner struct {
	s    string
	mask uint8
	pos  int
	// The next e-mail address at or after pos: s[emStart:emEnd], or
	// emStart < 0 when there is none.
	emStart, emEnd int
}

func newScanner(s string, mask uint8) scanner {
	sc := scanner{s: s, mask: mask}
	sc.findEmail(0)
	return sc
}

// Byte classes for the walk.
const (
	clWord     = 1 << iota // ASCII letter, digit or "_": glues to a value next to it
	clStart                // a value other than an e-mail address can start here, after a non-word byte
	clAnywhere             // "[": a placeholder can start here, after any byte
)

var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = clWord | clStart
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = clWord | clStart
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clWord
	}
	t['_'] = clWord
	t['s'] |= clStart
	t['x'] |= clStart
	t['+'] = clStart
	t['('] = clStart
	t['['] = clAnywhere
	return t
}()

// next returns the next match, or false at the end of the text.
func (sc *scanner) next() (match, bool) {
	s := sc.s
	for i := sc.pos; i < len(s); {
		if sc.emStart >= 0 && i >= sc.emStart {
			if i == sc.emStart {
				m := match{start: i, end: sc.emEnd, kind: kEmail}
				sc.findEmail(sc.emEnd)
				if sc.mask&(1<<kEmail) == 0 {
					i = m.end
					continue
				}
				sc.pos = m.end
				return m, true
			}
			sc.findEmail(i) // not reached when matches never overlap; kept for safety
			continue
		}
		// Step to the next byte where something can start, before the next
		// e-mail address.
		limit := len(s)
		if sc.emStart >= 0 {
			limit = sc.emStart
		}
		var prev uint8
		if i > 0 {
			prev = class[s[i-1]]
		}
		for i < limit {
			cl := class[s[i]]
			if cl&clAnywhere != 0 || cl&clStart != 0 && prev&clWord == 0 {
				break
			}
			prev = cl
			i++
		}
		if i == limit {
			continue
		}
		c := s[i]
		if c == '[' {
			end, k, ok := parsePlaceholder(s, i)
			if !ok {
				i++
				continue
			}
			if sc.mask&(1<<k) != 0 {
				sc.pos = end
				return match{start: i, end: end, kind: k, literal: true}, true
			}
			i = end
			continue
		}
		end, skip := -1, -1
		var k kindIndex
		switch {
		case isDigit(c) || c == '+' || c == '(':
			end, k, skip = number(s, i)
		case c == 's' || c == 'x':
			end, skip = secret(s, i)
			k = kSecret
		default: // 'A' to 'Z'
			end, skip = iban(s, i)
			k = kIBAN
		}
		if end > 0 && sc.mask&(1<<k) == 0 {
			end, skip = -1, end
		}
		if end > 0 && (sc.emStart < 0 || end <= sc.emStart) {
			sc.pos = end
			return match{start: i, end: end, kind: k}, true
		}
		if skip > i && (sc.emStart < 0 || skip <= sc.emStart) {
			i = skip
			continue
		}
		i++
	}
	sc.pos = len(s)
	return match{}, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// isWord reports whether c glues to a value next to it: ASCII letters,
// digits and "_".
func isWord(c byte) bool { return class[c]&clWord != 0 }

// E-mail addresses.

const (
	maxLocal  = 64
	maxDomain = 253
	maxLabel  = 63
)

// findEmail sets the next e-mail address at or after from.
func (sc *scanner) findEmail(from int) {
	s := sc.s
	for from < len(s) {
		j := strings.IndexByte(s[from:], '@')
		if j < 0 {
			break
		}
		at := from + j
		if start, end := emailAround(s, from, at); end > 0 {
			sc.emStart, sc.emEnd = start, end
			return
		}
		from = at + 1
	}
	sc.emStart = -1
}

func isLocal(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-'
}

// emailAround returns the e-mail address whose "@" is at s[at] and which does
// not start before lo, or end 0 when there is none.
func emailAround(s string, lo, at int) (start, end int) {
	start = at
	for start > lo && isLocal(s[start-1]) {
		if at-start == maxLocal {
			return 0, 0
		}
		start--
	}
	for start < at && s[start] == '.' {
		start++
	}
	if start == at {
		return 0, 0
	}
	end = domainAt(s, at+1)
	if end < 0 {
		return 0, 0
	}
	return start, end
}

// domainAt returns the end of the domain name that starts at s[p]: the longest
// run of at least two labels ending in a top-level domain, or -1.
func domainAt(s string, p int) int {
	end := -1
	for pos, labels := p, 0; ; {
		ls := pos
		for pos < len(s) && (isAlnum(s[pos]) || s[pos] == '-') {
			pos++
		}
		label := s[ls:pos]
		if len(label) == 0 || len(label) > maxLabel || label[0] == '-' || label[len(label)-1] == '-' || pos-p > maxDomain {
			break
		}
		labels++
		if labels >= 2 && isTLD(label) {
			end = pos
		}
		if pos+1 < len(s) && s[pos] == '.' && isAlnum(s[pos+1]) {
			pos++
			continue
		}
		break
	}
	return end
}

func isTLD(label string) bool {
	if len(label) < 2 {
		return false
	}
	if len(label) > 4 && strings.EqualFold(label[:4], "xn--") {
		return true
	}
	for i := 0; i < len(label); i++ {
		if !isAlpha(label[i]) {
			return false
		}
	}
	return true
}

// Secrets.

const minSecretBody = 20

// secret returns the end of the API key that starts at s[i], or -1. A
// prefix followed by what is not a key gives skip, the end of the characters
// glued to it, so that they are not read again.
func secret(s string, i int) (end, skip int) {
	var p int
	switch {
	case strings.HasPrefix(s[i:], "sk-"):
		p = i + len("sk-")
	case strings.HasPrefix(s[i:], "xkeysib-"):
		p = i + len("xkeysib-")
	default:
		return -1, -1
	}
	digit := false
	j := p
	for ; j < len(s); j++ {
		c := s[j]
		if isDigit(c) {
			digit = true
		} else if !isAlpha(c) && c != '-' && c != '_' {
			break
		}
	}
	if j-p < minSecretBody || !digit || j < len(s) && s[j] == '@' {
		return -1, j
	}
	return j, -1
}

// IBANs.

// ibanLength is the length of the IBANs of each country in the IBAN registry,
// indexed by the two letters of the country code.
var ibanLength = func() (t [26][26]uint8) {
	for _, e := range []struct {
		cc string
		n  uint8
	}{
		{"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
		{"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22},
		{"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20},
		{"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22},
		{"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21},
		{"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30},
		{"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
		{"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20},
		{"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23},
		{"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22},
		{"RU", 33}, {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24},
		{"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26},
		{"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
	} {
		t[e.cc[0]-'A'][e.cc[1]-'A'] = e.n
	}
	return t
}()

// iban returns the end of the IBAN that starts at s[i], or -1. Text that
// starts like an IBAN (two capital letters, two digits) but is not one gives
// skip, the end of its groups, so that no part of it is taken for a card or
// phone number.
func iban(s string, i int) (end, skip int) {
	if i+4 > len(s) || !isUpper(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
		return -1, -1
	}
	if n := int(ibanLength[s[i]-'A'][s[i+1]-'A']); n > 0 {
		if end := ibanOf(s, i, n); end > 0 {
			return end, -1
		}
	}
	return -1, ibanGroups(s, i, maxIBAN)
}

const maxIBAN = 34

// ibanOf returns the end of the IBAN of n characters that starts at s[i],
// or -1.
func ibanOf(s string, i, n int) int {
	// The check moves the first four characters to the end and reads letters
	// as 10 to 35; the number must be 1 modulo 97.
	rem := 0
	p := i + 4
	spaced := p < len(s) && s[p] == ' '
	for count := 4; count < n; count++ {
		if spaced && count%4 == 0 {
			if p >= len(s) || s[p] != ' ' {
				return -1
			}
			p++
		}
		if p >= len(s) {
			return -1
		}
		if rem = ibanDigit(rem, s[p]); rem < 0 {
			return -1
		}
		p++
	}
	if p < len(s) && isWord(s[p]) {
		return -1
	}
	for _, c := range []byte(s[i : i+4]) {
		rem = ibanDigit(rem, c)
	}
	if rem != 1 {
		return -1
	}
	return p
}

// ibanGroups returns the end of the run of at most n capital letters and
// digits from s[i], unbroken or in groups of four split by single spaces.
func ibanGroups(s string, i, n int) int {
	p := i + 4
	spaced := p+1 < len(s) && s[p] == ' ' && (isUpper(s[p+1]) || isDigit(s[p+1]))
	for count := 4; count < n; count++ {
		q := p
		if spaced && count%4 == 0 {
			if q+1 >= len(s) || s[q] != ' ' {
				break
			}
			q++
		}
		if q >= len(s) || !isUpper(s[q]) && !isDigit(s[q]) {
			break
		}
		p = q + 1
	}
	return p
}

// ibanDigit appends the IBAN character c to the number whose remainder
// modulo 97 is rem; it returns -1 when c is not a digit or upper-case letter.
func ibanDigit(rem int, c byte) int {
	switch {
	case isDigit(c):
		return (rem*10 + int(c-'0')) % 97
	case isUpper(c):
		return (rem*100 + int(c-'A') + 10) % 97
	}
	return -1
}

// Phone and card numbers.

// maxGroups bounds the digit groups read for one number: the longest accepted
// forms have 6 ("+33 1 23 45 67 89"); cards have at most 5.
const maxGroups = 8

// numRun is a run of digit groups: s[ds[k]:de[k]] are the digits of group k,
// te[k] the end of its text (after a closing parenthesis), sep[k] the byte
// between group k-1 and group k (' ', '-', '.', '/', or 0 next to a
// parenthesis; ' ' also stands for a no-break space).
type numRun struct {
	plus  bool // the run starts with "+"
	n     int
	more  bool // another group follows the n read, after sep byte next
	next  byte
	ds    [maxGroups]int
	de    [maxGroups]int
	te    [maxGroups]int
	paren [maxGroups]bool
	sep   [maxGroups]byte
}

// parseRun reads the digit groups from s[p], which is a digit, "+" or "(".
func (r *numRun) parse(s string, p int) {
	if s[p] == '+' {
		r.plus = true
		p++
	}
	var sep byte
	for {
		q := p
		paren := q < len(s) && s[q] == '('
		if paren {
			q++
		}
		if q >= len(s) || !isDigit(s[q]) {
			return
		}
		ds := q
		for q < len(s) && isDigit(s[q]) {
			q++
		}
		de := q
		if paren {
			if q >= len(s) || s[q] != ')' {
				return
			}
			q++
		}
		if r.n == maxGroups {
			r.more, r.next = true, sep
			return
		}
		k := r.n
		r.ds[k], r.de[k], r.te[k], r.paren[k], r.sep[k] = ds, de, q, paren, sep
		r.n++
		p = q
		if p >= len(s) {
			return
		}
		switch c := s[p]; {
		case c == ' ' || c == '-' || c == '.' || c == '/':
			if p+1 < len(s) && (isDigit(s[p+1]) || c == ' ' && s[p+1] == '(') {
				sep = c
				p++
				continue
			}
		case c == '(':
			sep = 0
			continue
		case paren && isDigit(c):
			sep = 0
			continue
		default:
			// A no-break space (U+00A0) or narrow no-break space (U+202F)
			// counts as a space.
			w := 0
			if strings.HasPrefix(s[p:], "\u00a0") {
				w = len("\u00a0")
			} else if strings.HasPrefix(s[p:], "\u202f") {
				w = len("\u202f")
			}
			if w > 0 && p+w < len(s) && (isDigit(s[p+w]) || s[p+w] == '(') {
				sep = ' '
				p += w
				continue
			}
		}
		return
	}
}

// number returns the end and kind of the phone or card number that starts at
// s[i], or end -1. A card-shaped number that is not a card number gives skip,
// the end of that number, so that no part of it is taken for something else.
func number(s string, i int) (end int, k kindIndex, skip int) {
	if i >= 2 && isDigit(s[i-2]) {
		switch s[i-1] {
		case '.', ',', '-', '/', ':':
			return -1, 0, -1 // inside a decimal, a date, a time, a range
		}
	}
	var r numRun
	r.parse(s, i)
	if r.n == 0 {
		return -1, 0, -1
	}
	for b := r.n; b > 0; b-- {
		// The number may end where the run ends, or before a space.
		if b == r.n {
			if r.more && r.next != ' ' || !r.more && !numberEnds(s, r.te[b-1]) {
				continue
			}
		} else if r.sep[b] != ' ' {
			continue
		}
		switch r.classify(s, b) {
		case cardValid:
			return r.te[b-1], kCard, -1
		case cardShaped:
			return -1, 0, r.te[b-1]
		case phone:
			return r.te[b-1], kPhone, -1
		}
	}
	return -1, 0, -1
}

// numberEnds reports whether a number may end before s[e].
func numberEnds(s string, e int) bool {
	if e >= len(s) {
		return true
	}
	switch c := s[e]; {
	case isWord(c) || c == '@':
		return false
	case c == '.' || c == ',' || c == '-' || c == '/' || c == ':':
		return e+1 >= len(s) || !isDigit(s[e+1])
	}
	return true
}

type numClass uint8

const (
	none       numClass = iota
	cardValid           // a card number
	cardShaped          // shaped like a card number, but not one
	phone
)

// classify tells what the first b groups of r are.
func (r *numRun) classify(s string, b int) numClass {
	d := 0
	for k := range b {
		d += r.de[k] - r.ds[k]
	}
	if d < 8 || d > 19 {
		return none
	}
	if r.plus {
		if d <= 15 && r.plusSeps(b) && s[r.ds[0]] != '0' && !r.paren[0] {
			return phone
		}
		return none
	}
	if r.cardShape(b, d) {
		if c := s[r.ds[0]]; '2' <= c && c <= '6' && r.luhn(s, b) {
			return cardValid
		}
		return cardShaped
	}
	if r.national(s, b, d) {
		return phone
	}
	return none
}

func (r *numRun) glen(k int) int { return r.de[k] - r.ds[k] }

// plusSeps reports whether the separators of an international number are
// spaces, dashes, dots or parentheses.
func (r *numRun) plusSeps(b int) bool {
	for k := 1; k < b; k++ {
		switch r.sep[k] {
		case ' ', '-', '.':
		case 0:
			if !r.paren[k] && !r.paren[k-1] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// cardShape reports whether the first b groups, of d digits in all, are
// written like a card number: 13 to 19 digits, unbroken, or in groups of 4
// then 4 to 6 digits, the last of 1 to 6, separated by all spaces or all
// dashes.
func (r *numRun) cardShape(b, d int) bool {
	if d < 13 {
		return false
	}
	for k := range b {
		if r.paren[k] {
			return false
		}
	}
	if b == 1 {
		return true
	}
	if b < 3 || r.glen(0) != 4 || r.sep[1] != ' ' && r.sep[1] != '-' {
		return false
	}
	for k := 1; k < b; k++ {
		l := r.glen(k)
		if r.sep[k] != r.sep[1] || l > 6 || k < b-1 && l < 4 {
			return false
		}
	}
	return true
}

// luhn reports whether the digits of the first b groups pass the Luhn check.
func (r *numRun) luhn(s string, b int) bool {
	sum, double := 0, false
	for k := b - 1; k >= 0; k-- {
		for j := r.de[k] - 1; j >= r.ds[k]; j-- {
			v := int(s[j] - '0')
			if double {
				if v *= 2; v > 9 {
					v -= 9
				}
			}
			sum += v
			double = !double
		}
	}
	return sum%10 == 0
}

// national reports whether the first b groups, of d digits in all, are a
// national phone number in one of the forms in the package documentation.
func (r *numRun) national(s string, b, d int) bool {
	first := func(k int) byte { return s[r.ds[k]] }
	second := func(k int) byte { return s[r.ds[k]+1] }
	parens := 0
	for k := range b {
		if r.paren[k] {
			parens++
		}
	}
	// Chinese mobile, unbroken: 1[3-9]x xxxx xxxx.
	if b == 1 {
		return d == 11 && parens == 0 && first(0) == '1' && '3' <= second(0)
	}
	// North American: [1] (NXX) NXX-XXXX in its usual spellings.
	off := 0
	if b == 4 && r.glen(0) == 1 && first(0) == '1' && !r.paren[0] && oneOf(r.sep[1], " -.") {
		off = 1
	}
	if b-off == 3 && r.glen(off) == 3 && r.glen(off+1) == 3 && r.glen(off+2) == 4 &&
		first(off) >= '2' && first(off+1) >= '2' && !r.paren[off+1] && !r.paren[off+2] {
		if r.paren[off] {
			if (r.sep[off+1] == ' ' || r.sep[off+1] == 0) && oneOf(r.sep[off+2], " -.") {
				return true
			}
		} else if r.sep[off+1] == r.sep[off+2] && oneOf(r.sep[off+1], " -.") {
			return true
		}
	}
	if parens == 0 && b >= 2 && r.sep[1] != 0 {
		same := true
		for k := 2; k < b; k++ {
			same = same && r.sep[k] == r.sep[1]
		}
		// Chinese mobile: 1[3-9]x xxxx xxxx.
		if same && b == 3 && r.glen(0) == 3 && r.glen(1) == 4 && r.glen(2) == 4 &&
			first(0) == '1' && '3' <= second(0) && oneOf(r.sep[1], " -") {
			return true
		}
		// Indian mobile without the trunk prefix: xxxxx xxxxx.
		if b == 2 && r.glen(0) == 5 && r.glen(1) == 5 && first(0) >= '6' && oneOf(r.sep[1], " -") {
			return true
		}
	}
	// Trunk prefix 0: 0A[A…] then groups of at least 2 digits.
	if first(0) != '0' || r.glen(0) < 2 || r.glen(0) > 6 || second(0) == '0' ||
		b > 5 || d < 9 || d > 12 || parens > 1 || parens == 1 && !r.paren[0] {
		return false
	}
	for k := 1; k < b; k++ {
		if r.glen(k) < 2 {
			return false
		}
	}
	// After the area code: a space, dash, slash or dot, or a space or nothing
	// after its parenthesis; the other separators all alike.
	from := 2
	switch {
	case r.paren[0]:
		if r.sep[1] != ' ' && r.sep[1] != 0 {
			return false
		}
	case r.sep[1] == '/':
	default:
		from = 1
	}
	for k := from; k < b; k++ {
		if r.sep[k] != r.sep[from] || !oneOf(r.sep[k], " -.") {
			return false
		}
	}
	return true
}

func oneOf(c byte, set string) bool {
	return c != 0 && strings.IndexByte(set, c) >= 0
}
