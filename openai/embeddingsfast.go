package openai

import (
	"bytes"
	"encoding/base64"
	"strconv"
)

// Embedding replies are the largest bodies the API sends (2,048 vectors of
// up to 3,072 values). encoding/json scans such a body twice (validation,
// then decoding) at a few hundred MB/s; this reads the known shape of the
// reply in one pass with the scanner of decodeChunk and decodes base64
// vectors straight into their []float32. It gives up, and the caller falls
// back to encoding/json, on anything it does not expect: unknown value
// shapes, malformed input. It is written by hand because no maintained JSON
// library decodes base64 into float32 memory in place.

// fastDecodeEmbeddings fills r from body, or reports false to ask for the
// encoding/json path. r may be partly filled when it reports false.
func fastDecodeEmbeddings(body []byte, r *EmbeddingResponse) bool {
	d := &chunkScanner{b: body}
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "object":
			return d.str(&r.Object)
		case "model":
			return d.str(&r.Model)
		case "usage":
			return d.object(func(k []byte) bool {
				switch string(k) {
				case "prompt_tokens":
					return d.int(&r.Usage.PromptTokens)
				case "total_tokens":
					return d.int(&r.Usage.TotalTokens)
				}
				return d.skipUnknown(k, "prompt_tokens", "total_tokens")
			})
		case "data":
			r.Data = make([]Embedding, 0, 16) // a repeated key replaces, as in encoding/json
			return d.array(func() bool {
				var e Embedding
				ok := d.object(func(key []byte) bool {
					switch string(key) {
					case "object":
						return d.str(&e.Object)
					case "index":
						return d.int(&e.Index)
					case "embedding":
						return d.vector(&e.Embedding)
					}
					return d.skipUnknown(key, "object", "index", "embedding")
				})
				r.Data = append(r.Data, e)
				return ok
			})
		}
		return d.skipUnknown(key, "object", "model", "usage", "data")
	})
	d.ws()
	return ok && d.i == len(d.b)
}

// vector reads a base64 string, an array of numbers or null.
func (d *chunkScanner) vector(v *Vector) bool {
	switch d.peek() {
	case '"':
		// Not rawString: base64 needs no UTF-8 or per-byte control check,
		// but base64 skips CR and LF, which a JSON string may not hold.
		b64 := d.b[d.i+1:]
		j := bytes.IndexByte(b64, '"')
		if j < 0 {
			return false
		}
		b64 = b64[:j]
		if bytes.IndexByte(b64, '\\') >= 0 || bytes.IndexByte(b64, '\n') >= 0 || bytes.IndexByte(b64, '\r') >= 0 {
			return false
		}
		out := make([]float32, base64.StdEncoding.DecodedLen(len(b64))/4+1)
		n, err := decodeFloat32s(out, b64)
		if err != nil {
			return false
		}
		d.i += j + 2
		*v = out[:n]
		return true
	case 'n':
		if !d.null() {
			return false
		}
		*v = nil
		return true
	}
	out := make([]float32, 0, 1536)
	ok := d.array(func() bool {
		d.peek()
		start := d.i
		if !d.number() {
			return false
		}
		f, err := strconv.ParseFloat(string(d.b[start:d.i]), 32)
		out = append(out, float32(f))
		return err == nil
	})
	*v = out
	return ok
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
