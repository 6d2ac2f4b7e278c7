package openai

import (
	"encoding/json"
	"reflect"
	"testing"
)

var chunkSeeds = []string{
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"xyz"}`,
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" Spring"},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}`,
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":31,"completion_tokens":1000,"total_tokens":1031,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`,
	`{"choices":[{"index":1,"delta":{"content":"line\nbreak \"quoted\" \\ \/ \u00e9 \ud83c\udfc3 \ud800 lone \t\b\f\r"}},{"index":0,"delta":{"content":"é 日本"}}]}`,
	`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]}}]}`,
	`{"choices":[{"index":0,"delta":{"content":"x"},"logprobs":{"content":[{"token":"x","logprob":-0.1,"bytes":[120],"top_logprobs":[]}]}}]}`,
	`{"error":{"message":"boom","type":"server_error"}}`,
	`{"ID":"upper","Model":"case"}`,
	` { "id" : "spaced" , "created" : -12 , "choices" : [ ] } `,
	`{"created":1.5}`, `{"created":01}`, `{"created":1e3}`, `{"choices":null}`, `{"id":"a"} trailing`,
	`{"id":"bad \xff utf8"}`, `{"id":"ctl ` + "\x01" + `"}`, `{"unknown":[1,-2.5e+3,true,false,null,{"a":[]}],"id":"x"}`,
	`{"choices":[{"index":0,"delta":{"role":"user","content":null}}]}`, `{"id":"\u0041\u0042"}`, `[]`, ``, `{`, `{"id":}`,
	`{"choices":[{"index":0,"delta":null,"finish_reason":"length"}],"usage":{"total_tokens":"x"}}`,
}

func FuzzDecodeChunk(f *testing.F) {
	for _, s := range chunkSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		prev := ChatCompletionChunk{ID: "chatcmpl-1", Model: "gpt-4o-mini", Object: "chat.completion.chunk"}
		var fast ChatCompletionChunk
		if !decodeChunk(data, &fast, &prev) {
			return
		}
		var want chunkWire
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("decodeChunk accepted what encoding/json rejects (%v): %q", err, data)
		}
		if want.Error != nil {
			t.Fatalf("decodeChunk accepted an error chunk: %q", data)
		}
		if !reflect.DeepEqual(fast, want.ChatCompletionChunk) {
			t.Fatalf("decodeChunk(%q)\n got  %+v\n want %+v", data, fast, want.ChatCompletionChunk)
		}
	})
}

// The common chunks take the fast path and cost one allocation, the
// content.
func TestDecodeChunkCommon(t *testing.T) {
	for _, s := range chunkSeeds[:4] {
		var c ChatCompletionChunk
		if !decodeChunk([]byte(s), &c, &ChatCompletionChunk{}) {
			t.Errorf("not decoded: %s", s)
		}
	}
	data := []byte(chunkSeeds[1])
	prev := ChatCompletionChunk{ID: "chatcmpl-1", Object: "chat.completion.chunk", Model: "gpt-4o-mini"}
	c := ChatCompletionChunk{Choices: make([]ChunkChoice, 0, 1)}
	allocs := testing.AllocsPerRun(100, func() {
		c.Choices = c.Choices[:0]
		if !decodeChunk(data, &c, &prev) {
			t.Fatal("not decoded")
		}
	})
	if allocs > 1 {
		t.Errorf("%.0f allocations per chunk, want 1", allocs)
	}
}
