// Package redact replaces personal data and secrets in outgoing text with
// stable placeholders, and puts the originals back into the text that comes
// back.
//
// It finds five kinds of value:
//
//   - [Email]: local@domain.tld with an ASCII local part of letters, digits
//     and ". _ + -", and an ASCII domain of at least two labels whose last
//     label is alphabetic (or punycode "xn--…"). Punctuation around it (a
//     trailing full stop, quotes, "mailto:", HTML tags) is not part of it.
//   - [Phone]: "+" and 8 to 15 digits in groups (E.164 and its written forms,
//     "+1 (415) 555-0132", "+44 (0)20 7946 0958"); North American
//     "(415) 555-0132", "415-555-0132", "415.555.0132", "415 555 0132";
//     numbers with a national trunk prefix 0 written in 2 to 5 groups of 9 to
//     12 digits in all ("020 7946 0958", "07700 900123", "030 12345678",
//     "030/12345678", "01 23 45 67 89", "098765 43210"; the area code of 2
//     to 6 digits not starting "00", every other group of 2 digits or more,
//     the separators all alike, or all alike after an area code in
//     parentheses or followed by "/"; a no-break space counts as a space);
//     Chinese mobiles ("138 0013 8000", "138-0013-8000", "13800138000");
//     Indian mobiles without the prefix ("98765 43210"). Other national
//     numbers written as one unbroken run of digits are not found: without a
//     "+" they cannot be told from order numbers.
//   - [Card]: 13 to 19 digits, unbroken or in groups separated by all spaces
//     or all dashes (4-4-4-4, 4-6-5, 4-4-4-4-3 …), starting with 2 to 6 and
//     passing the Luhn check. A number with that shape that fails either test
//     is left alone as a whole, never partly taken for a phone number.
//   - [IBAN]: a country code of the IBAN registry, two check digits and the
//     BBAN in upper case, of exactly that country's length, unbroken or in
//     groups of four separated by single spaces, passing the mod-97 check.
//     Text shaped like an IBAN that is not one is left alone as a whole.
//   - [Secret]: API keys "sk-…" (also "sk-proj-…" and the like) and Brevo
//     keys "xkeysib-…": the prefix, then at least 20 characters of letters,
//     digits, "-" and "_" with at least one digit.
//
// Digits are ASCII digits. A value must not be glued to ASCII letters, digits
// or "_" on either side, and a number must not continue a decimal, date, time
// or range ("1,299", "11-23", "14:05"); any other character may touch it, so
// text in Chinese, Hindi or any other script around a value does not hide it.
// A number followed by "@" is left to the e-mail address it is part of.
//
// A [Redactor] holds the configuration (which kinds to replace) and is safe for
// concurrent use. A [Session] holds the mapping of one request: every text of
// the request is redacted through the same session, so one value gets one
// placeholder everywhere in it, and the model's reply is restored through the
// same session:
//
//	s := r.NewSession()
//	prompt := s.Redact(userText)
//	reply := callModel(prompt)
//	reply = s.Restore(reply)
//
// # Placeholders
//
// A placeholder is "[" + kind + "_" + n + "]", such as "[EMAIL_1]" or
// "[PHONE_2]": n counts from 1 for each kind separately, in order of first
// appearance within the session, skipping numbers taken by literals (below),
// written in decimal without leading zeros.
// Only ASCII letters, digits, "_" and brackets are used, so a placeholder
// goes through JSON, and through a model that copies it, unchanged.
//
// Text may already contain something shaped like a placeholder, such as a
// user who typed "[EMAIL_1]". A session never hands out a placeholder that
// already appears literally in a text it redacts: such a literal is left as it
// is and its number is skipped, so the literal stays in the prompt and
// Restore maps it to itself. When the literal is a placeholder that the
// session had already handed out for a value in an earlier text, the literal
// is replaced by a fresh placeholder of its kind that Restore turns back into
// the literal. Either way Restore(Redact(x)) == x for every x, and every
// earlier text of the session still restores correctly. Such literals are not
// reported by [Session.Findings].
package redact

import (
	"slices"
	"strconv"
	"strings"
)

// Kind names a kind of value that a [Redactor] finds. It is also the name in
// the kind's placeholders.
type Kind string

// The kinds of value a [Redactor] finds.
const (
	Email  Kind = "EMAIL"  // e-mail addresses
	Phone  Kind = "PHONE"  // telephone numbers
	Card   Kind = "CARD"   // payment card numbers that pass the Luhn check
	IBAN   Kind = "IBAN"   // international bank account numbers that pass the mod-97 check
	Secret Kind = "SECRET" // API keys: "sk-…" and Brevo "xkeysib-…"
)

// kindIndex numbers the kinds for bit masks and counters.
type kindIndex uint8

const (
	kEmail kindIndex = iota
	kPhone
	kCard
	kIBAN
	kSecret
	numKinds
)

var kindNames = [numKinds]Kind{Email, Phone, Card, IBAN, Secret}

const allKinds = 1<<numKinds - 1

// Finding is one value that a [Session] replaced.
type Finding struct {
	Kind        Kind
	Placeholder string // such as "[EMAIL_1]"
	Original    string // the value exactly as it was in the text
}

// Redactor finds values of the kinds it was configured with. It holds no
// state besides its configuration and is safe for concurrent use.
type Redactor struct {
	mask uint8 // bit i set: kindNames[i] is found
}

// Option configures a [Redactor].
type Option func(*Redactor)

// New returns a Redactor that finds every kind, or the kinds given with
// [WithKinds].
func New(opts ...Option) *Redactor {
	r := &Redactor{mask: allKinds}
	for _, o := range opts {
		o(r)
	}
	return r
}

// WithKinds limits a [Redactor] to replacing the given kinds. Values of the
// other kinds are still recognized, and left alone as a whole, so no part of
// one is replaced as a value of a given kind: the result is that of all kinds
// with the values of the other kinds put back. Called with no kinds, the
// Redactor returns every text unchanged. It panics on a Kind other than
// [Email], [Phone], [Card], [IBAN] and [Secret].
func WithKinds(kinds ...Kind) Option {
	var mask uint8
	for _, k := range kinds {
		i := slices.Index(kindNames[:], k)
		if i < 0 {
			panic("redact: unknown kind " + strconv.Quote(string(k)))
		}
		mask |= 1 << i
	}
	return func(r *Redactor) { r.mask = mask }
}

// NewSession starts the mapping of one request. See [Session].
func (r *Redactor) NewSession() *Session {
	return &Session{mask: r.mask}
}

// Redact is r.NewSession() followed by [Session.Redact] of text: it returns
// the redacted text and the session that restores it.
func (r *Redactor) Redact(text string) (string, *Session) {
	s := r.NewSession()
	return s.Redact(text), s
}

// Session is the mapping between placeholders and originals of one request.
// Make it with [Redactor.NewSession]; the zero Session redacts nothing. It is
// not safe for concurrent use.
//
// A session keeps the originals it has seen until it is dropped; it does not
// keep the texts it was given.
type Session struct {
	mask uint8

	// original maps each placeholder the session owns to the text Restore
	// puts back. It also holds the placeholder-shaped literals met in the
	// texts, mapped to themselves, so that their numbers are never handed
	// out.
	original map[string]string
	// placeholder maps an original value, or a literal that had to be
	// replaced, to its placeholder.
	placeholder map[string]string
	last        [numKinds]int // the highest number handed out per kind
	findings    []Finding
}

// Redact returns text with every value of the session's kinds replaced by its
// placeholder. A value that occurred earlier in the session, in this text or
// in an earlier one, gets the placeholder it got then; values are the same
// when their bytes are the same ("415-555-0132" and "(415) 555-0132" are two
// values). Values never overlap; when two could, the one that starts first
// wins, and an e-mail address wins over anything that starts at the same
// place or runs into it.
//
// When text contains nothing to replace and nothing shaped like a
// placeholder, Redact returns text itself without allocating. See the package
// documentation for text that already contains placeholders.
func (s *Session) Redact(text string) string {
	if s.mask == 0 {
		return text
	}
	s.reserveLiterals(text)
	var b strings.Builder
	done := 0 // text[:done] is in b, or nothing when b is empty and done is 0
	sc := newScanner(text, s.mask)
	for {
		m, ok := sc.next()
		if !ok {
			break
		}
		var ph string
		if m.literal {
			if ph = s.escape(text[m.start:m.end], m.kind); ph == "" {
				continue
			}
		} else {
			ph = s.placeholderFor(m.kind, text[m.start:m.end])
		}
		if b.Cap() == 0 {
			b.Grow(len(text) + len(ph))
		}
		b.WriteString(text[done:m.start])
		b.WriteString(ph)
		done = m.end
	}
	if b.Cap() == 0 {
		return text
	}
	b.WriteString(text[done:])
	return b.String()
}

// Restore returns text with every placeholder that the session handed out
// replaced by its original. Anything else is left as it is, including
// placeholders the session did not hand out and placeholders changed in any
// way (case, spacing, digits). For every text x that the session redacted,
// s.Restore(s.Redact(x)) == x, also after further calls to Redact. When
// nothing is replaced, Restore returns text itself without allocating.
func (s *Session) Restore(text string) string {
	if len(s.original) == 0 {
		return text
	}
	var b strings.Builder
	done := 0
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '[')
		if j < 0 {
			break
		}
		i += j
		end, _, ok := parsePlaceholder(text, i)
		if !ok {
			i++
			continue
		}
		ph := text[i:end]
		if orig, ok := s.original[ph]; ok && orig != ph {
			if b.Cap() == 0 {
				b.Grow(len(text) + len(orig))
			}
			b.WriteString(text[done:i])
			b.WriteString(orig)
			done = end
		}
		i = end
	}
	if b.Cap() == 0 {
		return text
	}
	b.WriteString(text[done:])
	return b.String()
}

// Findings returns the values the session has replaced so far, one per
// placeholder, in order of first appearance. The slice is the caller's.
func (s *Session) Findings() []Finding {
	return slices.Clone(s.findings)
}

// placeholderFor returns the placeholder of value, handing out a new one of
// kind k when value is new to the session.
func (s *Session) placeholderFor(k kindIndex, value string) string {
	if ph, ok := s.placeholder[value]; ok {
		return ph
	}
	value = strings.Clone(value) // do not pin the caller's text
	ph := s.issue(k, value)
	s.findings = append(s.findings, Finding{Kind: kindNames[k], Placeholder: ph, Original: value})
	return ph
}

// escape returns what replaces the placeholder-shaped literal lit of kind k:
// "" to leave it as it is, when the session does not use lit for a value, or
// else a placeholder of its own that restores to lit.
func (s *Session) escape(lit string, k kindIndex) string {
	if s.original[lit] == lit { // reserveLiterals has put every literal of the text in original
		return ""
	}
	if ph, ok := s.placeholder[lit]; ok {
		return ph
	}
	return s.issue(k, strings.Clone(lit))
}

// issue hands out the next free placeholder of kind k for orig and records
// both directions.
func (s *Session) issue(k kindIndex, orig string) string {
	if s.original == nil {
		s.original = make(map[string]string)
	}
	if s.placeholder == nil {
		s.placeholder = make(map[string]string)
	}
	name := string(kindNames[k])
	for n := s.last[k] + 1; ; n++ {
		ph := "[" + name + "_" + strconv.Itoa(n) + "]"
		if _, taken := s.original[ph]; taken {
			continue
		}
		s.last[k] = n
		s.original[ph] = orig
		s.placeholder[orig] = ph
		return ph
	}
}

// reserveLiterals marks every placeholder-shaped literal of the session's
// kinds in text that the session does not own yet as mapped to itself, so that
// no value of text gets its number.
func (s *Session) reserveLiterals(text string) {
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '[')
		if j < 0 {
			return
		}
		i += j
		end, k, ok := parsePlaceholder(text, i)
		if !ok {
			i++
			continue
		}
		if s.mask&(1<<k) != 0 {
			if _, owned := s.original[text[i:end]]; !owned {
				s.reserve(text[i:end])
			}
		}
		i = end
	}
}

func (s *Session) reserve(lit string) {
	if s.original == nil {
		s.original = make(map[string]string)
	}
	lit = strings.Clone(lit)
	s.original[lit] = lit
}

// maxPlaceholderDigits bounds n in a placeholder: longer numbers are never
// handed out, so text with them is ordinary text.
const maxPlaceholderDigits = 9

// parsePlaceholder reports whether text[i:] starts with a placeholder
// "[KIND_n]" (n ≥ 1, no leading zeros, at most maxPlaceholderDigits digits),
// and returns where it ends and its kind.
func parsePlaceholder(text string, i int) (end int, k kindIndex, ok bool) {
	j := i + 1
	for j < len(text) && j-i <= len(Secret) && 'A' <= text[j] && text[j] <= 'Z' {
		j++ // no kind is longer than SECRET
	}
	name := text[i+1 : j]
	if j >= len(text) || text[j] != '_' {
		return 0, 0, false
	}
	switch Kind(name) {
	case Email:
		k = kEmail
	case Phone:
		k = kPhone
	case Card:
		k = kCard
	case IBAN:
		k = kIBAN
	case Secret:
		k = kSecret
	default:
		return 0, 0, false
	}
	j++
	d := j
	for j < len(text) && isDigit(text[j]) {
		j++
	}
	if j == d || j-d > maxPlaceholderDigits || text[d] == '0' || j >= len(text) || text[j] != ']' {
		return 0, 0, false
	}
	return j + 1, k, true
}
