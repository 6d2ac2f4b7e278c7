package openai

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"unsafe"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// EmbeddingsService creates embeddings.
type EmbeddingsService service

// EmbeddingRequest asks for the embeddings of a list of texts (Input) or of
// token arrays (Tokens); set exactly one.
type EmbeddingRequest struct {
	Model  string
	Input  []string
	Tokens [][]int
	// Dimensions shortens the vectors (text-embedding-3 models only).
	Dimensions int
	User       string
	// EncodingFormat is "base64" by default: 4x fewer bytes on the wire and
	// no float parsing. Set "float" to ask for JSON numbers.
	EncodingFormat string
	// Extra is merged into the JSON body.
	Extra map[string]any
}

type embeddingWire struct {
	Model          string `json:"model"`
	Input          any    `json:"input"`
	Dimensions     int    `json:"dimensions,omitempty"`
	User           string `json:"user,omitempty"`
	EncodingFormat string `json:"encoding_format"`
}

// EmbeddingResponse holds one vector per input, in input order.
type EmbeddingResponse struct {
	Object string         `json:"object"`
	Model  string         `json:"model"`
	Data   []Embedding    `json:"data"`
	Usage  EmbeddingUsage `json:"usage"`

	Meta Meta `json:"-"`
}

// Vectors returns the vectors in input order.
func (r *EmbeddingResponse) Vectors() [][]float32 {
	out := make([][]float32, len(r.Data))
	for i := range r.Data {
		out[i] = r.Data[i].Embedding
	}
	return out
}

// Embedding is the vector of one input.
type Embedding struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding Vector `json:"embedding"`
}

// EmbeddingUsage counts the tokens of the inputs.
type EmbeddingUsage struct {
	PromptTokens int `json:"prompt_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

// Vector is an embedding. It decodes from base64 (little-endian float32,
// written straight into the vector's memory) or from a JSON array of numbers.
type Vector []float32

// littleEndian reports the machine's byte order, for the in-place decode.
func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// UnmarshalJSON decodes a base64 string or an array of numbers.
func (v *Vector) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*v = nil
		return nil
	case b[0] == '[':
		var f []float32
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("embedding: %w", err)
		}
		*v = f
		return nil
	case b[0] != '"' || len(b) < 2 || b[len(b)-1] != '"':
		return errors.New("embedding: want a base64 string or an array of numbers")
	}
	src := b[1 : len(b)-1]
	if bytes.IndexByte(src, '\\') >= 0 { // an escaped string: unescape first
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("embedding: %w", err)
		}
		src = []byte(s)
	}
	out := make([]float32, base64.StdEncoding.DecodedLen(len(src))/4+1)
	n, err := decodeFloat32s(out, src)
	if err != nil {
		return fmt.Errorf("embedding: %w", err)
	}
	out = out[:n]
	*v = out
	return nil
}

// decodeFloat32s decodes base64 little-endian float32 values straight into
// dst's memory and returns how many it holds. dst must have room for
// DecodedLen(len(src))/4+1 values.
func decodeFloat32s(dst []float32, src []byte) (int, error) {
	raw := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)*4)
	m, err := base64.StdEncoding.Decode(raw, src)
	if err != nil {
		return 0, fmt.Errorf("invalid base64: %w", err)
	}
	if m%4 != 0 {
		return 0, fmt.Errorf("%d bytes is not a whole number of float32 values", m)
	}
	out := dst[:m/4]
	if !littleEndian() {
		for i, f := range out {
			bits := math.Float32bits(f)
			out[i] = math.Float32frombits(bits>>24 | bits>>8&0xff00 | bits<<8&0xff0000 | bits<<24)
		}
	}
	return len(out), nil
}

// maxEmbeddingInputs is the API's limit on inputs per request.
const maxEmbeddingInputs = 2048

func (r *EmbeddingRequest) validate() error {
	switch {
	case r.Model == "":
		return fmt.Errorf("openai: %w: EmbeddingRequest.Model is empty", ErrInvalidRequest)
	case len(r.Input) == 0 && len(r.Tokens) == 0:
		return fmt.Errorf("openai: %w: EmbeddingRequest has no input", ErrInvalidRequest)
	case len(r.Input) > 0 && len(r.Tokens) > 0:
		return fmt.Errorf("openai: %w: set EmbeddingRequest.Input or .Tokens, not both", ErrInvalidRequest)
	case len(r.Input)+len(r.Tokens) > maxEmbeddingInputs:
		return fmt.Errorf("openai: %w: %d inputs, the API takes at most %d per request (use NewBatched)", ErrInvalidRequest, len(r.Input)+len(r.Tokens), maxEmbeddingInputs)
	}
	for i, s := range r.Input {
		if s == "" {
			return fmt.Errorf("openai: %w: input %d is empty", ErrInvalidRequest, i)
		}
	}
	for i, t := range r.Tokens {
		if len(t) == 0 {
			return fmt.Errorf("openai: %w: token input %d is empty", ErrInvalidRequest, i)
		}
	}
	return nil
}

// New creates embeddings. The vectors come back in input order whatever
// order the API lists them in; a reply whose count differs from the inputs
// is an error, never a silently short result.
func (s *EmbeddingsService) New(ctx context.Context, req EmbeddingRequest, opts ...RequestOption) (*EmbeddingResponse, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	w := embeddingWire{Model: req.Model, Dimensions: req.Dimensions, User: req.User, EncodingFormat: req.EncodingFormat}
	if w.EncodingFormat == "" {
		w.EncodingFormat = "base64"
	}
	n := len(req.Input)
	chars := 0
	if n > 0 {
		w.Input = req.Input
		for _, in := range req.Input {
			chars += len(in)
		}
	} else {
		w.Input = req.Tokens
		n = len(req.Tokens)
		for _, t := range req.Tokens {
			chars += 4 * len(t)
		}
	}
	b, err := transport.EncodeJSON(w, req.Extra)
	if err != nil {
		return nil, fmt.Errorf("openai: encoding embedding request: %w", err)
	}
	out := new(EmbeddingResponse)
	cost := ratelimit.Cost{Key: req.Model, Requests: 1, Tokens: int64((chars + 3) / 4)}
	// Float replies of a full batch outgrow the default cap: about 24 bytes
	// a value, up to 3,072 values a vector.
	var limit int64
	if w.EncodingFormat == "float" {
		dims := req.Dimensions
		if dims <= 0 {
			dims = 3072
		}
		limit = int64(n)*int64(dims)*24 + 1<<20
	}
	out.Meta, err = s.c.doBody(ctx, &call{method: http.MethodPost, path: "embeddings", body: b, cost: cost, opts: opts, model: req.Model}, limit, out, func(body []byte) error {
		if fastDecodeEmbeddings(body, out) {
			return nil
		}
		*out = EmbeddingResponse{}
		return json.Unmarshal(body, out)
	})
	if err != nil {
		return nil, err
	}
	if err := out.order(n); err != nil {
		return nil, fmt.Errorf("openai: embeddings reply (request id %s): %w", out.Meta.RequestID, err)
	}
	return out, nil
}

// ErrEmbeddingMismatch is wrapped by the error returned when a reply does
// not hold exactly one vector per input.
var ErrEmbeddingMismatch = errors.New("the embeddings do not match the inputs")

// order sorts Data by index and checks there is exactly one vector per input.
func (r *EmbeddingResponse) order(n int) error {
	if len(r.Data) != n {
		return fmt.Errorf("%w: %d embeddings for %d inputs", ErrEmbeddingMismatch, len(r.Data), n)
	}
	slices.SortFunc(r.Data, func(a, b Embedding) int { return a.Index - b.Index })
	for i := range r.Data {
		if r.Data[i].Index != i {
			return fmt.Errorf("%w: indexes are not 0..%d (found %d at position %d)", ErrEmbeddingMismatch, n-1, r.Data[i].Index, i)
		}
	}
	return nil
}
