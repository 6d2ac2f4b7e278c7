package openai

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// Embedding replies are the largest bodies the API sends (2,048 vectors of
// up to 3,072 values). encoding/json scans such a body twice (validation,
// then decoding) at a few hundred MB/s; this scanner reads the known shape
// of the reply in one pass and decodes base64 vectors straight into their
// []float32. It gives up, and the caller falls back to encoding/json, on
// anything it does not expect: escaped strings, unknown value shapes,
// malformed input. It is written by hand because no maintained JSON library
// decodes base64 into float32 memory in place.

type embScanner struct {
	b     []byte
	i     int
	depth int // nesting of skipped values, bounded
}

func (s *embScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *embScanner) consume(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *embScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// str reads a string without escapes and returns its bytes (aliasing b).
func (s *embScanner) str() ([]byte, bool) {
	if !s.consume('"') {
		return nil, false
	}
	j := bytes.IndexByte(s.b[s.i:], '"')
	if j < 0 {
		return nil, false
	}
	v := s.b[s.i : s.i+j]
	if bytes.IndexByte(v, '\\') >= 0 || bytes.IndexByte(v, '\n') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
		return nil, false
	}
	s.i += j + 1
	return v, true
}

// text reads a short string that must be valid UTF-8 without control
// characters, as encoding/json would decode it unchanged.
func (s *embScanner) text() (string, bool) {
	v, ok := s.key()
	return string(v), ok
}

// key is text without the copy, for object keys.
func (s *embScanner) key() ([]byte, bool) {
	v, ok := s.str()
	if !ok || !utf8.Valid(v) {
		return nil, false
	}
	for _, c := range v {
		if c < 0x20 {
			return nil, false
		}
	}
	return v, true
}

// number reads a number that follows the JSON grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *embScanner) number() ([]byte, bool) {
	s.ws()
	b, i := s.b, s.i
	start := i
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	s.i = i
	return b[start:i], true
}

func (s *embScanner) integer() (int, bool) {
	t, ok := s.number()
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(string(t))
	return n, err == nil
}

// skip passes over any JSON value.
func (s *embScanner) skip() bool {
	switch s.peek() {
	case '"':
		// Strings are skipped only when they need no unescaping, so
		// their validity is easy to check; anything else falls back.
		_, ok := s.key()
		return ok
	case '{':
		if s.depth++; s.depth > 64 {
			return false
		}
		defer func() { s.depth-- }()
		return s.object(func([]byte) bool { return s.skip() })
	case '[':
		if s.depth++; s.depth > 64 {
			return false
		}
		defer func() { s.depth-- }()
		s.i++
		if s.consume(']') {
			return true
		}
		for {
			if !s.skip() {
				return false
			}
			if s.consume(',') {
				continue
			}
			return s.consume(']')
		}
	case 0:
		return false
	case 't', 'f', 'n':
		for _, lit := range [...]string{"true", "false", "null"} {
			if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
				s.i += len(lit)
				return true
			}
		}
		return false
	default:
		_, ok := s.number()
		return ok
	}
}

// object calls field for each key of an object; field must consume the value.
func (s *embScanner) object(field func(key []byte) bool) bool {
	if !s.consume('{') {
		return false
	}
	if s.consume('}') {
		return true
	}
	for {
		key, ok := s.key()
		if !ok || !s.consume(':') || !field(key) {
			return false
		}
		if s.consume(',') {
			continue
		}
		return s.consume('}')
	}
}

// fastDecodeEmbeddings fills r from body, or reports false to ask for the
// encoding/json path. r may be partly filled when it reports false.
func fastDecodeEmbeddings(body []byte, r *EmbeddingResponse) bool {
	s := &embScanner{b: body}
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "object":
			v, ok := s.text()
			r.Object = v
			return ok
		case "model":
			v, ok := s.text()
			r.Model = v
			return ok
		case "usage":
			return s.object(func(k []byte) bool {
				switch string(k) {
				case "prompt_tokens":
					n, ok := s.integer()
					r.Usage.PromptTokens = n
					return ok
				case "total_tokens":
					n, ok := s.integer()
					r.Usage.TotalTokens = n
					return ok
				}
				return !foldsTo(k, "prompt_tokens", "total_tokens") && s.skip()
			})
		case "data":
			r.Data = make([]Embedding, 0, 16) // a repeated key replaces, as in encoding/json
			return s.embeddings(r)
		}
		return !foldsTo(key, "object", "model", "usage", "data") && s.skip()
	})
	s.ws()
	return ok && s.i == len(s.b)
}

func (s *embScanner) embeddings(r *EmbeddingResponse) bool {
	if !s.consume('[') {
		return false
	}
	if s.consume(']') {
		return true
	}
	for {
		var e Embedding
		ok := s.object(func(key []byte) bool {
			switch string(key) {
			case "object":
				v, ok := s.text()
				e.Object = v
				return ok
			case "index":
				n, ok := s.integer()
				e.Index = n
				return ok
			case "embedding":
				return s.vector(&e.Embedding)
			}
			return !foldsTo(key, "object", "index", "embedding") && s.skip()
		})
		if !ok {
			return false
		}
		r.Data = append(r.Data, e)
		if s.consume(',') {
			continue
		}
		return s.consume(']')
	}
}

func (s *embScanner) vector(v *Vector) bool {
	switch s.peek() {
	case '"':
		b64, ok := s.str()
		if !ok {
			return false
		}
		out := make([]float32, base64.StdEncoding.DecodedLen(len(b64))/4+1)
		n, err := decodeFloat32s(out, b64)
		if err != nil {
			return false
		}
		*v = out[:n]
		return true
	case '[':
		s.i++
		out := make([]float32, 0, 1536)
		if s.consume(']') {
			*v = out
			return true
		}
		for {
			t, ok := s.number()
			if !ok {
				return false
			}
			f, err := strconv.ParseFloat(string(t), 32)
			if err != nil {
				return false
			}
			out = append(out, float32(f))
			if s.consume(',') {
				continue
			}
			*v = out
			return s.consume(']')
		}
	case 'n':
		if bytes.HasPrefix(s.b[s.i:], []byte("null")) {
			s.i += 4
			*v = nil
			return true
		}
	}
	return false
}

// foldsTo reports whether key matches one of names ignoring case, as
// encoding/json would match it: such keys are left to encoding/json.
func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}
