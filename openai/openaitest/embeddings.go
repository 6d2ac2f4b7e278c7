package openaitest

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"unicode"

	"github.com/reachkit/reachkit/openai"
)

// defaultDims is the vector size when a request does not set dimensions.
const defaultDims = 1536

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model          string          `json:"model"`
		Input          json.RawMessage `json:"input"`
		Dimensions     int             `json:"dimensions"`
		EncodingFormat string          `json:"encoding_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	texts, err := embeddingInputs(req.Input)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", err.Error())
		return
	}
	dims := req.Dimensions
	if dims <= 0 {
		dims = defaultDims
	}
	if dims > 3072 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "dimensions must be at most 3072")
		return
	}
	data := make([]map[string]any, len(texts))
	tokens := 0
	for i, t := range texts {
		v := Embed(t, dims)
		tokens += approxTokens(t)
		var emb any = v
		if req.EncodingFormat == "base64" {
			buf := make([]byte, 4*len(v))
			for j, f := range v {
				binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(f))
			}
			emb = base64.StdEncoding.EncodeToString(buf)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": emb}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "model": req.Model, "data": data,
		"usage": openai.EmbeddingUsage{PromptTokens: tokens, TotalTokens: tokens}})
}

func embeddingInputs(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		if len(many) == 0 {
			return nil, errEmptyInput
		}
		return many, nil
	}
	var toks [][]int
	if json.Unmarshal(raw, &toks) == nil && len(toks) > 0 {
		out := make([]string, len(toks))
		for i, t := range toks {
			b, _ := json.Marshal(t)
			out[i] = string(b)
		}
		return out, nil
	}
	return nil, errEmptyInput
}

type inputError string

func (e inputError) Error() string { return string(e) }

const errEmptyInput = inputError("'input' must be a non-empty string or array")

// Embed returns the fake's deterministic embedding of text: every word
// (lower-cased, without punctuation) adds a pseudo-random direction derived
// from its hash, and the sum is normalised. Texts that share words therefore
// point in similar directions, so clustering and similarity search behave
// sensibly offline.
func Embed(text string, dims int) []float32 {
	v := make([]float64, dims)
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for _, word := range words {
		h := fnv.New64a()
		h.Write([]byte(word))
		seed := h.Sum64()
		for i := range v {
			seed ^= seed << 13
			seed ^= seed >> 7
			seed ^= seed << 17
			v[i] += float64(int64(seed%2001)-1000) / 1000
		}
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, dims)
	if norm == 0 {
		out[0] = 1
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}
