package openai

import (
	"encoding/json"
	"reflect"
	"testing"
)

var completionSeeds = []string{
	`{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-mini-2024-07-18",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"Spring into savings","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":31,"completion_tokens":136,"total_tokens":167,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},` +
		`"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},` +
		`"service_tier":"default","system_fingerprint":"fp_06737a9306"}`,
	`{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`,
	`{"choices":[{"index":0,"message":{"content":"a \"q\" \u00e9 \ud83c\udfc3\n"},"finish_reason":"length"},{"index":1,"message":null,"finish_reason":null}],"usage":null}`,
	`{"choices":[],"usage":{"prompt_tokens":1,"extra":{"a":[1,2]},"prompt_tokens_details":null}}`,
	`{"choices":[{"message":{"content":"a"}}],"choices":[{"index":1}]}`,
	`{"usage":{"total_tokens":1},"usage":{"prompt_tokens":2}}`, `{"usage":{"total_tokens":1},"usage":null}`,
	`{"choices":[{"message":{"annotations":[{"type":"url_citation"}]}}]}`, `{"Choices":[]}`, `{"service_tier":"flex","object":"other"}`,
	`{"choices":null}`, `{"created":1.5}`, `{"id":"a"}x`, `{"id":"\xff"}`, `[]`, `{"usage":{"prompt_tokens_details":{"cached_tokens":3,"x":1}}}`,
}

func FuzzDecodeCompletion(f *testing.F) {
	for _, s := range completionSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast ChatCompletion
		if !decodeCompletion(data, &fast) {
			return
		}
		var want ChatCompletion
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("decodeCompletion accepted what encoding/json rejects (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("decodeCompletion(%q)\n got  %+v\n want %+v", data, fast, want)
		}
	})
}

func TestDecodeCompletionCommon(t *testing.T) {
	data := []byte(completionSeeds[0])
	var c ChatCompletion
	if !decodeCompletion(data, &c) || c.Text() != "Spring into savings" || c.Usage == nil || c.Usage.TotalTokens != 167 {
		t.Fatalf("got %+v", c)
	}
	allocs := testing.AllocsPerRun(100, func() {
		c = ChatCompletion{}
		decodeCompletion(data, &c)
	})
	// id, model, content, system_fingerprint, the choices and the usage.
	if allocs > 6 {
		t.Errorf("%.0f allocations, want at most 6", allocs)
	}
}
