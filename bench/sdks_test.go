package bench

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// These tests keep the benchmarks honest and fast to check: every SDK
// decodes every reply completely, over both transports, and sends the same
// request as the others.

func runOnce(t *testing.T, netName, sdk string, reply *Reply, w Workload) {
	t.Helper()
	var tg Target
	switch netName {
	case netLoopback:
		srv := NewServer(reply)
		defer srv.Close()
		hc := LoopbackClient()
		defer hc.CloseIdleConnections()
		tg = Target{BaseURL: srv.BaseURL(), HTTP: hc}
	case netMem:
		tg = Target{BaseURL: "http://127.0.0.1:1/v1", HTTP: NewMemTransport(reply).MemClient()}
	}
	op, err := w(sdk, tg)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // twice: state reused between calls must not leak
		if err := op(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWorkloadsDecode(t *testing.T) {
	small := func(format string) *EmbeddingsCase { return NewEmbeddingsCase(format, 16, EmbeddingDims) }
	cases := []struct {
		name  string
		reply *Reply
		w     Workload
	}{
		{"ChatNew", ChatReply(), ChatNew},
		{"ChatStream", ChatStreamReply(), ChatStream},
		{"Responses", ResponsesReply(), Responses},
		{"Embeddings/float", small(FormatFloat).Reply, EmbeddingsWorkload(small(FormatFloat))},
		{"Embeddings/base64", small(FormatBase64).Reply, EmbeddingsWorkload(small(FormatBase64))},
	}
	for _, c := range cases {
		for _, netName := range []string{netLoopback, netMem} {
			for _, sdk := range SDKs {
				t.Run(c.name+"/"+netName+"/"+sdk, func(t *testing.T) {
					runOnce(t, netName, sdk, c.reply, c.w)
				})
			}
		}
	}
}

// requestOf returns the JSON body sdk sends for workload w.
func requestOf(t *testing.T, sdk string, reply *Reply, w Workload) map[string]any {
	t.Helper()
	tr := NewMemTransport(reply)
	tr.Capture()
	op, err := w(sdk, Target{BaseURL: "http://127.0.0.1:1/v1", HTTP: tr.MemClient()})
	if err != nil {
		t.Fatal(err)
	}
	if err := op(context.Background()); err != nil {
		t.Fatal(err)
	}
	req, body := tr.LastRequest()
	if req.Method != "POST" || req.Header.Get("Authorization") != "Bearer "+APIKey {
		t.Fatalf("%s: %s %s, authorization %q", sdk, req.Method, req.URL, req.Header.Get("Authorization"))
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: request body: %v", sdk, err)
	}
	m["_path"] = req.URL.Path
	return m
}

func TestSameRequest(t *testing.T) {
	ec := NewEmbeddingsCase(FormatBase64, 4, EmbeddingDims)
	cases := []struct {
		name  string
		reply *Reply
		w     Workload
	}{
		{"ChatNew", ChatReply(), ChatNew},
		{"ChatStream", ChatStreamReply(), ChatStream},
		{"Responses", ResponsesReply(), Responses},
		{"Embeddings", ec.Reply, EmbeddingsWorkload(ec)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := requestOf(t, Reachkit, c.reply, c.w)
			for _, sdk := range SDKs[1:] {
				got := requestOf(t, sdk, c.reply, c.w)
				// go-openai sends temperature as a float32 (0.699999988)
				// and an explicit "stream": false; neither changes the
				// request's meaning.
				for _, m := range []map[string]any{want, got} {
					if v, ok := m["temperature"].(float64); ok {
						m["temperature"] = float64(float32(v))
					}
					if m["stream"] == false {
						delete(m, "stream")
					}
				}
				if !reflect.DeepEqual(got, want) {
					gb, _ := json.Marshal(got)
					wb, _ := json.Marshal(want)
					t.Errorf("%s sends a different request:\n got  %s\n want %s", sdk, gb, wb)
				}
			}
		})
	}
}

func TestStreamPayload(t *testing.T) {
	r := ChatStreamReply()
	if n := strings.Count(string(r.Body), "\n\ndata: ") + 1; n != StreamEvents+1 {
		t.Fatalf("%d events, want %d and [DONE]", n, StreamEvents)
	}
	if len(StreamTokens()) != StreamChunks {
		t.Fatal("token count")
	}
}

func TestReplySizes(t *testing.T) {
	for name, r := range map[string]*Reply{"chat": ChatReply(), "responses": ResponsesReply()} {
		if n := len(r.Body); n < 900 || n > 1400 {
			t.Errorf("%s reply is %d bytes, want about 1 KB", name, n)
		}
		var v any
		if err := json.Unmarshal(r.Body, &v); err != nil {
			t.Errorf("%s reply: %v", name, err)
		}
	}
}
