package openaitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/reachkit/reachkit/openai"
)

// chatRequest is the subset of a chat request the fake reads.
type chatRequest struct {
	Model               string               `json:"model"`
	Messages            []openai.ChatMessage `json:"messages"`
	N                   int                  `json:"n"`
	MaxTokens           int                  `json:"max_tokens"`
	MaxCompletionTokens int                  `json:"max_completion_tokens"`
	Seed                *int64               `json:"seed"`
	Tools               []openai.Tool        `json:"tools"`
	ToolChoice          json.RawMessage      `json:"tool_choice"`
	ResponseFormat      *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	if req.Model == "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "you must provide a model parameter")
		return
	}
	if len(req.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "[] is too short - 'messages'")
		return
	}

	c, err := s.completion(&req)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", err.Error())
		return
	}
	if req.Stream {
		writeChatStream(w, c, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// completion builds the deterministic reply to req.
func (s *Server) completion(req *chatRequest) (openai.ChatCompletion, error) {
	n := req.N
	if n < 1 {
		n = 1
	}
	limit := req.MaxCompletionTokens
	if limit == 0 {
		limit = req.MaxTokens
	}
	prompt := promptTokens(req.Messages)
	out := openai.ChatCompletion{
		ID:                "chatcmpl-" + hashID(req.Model, lastUserText(req.Messages)),
		Object:            "chat.completion",
		Created:           1700000000,
		Model:             req.Model,
		SystemFingerprint: "fp_openaitest",
		ServiceTier:       "default",
	}
	completion := 0
	for i := 0; i < n; i++ {
		seed := fmt.Sprintf("%s|%d", lastUserText(req.Messages), i)
		if calls, err := toolCalls(req, seed); err != nil {
			return out, err
		} else if calls != nil {
			for _, c := range calls {
				completion += approxTokens(c.Function.Name + c.Function.Arguments)
			}
			out.Choices = append(out.Choices, openai.ChatChoice{
				Index:        i,
				Message:      openai.ChatCompletionMessage{Role: openai.RoleAssistant, ToolCalls: calls},
				FinishReason: "tool_calls",
			})
			continue
		}
		text, err := replyContent(req, i, seed)
		if err != nil {
			return out, err
		}
		finish := "stop"
		if limit > 0 && approxTokens(text) > limit {
			text = truncateTokens(text, limit)
			finish = "length"
		}
		completion += approxTokens(text)
		out.Choices = append(out.Choices, openai.ChatChoice{
			Index:        i,
			Message:      openai.ChatCompletionMessage{Role: openai.RoleAssistant, Content: text},
			FinishReason: finish,
		})
	}
	out.Usage = &openai.Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
	return out, nil
}

// replyContent is JSON valid for the requested schema, a JSON object in JSON
// mode, or the default text.
func replyContent(req *chatRequest, choice int, seed string) (string, error) {
	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case "json_schema":
			if rf.JSONSchema == nil || len(rf.JSONSchema.Schema) == 0 {
				return "", fmt.Errorf("response_format.json_schema.schema is required")
			}
			b, err := exampleFor(rf.JSONSchema.Schema, seed)
			if err != nil {
				return "", fmt.Errorf("response_format.json_schema.schema: %v", err)
			}
			return string(b), nil
		case "json_object":
			b, _ := json.Marshal(map[string]string{"reply": replyText(req, choice)})
			return string(b), nil
		}
	}
	return replyText(req, choice), nil
}

// toolCalls decides whether the reply calls tools: when tool_choice names a
// function or is "required", or when tools are offered, tool_choice is not
// "none" and the conversation does not end with a tool result. Arguments
// are valid for the tool's parameter schema.
func toolCalls(req *chatRequest, seed string) ([]openai.ToolCall, error) {
	if len(req.Tools) == 0 {
		return nil, nil
	}
	var mode, named string
	if len(req.ToolChoice) > 0 {
		if err := json.Unmarshal(req.ToolChoice, &mode); err != nil {
			var obj struct {
				Function struct {
					Name string `json:"name"`
				} `json:"function"`
			}
			if json.Unmarshal(req.ToolChoice, &obj) == nil {
				named = obj.Function.Name
			}
		}
	}
	last := req.Messages[len(req.Messages)-1].Role
	switch {
	case mode == "none":
		return nil, nil
	case named == "" && mode != "required" && last == openai.RoleTool:
		return nil, nil
	}
	tool := req.Tools[0]
	if named != "" {
		found := false
		for _, t := range req.Tools {
			if t.Function.Name == named {
				tool, found = t, true
			}
		}
		if !found {
			return nil, fmt.Errorf("tool_choice names %q, which is not in tools", named)
		}
	}
	params, err := json.Marshal(tool.Function.Parameters)
	if err != nil || string(params) == "null" {
		params = []byte(`{"type":"object","properties":{}}`)
	}
	args, err := exampleFor(params, seed)
	if err != nil {
		return nil, fmt.Errorf("tools[%s].parameters: %v", tool.Function.Name, err)
	}
	return []openai.ToolCall{{ID: "call_" + hashID(seed, tool.Function.Name)[:12], Type: "function",
		Function: openai.FunctionCall{Name: tool.Function.Name, Arguments: string(args)}}}, nil
}

// replyText is the default answer: it names the last user message, so tests
// can tell replies apart, and is stable for the same input.
func replyText(req *chatRequest, choice int) string {
	last := lastUserText(req.Messages)
	if utf8.RuneCountInString(last) > 80 {
		last = string([]rune(last)[:80]) + "…"
	}
	if choice > 0 {
		return fmt.Sprintf("Reply %d from openaitest to: %s", choice+1, last)
	}
	return "Reply from openaitest to: " + last
}

func lastUserText(msgs []openai.ChatMessage) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == openai.RoleUser {
			return contentText(msgs[i].Content)
		}
	}
	return ""
}

func contentText(c openai.Content) string {
	if c.Parts == nil {
		return c.Text
	}
	var b strings.Builder
	for _, p := range c.Parts {
		if p.Type == "text" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// promptTokens approximates the tokenizer: a token per four characters plus
// the documented per-message overhead.
func promptTokens(msgs []openai.ChatMessage) int {
	n := 3
	for _, m := range msgs {
		n += 3 + approxTokens(contentText(m.Content))
		if m.Name != "" {
			n++
		}
	}
	return n
}

func approxTokens(s string) int {
	c := utf8.RuneCountInString(s)
	if c == 0 {
		return 0
	}
	return (c + 3) / 4
}

func truncateTokens(s string, n int) string {
	r := []rune(s)
	if len(r) > n*4 {
		r = r[:n*4]
	}
	return string(r)
}

func hashID(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
