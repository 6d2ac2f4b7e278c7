package openai_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai"
)

// chatReply1K is a realistic chat completion of about 1 KB.
var chatReply1K = `{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"` + strings.Repeat("Spring into savings: our new running shoes are here, lighter and faster than ever. ", 8) +
	`","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},` +
	`"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},` +
	`"service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}`

func BenchmarkChatNew(b *testing.B) {
	body := []byte(chatReply1K)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req_1")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := openai.NewClient(openai.WithAPIKey("sk-bench"), openai.WithBaseURL(srv.URL), openai.WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	req := openai.ChatRequest{
		Model: "gpt-4o",
		Messages: []openai.ChatMessage{
			openai.SystemMessage("You write short, friendly email subject lines."),
			openai.UserMessage("Write one subject line for our spring sale on running shoes."),
		},
		Temperature: openai.Ptr(0.7),
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := c.Chat.New(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if len(resp.Choices) != 1 {
			b.Fatal("bad reply")
		}
	}
}

// embeddingsReply builds a reply of n vectors of dims values, as base64 or
// as float JSON, the way the API writes them.
func embeddingsReply(n, dims int, base64Format bool) []byte {
	var b strings.Builder
	b.WriteString(`{"object":"list","data":[`)
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(i%97)/97 - 0.5
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"object":"embedding","index":%d,"embedding":`, i)
		if base64Format {
			b.WriteString(`"` + b64(v) + `"`)
		} else {
			b.WriteByte('[')
			for j, f := range v {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.FormatFloat(float64(f), 'g', -1, 32))
			}
			b.WriteByte(']')
		}
		b.WriteByte('}')
	}
	b.WriteString(`],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}`)
	return []byte(b.String())
}

// BenchmarkEmbeddingsDecode decodes 2,048 embeddings of 1,536 dimensions
// from a loopback server, as base64 and as float JSON.
func BenchmarkEmbeddingsDecode(b *testing.B) {
	const n, dims = 2048, 1536
	inputs := make([]string, n)
	for i := range inputs {
		inputs[i] = "customer feedback"
	}
	for _, bc := range []struct{ format, transport string }{{"base64", "loopback"}, {"float", "loopback"}, {"base64", "in-memory"}, {"float", "in-memory"}} {
		format := bc.format
		b.Run(bc.format+"/"+bc.transport, func(b *testing.B) {
			body := embeddingsReply(n, dims, format == "base64")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			hc := srv.Client()
			if bc.transport == "in-memory" { // the client's own cost: no socket, no server
				hc = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
						Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
				})}
			}
			c, err := openai.NewClient(openai.WithAPIKey("sk-bench"), openai.WithBaseURL(srv.URL), openai.WithHTTPClient(hc))
			if err != nil {
				b.Fatal(err)
			}
			req := openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: inputs, EncodingFormat: format}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				resp, err := c.Embeddings.New(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				if len(resp.Data) != n || len(resp.Data[0].Embedding) != dims {
					b.Fatal("bad reply")
				}
			}
			b.ReportMetric(float64(len(body)), "wire-bytes")
		})
	}
}

// BenchmarkTranscribeMemory uploads a 25 MB file and reports how much the
// process's heap grew while it was in flight: the upload is streamed from
// its reader, not copied.
func BenchmarkTranscribeMemory(b *testing.B) {
	const size = 25 << 20
	audio := make([]byte, size)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"text":"ok"}`)
	}))
	defer srv.Close()
	c, err := openai.NewClient(openai.WithAPIKey("sk-bench"), openai.WithBaseURL(srv.URL), openai.WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	b.ReportAllocs()
	b.SetBytes(size)
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := c.Audio.Transcribe(context.Background(), openai.TranscriptionRequest{File: bytes.NewReader(audio), Filename: "call.mp3", Model: "whisper-1"})
		if err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > peak {
			peak = grew
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "MiB-allocated/op")
}
