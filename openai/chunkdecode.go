package openai

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeChunk decodes a chat.completion.chunk of the shape the API streams
// (text deltas, finish reasons, usage) into c without reflection, and
// without allocating for the fields every chunk repeats: id, object, model,
// system_fingerprint and service_tier reuse prev's strings when equal. A
// chunk costs one allocation, its content. c must be zero but for the
// backing array of c.Choices.
//
// It reports false for anything else (tool calls, logprobs, audio, an error
// object, a key that is not spelt exactly as in the struct tags, malformed
// JSON, invalid UTF-8); c is then undefined and the caller decodes the chunk
// with encoding/json, which gives the same result for every chunk this
// accepts.
func decodeChunk(data []byte, c *ChatCompletionChunk, prev *ChatCompletionChunk) bool {
	d := chunkScanner{b: data}
	seenChoices := false
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return d.str(&c.ID, prev.ID)
		case "object":
			return d.str(&c.Object, prev.Object)
		case "model":
			return d.str(&c.Model, prev.Model)
		case "system_fingerprint":
			return d.str(&c.SystemFingerprint, prev.SystemFingerprint)
		case "service_tier":
			return d.str(&c.ServiceTier, prev.ServiceTier)
		case "created":
			return d.int64(&c.Created)
		case "choices":
			// A repeated key would decode into the first one's elements:
			// leave that to encoding/json.
			if seenChoices {
				return false
			}
			seenChoices = true
			return d.choices(c)
		case "usage":
			return d.usageObject(&c.Usage)
		case "error":
			return d.null()
		}
		return d.skipUnknown(key, "id", "object", "model", "system_fingerprint", "service_tier", "created", "choices", "usage", "error")
	})
	if !ok {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

// chunkScanner reads JSON from b at i. Every method reports false on input
// it does not handle, leaving the decision to encoding/json.
type chunkScanner struct {
	b []byte
	i int
}

func (d *chunkScanner) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *chunkScanner) peek() byte {
	if d.i < len(d.b) && d.b[d.i] > ' ' { // the common case: no whitespace
		return d.b[d.i]
	}
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *chunkScanner) literal(lit string) bool {
	if d.peek() == 0 || len(d.b)-d.i < len(lit) || string(d.b[d.i:d.i+len(lit)]) != lit {
		return false
	}
	d.i += len(lit)
	return true
}

func (d *chunkScanner) null() bool { return d.literal("null") }

// object reads an object, calling field for each key with the scanner at
// the value.
func (d *chunkScanner) object(field func(key []byte) bool) bool {
	if d.peek() != '{' {
		return false
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return true
	}
	for {
		key, ok := d.rawString()
		if !ok || key == nil || d.peek() != ':' {
			return false
		}
		d.i++
		if !field(key) {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// rawString reads a string and returns its bytes when it needs no
// unescaping (nil for an escaped string, which only string handles).
func (d *chunkScanner) rawString() ([]byte, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	start := d.i + 1
	end := bytes.IndexByte(d.b[start:], '"')
	if end < 0 {
		return nil, false
	}
	s := d.b[start : start+end]
	if bytes.IndexByte(s, '\\') >= 0 {
		return nil, true // the quote found may be escaped: unquote reads it
	}
	for _, c := range s {
		if c < 0x20 {
			return nil, false
		}
	}
	if !utf8.Valid(s) {
		return nil, false
	}
	d.i = start + end + 1
	return s, true
}

// str reads a string or null into dst; null leaves dst as it is, as
// encoding/json does. A string equal to one of consts is taken from consts,
// so that it costs no allocation.
func (d *chunkScanner) str(dst *string, consts ...string) bool {
	if d.peek() == 'n' {
		return d.null()
	}
	raw, ok := d.rawString()
	if !ok {
		return false
	}
	if raw == nil {
		s, ok := d.unquote()
		if ok {
			*dst = s
		}
		return ok
	}
	for _, k := range consts {
		if string(raw) == k {
			*dst = k
			return true
		}
	}
	*dst = string(raw)
	return true
}

// unquote reads an escaped string.
func (d *chunkScanner) unquote() (string, bool) {
	d.i++ // the opening quote
	out := make([]byte, 0, 32)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			if !utf8.Valid(out) {
				return "", false
			}
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			return "", false
		}
		esc := d.b[d.i+1]
		d.i += 2
		switch esc {
		case '"', '\\', '/':
			out = append(out, esc)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					if r2, ok = d.hex4(); !ok {
						return "", false
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						continue
					}
					d.i = save
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (d *chunkScanner) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r, true
}

// int64 reads an integer that fits an int64, or null.
func (d *chunkScanner) int64(dst *int64) bool {
	if d.peek() == 'n' {
		return d.null()
	}
	neg := false
	if d.i < len(d.b) && d.b[d.i] == '-' {
		neg = true
		d.i++
	}
	start := d.i
	var n int64
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		if d.i-start >= 18 { // keep clear of overflow
			return false
		}
		n = n*10 + int64(d.b[d.i]-'0')
		d.i++
	}
	digits := d.i - start
	if digits == 0 || digits > 1 && d.b[start] == '0' {
		return false
	}
	if d.i < len(d.b) {
		switch d.b[d.i] {
		case '.', 'e', 'E':
			return false
		}
	}
	if neg {
		n = -n
	}
	*dst = n
	return true
}

func (d *chunkScanner) int(dst *int) bool {
	var n int64
	if d.peek() == 'n' {
		return d.null()
	}
	if !d.int64(&n) {
		return false
	}
	*dst = int(n)
	return true
}

// choices reads the choices array into c.Choices, reusing its backing
// array.
func (d *chunkScanner) choices(c *ChatCompletionChunk) bool {
	if d.peek() != '[' {
		return false // null sets the slice to nil: leave it to encoding/json
	}
	c.Choices = c.Choices[:0]
	if c.Choices == nil {
		c.Choices = []ChunkChoice{} // "[]" is an empty slice, not nil
	}
	return d.array(func() bool {
		if len(c.Choices) < cap(c.Choices) {
			c.Choices = c.Choices[:len(c.Choices)+1]
			c.Choices[len(c.Choices)-1] = ChunkChoice{}
		} else {
			c.Choices = append(c.Choices, ChunkChoice{})
		}
		ch := &c.Choices[len(c.Choices)-1]
		return d.object(func(key []byte) bool {
			switch string(key) {
			case "index":
				return d.int(&ch.Index)
			case "delta":
				return d.delta(&ch.Delta)
			case "finish_reason":
				return d.str(&ch.FinishReason)
			case "logprobs":
				return d.null()
			}
			return d.skipUnknown(key, "index", "delta", "finish_reason", "logprobs")
		})
	})
}

// roles are the usual roles, read without allocating.
var roles = []string{"assistant", "user", "system", "developer", "tool"}

// array reads an array, calling elem for each element with the scanner at it.
func (d *chunkScanner) array(elem func() bool) bool {
	if d.peek() != '[' {
		return false
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return true
		default:
			return false
		}
	}
}

func (d *chunkScanner) delta(dl *ChunkDelta) bool {
	if d.peek() == 'n' {
		return d.null()
	}
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "role":
			return d.str((*string)(&dl.Role), roles...)
		case "content":
			return d.str(&dl.Content)
		case "refusal":
			return d.str(&dl.Refusal)
		case "tool_calls", "audio":
			return d.null()
		}
		return d.skipUnknown(key, "role", "content", "refusal", "tool_calls", "audio")
	})
}

// skipUnknown skips the value of a key the struct does not have. A key that
// encoding/json would match case-insensitively to a known one is not
// handled.
func (d *chunkScanner) skipUnknown(key []byte, known ...string) bool {
	return !foldsTo(key, known...) && d.skip(0)
}

// skip skips one value of any kind.
func (d *chunkScanner) skip(depth int) bool {
	if depth > 64 {
		return false
	}
	switch d.peek() {
	case '"':
		var s string
		return d.str(&s)
	case '{':
		return d.object(func([]byte) bool { return d.skip(depth + 1) })
	case '[':
		return d.array(func() bool { return d.skip(depth + 1) })
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.null()
	}
	return d.number()
}

// number skips a number as the JSON grammar defines it.
func (d *chunkScanner) number() bool {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	d.i = i
	return true
}
