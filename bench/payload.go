package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Reply is a canned HTTP reply: headers and body built once, written as
// they are by the server and returned as they are by the in-memory
// transport.
type Reply struct {
	Header http.Header
	Body   []byte
}

// The request every chat workload sends.
const (
	ChatModel       = "gpt-4o-mini"
	SystemPrompt    = "You write short, friendly email subject lines."
	UserPrompt      = "Write one subject line for our spring sale on running shoes."
	Temperature     = 0.7
	MaxOutputTokens = 256
)

// The request the Responses workload sends.
const (
	ResponsesModel = "gpt-4.1-mini"
)

// The request the embeddings workload sends.
const (
	EmbeddingModel = "text-embedding-3-small"
	EmbeddingDims  = 1536
	EmbeddingCount = 2048
)

// replyText is the assistant's answer in the chat and Responses replies.
var replyText = strings.Repeat("Spring into savings: our new running shoes are here, lighter and faster than ever. ", 8)

// ReplyText is the content every non-streaming reply carries, for checks.
func ReplyText() string { return replyText }

// apiHeaders are the headers the API sends with every reply; parsing them
// (request id, processing time, rate limits) is part of a client's cost.
func apiHeaders(contentType string, contentLength int) http.Header {
	h := http.Header{
		"Content-Type":                   {contentType},
		"Openai-Organization":            {"user-bench"},
		"Openai-Processing-Ms":           {"412"},
		"Openai-Version":                 {"2020-10-01"},
		"X-Ratelimit-Limit-Requests":     {"10000"},
		"X-Ratelimit-Limit-Tokens":       {"30000000"},
		"X-Ratelimit-Remaining-Requests": {"9999"},
		"X-Ratelimit-Remaining-Tokens":   {"29999744"},
		"X-Ratelimit-Reset-Requests":     {"6ms"},
		"X-Ratelimit-Reset-Tokens":       {"0s"},
		"X-Request-Id":                   {"req_4f3c0c8a9d2b4e6f8a1b2c3d4e5f6a7b"},
	}
	if contentLength >= 0 {
		h["Content-Length"] = []string{strconv.Itoa(contentLength)}
	}
	return h
}

func jsonReply(body []byte) *Reply {
	return &Reply{Header: apiHeaders("application/json", len(body)), Body: body}
}

func quote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// ChatReply is a non-streaming chat completion of about 1 KB.
func ChatReply() *Reply {
	body := `{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-mini-2024-07-18",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":` + quote(replyText) + `,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":31,"completion_tokens":136,"total_tokens":167,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},` +
		`"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},` +
		`"service_tier":"default","system_fingerprint":"fp_06737a9306"}`
	return jsonReply([]byte(body))
}

// StreamChunks is how many content chunks the chat stream carries; each
// holds one token.
const StreamChunks = 1000

// StreamEvents is how many chunks an SDK yields for the stream: the
// content chunks, the chunk that carries finish_reason, and the usage
// chunk. Per-chunk figures divide by it.
const StreamEvents = StreamChunks + 2

// StreamTokens returns the content tokens of the chat stream, in order.
func StreamTokens() []string {
	words := strings.Fields(replyText)
	out := make([]string, StreamChunks)
	for i := range out {
		w := words[i%len(words)]
		if i > 0 {
			w = " " + w
		}
		out[i] = w
	}
	return out
}

// StreamText is the concatenation of the stream's tokens.
func StreamText() string { return strings.Join(StreamTokens(), "") }

// ChatStreamReply is a chat completion stream as the API sends it with
// stream_options.include_usage: one chunk per token (the first also
// carries the role), a chunk with the finish reason, a usage chunk whose
// choices are empty, and [DONE].
func ChatStreamReply() *Reply {
	const head = `data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[`
	var b bytes.Buffer
	for i, tok := range StreamTokens() {
		b.WriteString(head)
		if i == 0 {
			b.WriteString(`{"index":0,"delta":{"role":"assistant","content":` + quote(tok) + `,"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`)
		} else {
			b.WriteString(`{"index":0,"delta":{"content":` + quote(tok) + `},"logprobs":null,"finish_reason":null}],"usage":null}`)
		}
		b.WriteString("\n\n")
	}
	b.WriteString(head + `{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}` + "\n\n")
	b.WriteString(head + `],"usage":{"prompt_tokens":31,"completion_tokens":1000,"total_tokens":1031,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}` + "\n\n")
	b.WriteString("data: [DONE]\n\n")
	h := apiHeaders("text/event-stream; charset=utf-8", -1)
	return &Reply{Header: h, Body: b.Bytes()}
}

// ResponsesReply is a non-streaming Responses API reply of about 1 KB.
func ResponsesReply() *Reply {
	text := replyText[:len(replyText)/2]
	body := `{"id":"resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b","object":"response","created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,` +
		`"instructions":` + quote(SystemPrompt) + `,"max_output_tokens":256,"model":"gpt-4.1-mini-2025-04-14",` +
		`"output":[{"type":"message","id":"msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b","status":"completed","role":"assistant",` +
		`"content":[{"type":"output_text","text":` + quote(text) + `,"annotations":[]}]}],` +
		`"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":0.7,` +
		`"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled",` +
		`"usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":68,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":104},` +
		`"user":null,"metadata":{}}`
	return jsonReply([]byte(body))
}

// ResponsesText is the output text of ResponsesReply.
func ResponsesText() string { return replyText[:len(replyText)/2] }

// EmbeddingInputs returns n input texts.
func EmbeddingInputs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Review %d: the running shoes arrived quickly, fit well and feel light on long runs.", i)
	}
	return out
}

// Vectors returns n deterministic unit vectors of dims float32 values.
func Vectors(n, dims int) [][]float32 {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([][]float32, n)
	for i := range out {
		v := make([]float32, dims)
		var sum float64
		for j := range v {
			f := r.NormFloat64()
			v[j] = float32(f)
			sum += f * f
		}
		norm := float32(math.Sqrt(sum))
		for j := range v {
			v[j] /= norm
		}
		out[i] = v
	}
	return out
}

// Embedding reply formats.
const (
	FormatFloat  = "float"
	FormatBase64 = "base64"
)

// EmbeddingsCase is one embeddings workload: n inputs, vectors of dims
// values, and the reply in one format.
type EmbeddingsCase struct {
	Format string
	N      int
	Dims   int
	Inputs []string
	Reply  *Reply
	// Probe is the last value of the last vector, which every SDK must
	// decode exactly.
	Probe float32
}

// NewEmbeddingsCase builds the reply for n inputs of dims dimensions, in
// compact JSON. With FormatFloat each value is written as the API writes
// it: the shortest decimal that reads back as the same float32. With
// FormatBase64 each vector is the base64 of its little-endian float32
// bytes.
func NewEmbeddingsCase(format string, n, dims int) *EmbeddingsCase {
	vecs := Vectors(n, dims)
	var b bytes.Buffer
	b.Grow(n * dims * 13)
	b.WriteString(`{"object":"list","data":[`)
	raw := make([]byte, 4*dims)
	var num []byte
	for i, v := range vecs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"object":"embedding","index":%d,"embedding":`, i)
		switch format {
		case FormatFloat:
			b.WriteByte('[')
			for j, f := range v {
				if j > 0 {
					b.WriteByte(',')
				}
				num = strconv.AppendFloat(num[:0], float64(f), 'g', -1, 32)
				b.Write(num)
			}
			b.WriteByte(']')
		case FormatBase64:
			for j, f := range v {
				binary.LittleEndian.PutUint32(raw[4*j:], math.Float32bits(f))
			}
			b.WriteByte('"')
			b.WriteString(base64.StdEncoding.EncodeToString(raw))
			b.WriteByte('"')
		default:
			panic("bench: unknown embedding format " + format)
		}
		b.WriteByte('}')
	}
	tokens := n * 20
	fmt.Fprintf(&b, `],"model":"%s","usage":{"prompt_tokens":%d,"total_tokens":%d}}`, EmbeddingModel, tokens, tokens)
	return &EmbeddingsCase{
		Format: format, N: n, Dims: dims,
		Inputs: EmbeddingInputs(n),
		Reply:  jsonReply(b.Bytes()),
		Probe:  vecs[n-1][dims-1],
	}
}

var (
	embMu    sync.Mutex
	embCache = map[string]*EmbeddingsCase{}
)

// CachedEmbeddingsCase returns NewEmbeddingsCase(format, n, dims), built once
// per process: the full-size replies take a while to build.
func CachedEmbeddingsCase(format string, n, dims int) *EmbeddingsCase {
	key := fmt.Sprintf("%s/%d/%d", format, n, dims)
	embMu.Lock()
	defer embMu.Unlock()
	c, ok := embCache[key]
	if !ok {
		c = NewEmbeddingsCase(format, n, dims)
		embCache[key] = c
	}
	return c
}
