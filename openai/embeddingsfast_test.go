package openai

import (
	"encoding/json"
	"reflect"
	"testing"
)

var embeddingBodies = []string{
	`{"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPwAAAEA="}],"model":"m","usage":{"prompt_tokens":2,"total_tokens":2}}`,
	`{"data":[{"index":1,"embedding":[1,2.5,-3e-2]},{"index":0,"embedding":[]}],"usage":{"prompt_tokens":1,"total_tokens":1,"extra":{"a":[1,{"b":"}"}]}}}`,
	`{"data":[{"index":0,"embedding":null,"future":"x\"y"}],"new_field":[{"k":["v"]}],"model":"m"}`,
	` { "data" : [ { "index" : 0 , "embedding" : "AACAPw==" } ] } `,
	`{"data":[{"index":0,"embedding":"AACA\/w=="}]}`, // escaped: falls back
	`{"data":[{"index":0,"embedding":{"x":1}}]}`,     // unexpected shape: falls back
	`{"data":[{"index":0,"embedding":"AAA"}]}`,
	`{"data":[{"index":"0"}]}`,
	`{"data":[`,
	`[]`,
	``,
}

// TestFastDecodeAgreesWithEncodingJSON: whenever the fast path accepts a
// body, it must produce exactly what encoding/json produces.
func TestFastDecodeAgreesWithEncodingJSON(t *testing.T) {
	for _, body := range embeddingBodies {
		checkFastDecode(t, []byte(body))
	}
}

func checkFastDecode(t *testing.T, body []byte) {
	t.Helper()
	var fast, slow EmbeddingResponse
	if !fastDecodeEmbeddings(body, &fast) {
		return
	}
	if err := json.Unmarshal(body, &slow); err != nil {
		t.Fatalf("fast path accepted %q, encoding/json rejects it: %v", body, err)
	}
	for i := range fast.Data { // nil and empty vectors are the same thing
		if len(fast.Data[i].Embedding) == 0 {
			fast.Data[i].Embedding = nil
		}
	}
	for i := range slow.Data {
		if len(slow.Data[i].Embedding) == 0 {
			slow.Data[i].Embedding = nil
		}
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast and encoding/json disagree on %q:\n%+v\n%+v", body, fast, slow)
	}
}

func FuzzFastDecodeEmbeddings(f *testing.F) {
	for _, b := range embeddingBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastDecode(t, body)
	})
}
