package openai_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

// memoryTransport answers every request with one reply, without a network.
type memoryTransport struct {
	status int
	header http.Header
	body   []byte
}

func (m *memoryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: m.status, Status: fmt.Sprintf("%d %s", m.status, http.StatusText(m.status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: m.header.Clone(),
		Body: io.NopCloser(bytes.NewReader(m.body)), ContentLength: int64(len(m.body)), Request: r}, nil
}

// memoryClient is a client whose every call gets the reply of rt.
func memoryClient(tb testing.TB, rt http.RoundTripper) *openai.Client {
	tb.Helper()
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL("http://127.0.0.1:9/v1"),
		openai.WithHTTPClient(&http.Client{Transport: rt}), openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

const fuzzChunk = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}` + "\n\n"

// chatStreamSeeds are streams of the shapes the API sends, and broken ones.
var chatStreamSeeds = []string{
	fuzzChunk + `data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}` + "\n\n" +
		`data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}` + "\n\ndata: [DONE]\n\n",
	// Two choices, out of order, with tool calls in pieces.
	`data: {"choices":[{"index":1,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}` + "\n\n" +
		`data: {"choices":[{"index":0,"delta":{"content":"Hi"}},{"index":1,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}` + "\n\n" +
		`data: {"choices":[{"index":1,"delta":{"tool_calls":[{"index":1,"id":"call_b","function":{"name":"f","arguments":"{}"}},{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":"tool_calls"}]}` + "\n\n" +
		"data: [DONE]\n\n",
	// Refusal, logprobs and audio pieces.
	`data: {"choices":[{"index":0,"delta":{"refusal":"I can"},"logprobs":{"content":null,"refusal":[{"token":"I","logprob":-0.1,"bytes":[73],"top_logprobs":[]}]}}]}` + "\n\n" +
		`data: {"choices":[{"index":0,"delta":{"refusal":"'t."},"finish_reason":"stop"}]}` + "\n\n" +
		`data: {"choices":[{"index":0,"delta":{"audio":{"id":"audio_1","data":"UklG","transcript":"Hi","expires_at":1}}}]}` + "\n\n",
	// An error after content, [DONE] twice, no [DONE], CRLF, null.
	fuzzChunk + "event: error\ndata: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":\"overloaded\"}}\n\n",
	fuzzChunk + "data: [DONE]\n\ndata: [DONE]\n\n" + fuzzChunk,
	fuzzChunk,
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\\r\\nb\"}}]}\r\n\r\n: keep-alive\r\n\r\ndata: null\r\n\r\n",
	`data: {"choices":[null,{"index":2,"delta":null}],"usage":null}` + "\n\n",
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\xff\xfe\"}}]}\n\n",
	"data: {not json\n\n",
}

// FuzzChatStream drives Chat.Stream over arbitrary SSE bodies. It must never
// panic, and Completion must equal what the delivered chunks add up to:
// per choice the concatenated content, refusal, audio and tool-call
// arguments, the first role, the last finish reason, and the last usage.
func FuzzChatStream(f *testing.F) {
	for _, s := range chatStreamSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rt := &memoryTransport{status: 200, header: http.Header{"Content-Type": {"text/event-stream"}}, body: body}
		st := memoryClient(t, rt).Chat.Stream(context.Background(), helloReq)
		want := newChatSum()
		for st.Next() {
			want.add(st.Current())
		}
		err := st.Err()
		if st.Next() {
			t.Fatal("Next returned true after the end")
		}
		if st.Err() != err {
			t.Fatalf("Err changed after the end: %v, then %v", err, st.Err())
		}
		want.check(t, st.Completion())
		for range 2 { // Close is idempotent
			if err := st.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
	})
}

// chatSum rebuilds a completion from chunks independently of the library.
type chatSum struct {
	choices map[int]*choiceSum
	usage   *openai.Usage
	id      string
}

type choiceSum struct {
	role                       openai.Role
	content, refusal           string
	finish                     string
	audioData, audioTranscript string
	calls                      map[int]*openai.ToolCall
}

func newChatSum() *chatSum { return &chatSum{choices: map[int]*choiceSum{}} }

func (s *chatSum) add(c *openai.ChatCompletionChunk) {
	if s.id == "" {
		s.id = c.ID
	}
	if c.Usage != nil {
		u := *c.Usage
		s.usage = &u
	}
	for _, ch := range c.Choices {
		cs := s.choices[ch.Index]
		if cs == nil {
			cs = &choiceSum{calls: map[int]*openai.ToolCall{}}
			s.choices[ch.Index] = cs
		}
		if cs.role == "" {
			cs.role = ch.Delta.Role
		}
		cs.content += ch.Delta.Content
		cs.refusal += ch.Delta.Refusal
		if ch.FinishReason != "" {
			cs.finish = ch.FinishReason
		}
		if a := ch.Delta.Audio; a != nil {
			cs.audioData += a.Data
			cs.audioTranscript += a.Transcript
		}
		for _, tc := range ch.Delta.ToolCalls {
			call := cs.calls[tc.Index]
			if call == nil {
				call = &openai.ToolCall{}
				cs.calls[tc.Index] = call
			}
			if call.ID == "" {
				call.ID = tc.ID
			}
			if call.Function.Name == "" {
				call.Function.Name = tc.Function.Name
			}
			call.Function.Arguments += tc.Function.Arguments
		}
	}
}

func (s *chatSum) check(t *testing.T, got *openai.ChatCompletion) {
	t.Helper()
	if got.ID != s.id {
		t.Errorf("id %q, want %q", got.ID, s.id)
	}
	if (got.Usage == nil) != (s.usage == nil) || got.Usage != nil && *got.Usage != *s.usage {
		t.Errorf("usage %+v, want %+v", got.Usage, s.usage)
	}
	if len(got.Choices) != len(s.choices) {
		t.Fatalf("%d choices, want %d", len(got.Choices), len(s.choices))
	}
	if !slices.IsSortedFunc(got.Choices, func(a, b openai.ChatChoice) int { return a.Index - b.Index }) {
		t.Errorf("choices not in index order")
	}
	for _, ch := range got.Choices {
		want := s.choices[ch.Index]
		if want == nil {
			t.Fatalf("choice %d was never sent", ch.Index)
		}
		role := want.role
		if role == "" {
			role = openai.RoleAssistant
		}
		m := ch.Message
		if m.Role != role || m.Content != want.content || m.Refusal != want.refusal || ch.FinishReason != want.finish {
			t.Errorf("choice %d: role %q content %q refusal %q finish %q; want %q %q %q %q",
				ch.Index, m.Role, m.Content, m.Refusal, ch.FinishReason, role, want.content, want.refusal, want.finish)
		}
		if m.Audio != nil && (m.Audio.Data != want.audioData || m.Audio.Transcript != want.audioTranscript) {
			t.Errorf("choice %d: audio %q/%q, want %q/%q", ch.Index, m.Audio.Data, m.Audio.Transcript, want.audioData, want.audioTranscript)
		}
		if len(m.ToolCalls) != len(want.calls) {
			t.Fatalf("choice %d: %d tool calls, want %d", ch.Index, len(m.ToolCalls), len(want.calls))
		}
		indexes := make([]int, 0, len(want.calls))
		for i := range want.calls {
			indexes = append(indexes, i)
		}
		slices.Sort(indexes)
		for j, i := range indexes {
			w, g := want.calls[i], m.ToolCalls[j]
			if g.ID != w.ID || g.Function.Name != w.Function.Name || g.Function.Arguments != w.Function.Arguments {
				t.Errorf("choice %d, tool call %d: %+v, want %+v", ch.Index, i, g, *w)
			}
		}
	}
}

func responseEvent(typ, rest string) string {
	return "event: " + typ + "\ndata: {\"type\":\"" + typ + "\"," + rest + "}\n\n"
}

var responseStreamSeeds = []string{
	responseEvent("response.created", `"response":{"id":"resp_1","status":"in_progress","output":[]}`) +
		responseEvent("response.output_text.delta", `"item_id":"msg_1","output_index":0,"delta":"Hel"`) +
		responseEvent("response.output_text.delta", `"item_id":"msg_1","output_index":0,"delta":"lo"`) +
		responseEvent("response.completed", `"response":{"id":"resp_1","status":"completed","output":[{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Hello"}]}]}`),
	responseEvent("response.output_item.added", `"output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":""}`) +
		responseEvent("response.function_call_arguments.delta", `"item_id":"fc_1","output_index":0,"delta":"{\"a\":"`) +
		responseEvent("response.function_call_arguments.delta", `"item_id":"fc_1","output_index":0,"delta":"1}"`) +
		responseEvent("response.reasoning_summary_text.delta", `"item_id":"rs_1","summary_index":0,"delta":"Think"`) +
		responseEvent("response.output_item.done", `"output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{\"a\":1}"}`),
	responseEvent("response.output_text.delta", `"delta":"Hi"`) + responseEvent("error", `"code":"server_error","message":"boom","param":null`) +
		responseEvent("response.failed", `"response":{"id":"r","status":"failed","error":{"code":"server_error","message":"boom"}}`),
	"data: {\"type\":\"response.output_text.delta\",\"delta\":\"\xff\"}\n\n" + responseEvent("response.output_item.added", `"output_index":70000,"item":null`),
	"event: error\ndata: {\"error\":{\"message\":\"nested\",\"code\":42}}\n\n",
}

// FuzzResponseStream drives Responses.Stream over arbitrary SSE bodies. It
// must never panic; OutputText must be the concatenation of the
// output_text deltas delivered, FunctionArguments of the argument deltas of
// each item, and ReasoningSummary of the summary deltas.
func FuzzResponseStream(f *testing.F) {
	for _, s := range responseStreamSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rt := &memoryTransport{status: 200, header: http.Header{"Content-Type": {"text/event-stream"}}, body: body}
		st := memoryClient(t, rt).Responses.Stream(context.Background(), openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("hi")})
		var text string
		args := map[string]string{}
		type summaryKey struct {
			item  string
			index int
		}
		var order []summaryKey
		summaries := map[summaryKey]string{}
		for st.Next() {
			ev := st.Current()
			switch ev.Type {
			case openai.EventOutputTextDelta:
				text += ev.Delta
			case openai.EventFunctionCallArgumentsDelta:
				args[ev.ItemID] += ev.Delta
			case openai.EventReasoningSummaryTextDelta:
				k := summaryKey{ev.ItemID, ev.SummaryIndex}
				if _, ok := summaries[k]; !ok {
					order = append(order, k)
				}
				summaries[k] += ev.Delta
			}
			if len(ev.Raw) == 0 {
				t.Fatal("an event without its raw JSON")
			}
		}
		if st.Next() {
			t.Fatal("Next returned true after the end")
		}
		if got := st.OutputText(); got != text {
			t.Errorf("OutputText %q, want %q", got, text)
		}
		for id, want := range args {
			if got := st.FunctionArguments(id); got != want {
				t.Errorf("FunctionArguments(%q) = %q, want %q", id, got, want)
			}
		}
		got := st.ReasoningSummary()
		if len(got) != len(order) {
			t.Fatalf("%d summary parts, want %d", len(got), len(order))
		}
		for i, k := range order {
			if got[i] != summaries[k] {
				t.Errorf("summary %d: %q, want %q", i, got[i], summaries[k])
			}
		}
		_, _ = st.Response(), st.FunctionCalls()
		if st.Close() != nil {
			t.Fatal("Close failed")
		}
	})
}
