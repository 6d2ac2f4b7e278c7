package ratesim

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// request is what the simulator reads from a request body.
type request struct {
	model  string
	prompt int64 // ceil(characters / 4) of all message and input text
	output int64 // n × the maximum output tokens
}

// parseRequest reads the model and the admission cost from a JSON body. It
// reports false when the body is not a JSON object with a "model" string.
func parseRequest(body []byte, path string, defaultMaxOutput int64) (request, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return request{}, false
	}
	var b struct {
		Model               string            `json:"model"`
		Messages            []json.RawMessage `json:"messages"`
		Input               json.RawMessage   `json:"input"`
		Prompt              json.RawMessage   `json:"prompt"`
		Instructions        json.RawMessage   `json:"instructions"`
		N                   *int64            `json:"n"`
		MaxTokens           *int64            `json:"max_tokens"`
		MaxCompletionTokens *int64            `json:"max_completion_tokens"`
		MaxOutputTokens     *int64            `json:"max_output_tokens"`
	}
	if json.Unmarshal(body, &b) != nil || b.Model == "" {
		return request{}, false
	}
	chars := 0
	for _, m := range b.Messages {
		chars += messageChars(m)
	}
	chars += textChars(b.Input, 0) + textChars(b.Prompt, 0) + textChars(b.Instructions, 0)
	r := request{model: b.Model, prompt: int64((chars + 3) / 4)}
	if strings.HasSuffix(path, "/embeddings") || strings.HasSuffix(path, "/moderations") {
		return r, true
	}
	out := defaultMaxOutput
	for _, p := range []*int64{b.MaxCompletionTokens, b.MaxTokens, b.MaxOutputTokens} {
		if p != nil && *p > 0 {
			out = *p
			break
		}
	}
	n := int64(1)
	if b.N != nil && *b.N > 1 {
		n = *b.N
	}
	r.output = n * out
	return r, true
}

// messageChars counts a chat message's content and its tool calls'
// arguments.
func messageChars(raw json.RawMessage) int {
	var m struct {
		Content   json.RawMessage `json:"content"`
		ToolCalls []struct {
			Function struct {
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return 0
	}
	n := textChars(m.Content, 0)
	for _, tc := range m.ToolCalls {
		n += utf8.RuneCountInString(tc.Function.Arguments)
	}
	return n
}

// textChars counts the characters of a text value: a string, an array of
// strings or of parts with "text" (or nested "content"), as chat messages,
// the Responses API's input, completions' prompt and instructions use them.
func textChars(raw json.RawMessage, depth int) int {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || depth > 8 {
		return 0
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0
		}
		return utf8.RuneCountInString(s)
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return 0
		}
		n := 0
		for _, it := range items {
			n += textChars(it, depth+1)
		}
		return n
	case '{':
		var part struct {
			Text    json.RawMessage `json:"text"`
			Content json.RawMessage `json:"content"`
		}
		if json.Unmarshal(raw, &part) != nil {
			return 0
		}
		return textChars(part.Text, depth+1) + textChars(part.Content, depth+1)
	}
	return 0
}

// completionTokens finds the reply's usage: usage.completion_tokens (chat)
// or usage.output_tokens (Responses API), in a JSON body or in the last SSE
// event that carries one. It reports false when there is none.
func completionTokens(body []byte) (int64, bool) {
	for _, key := range [...]string{`"completion_tokens"`, `"output_tokens"`} {
		i := bytes.LastIndex(body, []byte(key))
		if i < 0 {
			continue
		}
		rest := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
		if len(rest) == 0 || rest[0] != ':' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		end := 0
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		if n, err := strconv.ParseInt(string(rest[:end]), 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}
