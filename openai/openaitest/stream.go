package openaitest

import (
	"encoding/json"
	"net/http"

	"github.com/reachkit/reachkit/openai"
)

// sseWriter writes server-sent events and flushes each one.
type sseWriter struct {
	w http.ResponseWriter
	f http.Flusher
}

func newSSEWriter(w http.ResponseWriter) *sseWriter {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &sseWriter{w: w, f: f}
}

func (s *sseWriter) event(typ string, v any) {
	b, _ := json.Marshal(v)
	if typ != "" {
		_, _ = s.w.Write([]byte("event: " + typ + "\n"))
	}
	_, _ = s.w.Write([]byte("data: "))
	_, _ = s.w.Write(b)
	_, _ = s.w.Write([]byte("\n\n"))
	if s.f != nil {
		s.f.Flush()
	}
}

func (s *sseWriter) done() {
	_, _ = s.w.Write([]byte("data: [DONE]\n\n"))
	if s.f != nil {
		s.f.Flush()
	}
}

// pieces splits text the way a model streams it: a word and its leading
// space per piece.
func pieces(text string) []string {
	var out []string
	start := 0
	for i := 1; i < len(text); i++ {
		if text[i] == ' ' && text[i-1] != ' ' {
			out = append(out, text[start:i])
			start = i
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// chunkJSON is the wire form of a chunk: null where the API sends null.
type chunkJSON struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint"`
	ServiceTier       string        `json:"service_tier,omitempty"`
	Choices           []choiceJSON  `json:"choices"`
	Usage             *openai.Usage `json:"usage"`
}

type choiceJSON struct {
	Index        int            `json:"index"`
	Delta        map[string]any `json:"delta"`
	Logprobs     any            `json:"logprobs"`
	FinishReason *string        `json:"finish_reason"`
}

// writeChatStream sends c as a realistic chunk sequence: a role opener per
// choice, content word by word, tool calls with id and name first and the
// arguments in pieces, a finish chunk per choice, the usage chunk when asked
// for, and [DONE].
func writeChatStream(w http.ResponseWriter, c openai.ChatCompletion, includeUsage bool) {
	sw := newSSEWriter(w)
	chunk := func(choices ...choiceJSON) chunkJSON {
		return chunkJSON{ID: c.ID, Object: "chat.completion.chunk", Created: c.Created, Model: c.Model,
			SystemFingerprint: c.SystemFingerprint, ServiceTier: c.ServiceTier, Choices: choices}
	}
	for _, ch := range c.Choices {
		opener := map[string]any{"role": "assistant", "content": "", "refusal": nil}
		if len(ch.Message.ToolCalls) > 0 {
			opener["content"] = nil
		}
		sw.event("", chunk(choiceJSON{Index: ch.Index, Delta: opener}))
		for _, p := range pieces(ch.Message.Content) {
			sw.event("", chunk(choiceJSON{Index: ch.Index, Delta: map[string]any{"content": p}}))
		}
		for i, tc := range ch.Message.ToolCalls {
			first := map[string]any{"index": i, "id": tc.ID, "type": "function", "function": map[string]any{"name": tc.Function.Name, "arguments": ""}}
			sw.event("", chunk(choiceJSON{Index: ch.Index, Delta: map[string]any{"tool_calls": []any{first}}}))
			args := tc.Function.Arguments
			for len(args) > 0 {
				n := min(len(args), 7)
				sw.event("", chunk(choiceJSON{Index: ch.Index, Delta: map[string]any{"tool_calls": []any{
					map[string]any{"index": i, "function": map[string]any{"arguments": args[:n]}}}}}))
				args = args[n:]
			}
		}
		finish := ch.FinishReason
		sw.event("", chunk(choiceJSON{Index: ch.Index, Delta: map[string]any{}, FinishReason: &finish}))
	}
	if includeUsage {
		last := chunk()
		last.Choices = []choiceJSON{}
		last.Usage = c.Usage
		sw.event("", last)
	}
	sw.done()
}
