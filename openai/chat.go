package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/reachkit/reachkit/internal/transport"
)

// ChatService calls the chat completions API.
type ChatService service

// ChatRequest is a chat completion request. Zero values are omitted; numbers
// whose zero means something (temperature 0) are pointers: use Ptr.
type ChatRequest struct {
	Model    string        `json:"model"`
	Messages []ChatMessage `json:"messages"`

	Tools             []Tool      `json:"tools,omitempty"`
	ToolChoice        *ToolChoice `json:"tool_choice,omitempty"`
	ParallelToolCalls *bool       `json:"parallel_tool_calls,omitempty"`

	ResponseFormat *ResponseFormat `json:"response_format,omitempty"`

	Temperature         *float64       `json:"temperature,omitempty"`
	TopP                *float64       `json:"top_p,omitempty"`
	N                   int            `json:"n,omitempty"`
	Stop                []string       `json:"stop,omitempty"`
	MaxTokens           int            `json:"max_tokens,omitempty"` // deprecated by the API for reasoning models; prefer MaxCompletionTokens
	MaxCompletionTokens int            `json:"max_completion_tokens,omitempty"`
	PresencePenalty     *float64       `json:"presence_penalty,omitempty"`
	FrequencyPenalty    *float64       `json:"frequency_penalty,omitempty"`
	LogitBias           map[string]int `json:"logit_bias,omitempty"`
	Logprobs            bool           `json:"logprobs,omitempty"`
	TopLogprobs         *int           `json:"top_logprobs,omitempty"`
	Seed                *int64         `json:"seed,omitempty"`

	User             string            `json:"user,omitempty"`
	SafetyIdentifier string            `json:"safety_identifier,omitempty"`
	PromptCacheKey   string            `json:"prompt_cache_key,omitempty"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	Store            *bool             `json:"store,omitempty"`
	ReasoningEffort  string            `json:"reasoning_effort,omitempty"` // "minimal", "low", "medium", "high"
	Verbosity        string            `json:"verbosity,omitempty"`        // "low", "medium", "high"
	ServiceTier      string            `json:"service_tier,omitempty"`     // "auto", "default", "flex", "priority"
	Modalities       []string          `json:"modalities,omitempty"`       // "text", "audio"
	Audio            *AudioOutput      `json:"audio,omitempty"`

	// StreamOptions is used by Stream; New ignores it.
	StreamOptions *StreamOptions `json:"stream_options,omitempty"`

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name: it sends API fields this SDK does not know yet.
	Extra map[string]any `json:"-"`
}

// Ptr returns a pointer to v, for optional fields whose zero value is
// meaningful: Temperature: openai.Ptr(0.0).
func Ptr[T any](v T) *T { return &v }

// AudioOutput asks an audio-capable model for spoken output.
type AudioOutput struct {
	Voice  string `json:"voice"`  // e.g. "alloy"
	Format string `json:"format"` // "wav", "mp3", "flac", "opus", "pcm16"
}

// StreamOptions controls what a stream carries.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// Tool is a tool the model may call. Only function tools exist in chat.
type Tool struct {
	Type     string             `json:"type"` // "function"
	Function FunctionDefinition `json:"function"`
}

// FunctionDefinition describes a function tool.
type FunctionDefinition struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Parameters is the JSON schema of the arguments: a map, a struct that
	// marshals to a schema, or json.RawMessage. SchemaFor builds one from a
	// Go type.
	Parameters any   `json:"parameters,omitempty"`
	Strict     *bool `json:"strict,omitempty"`
}

// FunctionTool returns a function tool; params is its JSON schema.
func FunctionTool(name, description string, params any) Tool {
	return Tool{Type: "function", Function: FunctionDefinition{Name: name, Description: description, Parameters: params}}
}

// ToolChoice says whether and which tool the model must call: one of the
// modes "auto", "none", "required", or a named function.
type ToolChoice struct {
	Mode     string // "auto", "none" or "required"; ignored when Function is set
	Function string // force a call of this function
}

// The tool-choice modes.
var (
	ToolChoiceAuto     = &ToolChoice{Mode: "auto"}
	ToolChoiceNone     = &ToolChoice{Mode: "none"}
	ToolChoiceRequired = &ToolChoice{Mode: "required"}
)

// ToolChoiceFunction forces a call of the named function.
func ToolChoiceFunction(name string) *ToolChoice { return &ToolChoice{Function: name} }

// MarshalJSON encodes a mode as a string and a function as an object.
func (t ToolChoice) MarshalJSON() ([]byte, error) {
	if t.Function != "" {
		return json.Marshal(struct {
			Type     string `json:"type"`
			Function struct {
				Name string `json:"name"`
			} `json:"function"`
		}{Type: "function", Function: struct {
			Name string `json:"name"`
		}{t.Function}})
	}
	if t.Mode == "" {
		return []byte(`"auto"`), nil
	}
	return json.Marshal(t.Mode)
}

// ResponseFormat constrains the output: "text", "json_object", or
// "json_schema" with a schema.
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`
}

// JSONSchema is a named schema for structured outputs.
type JSONSchema struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Schema is the JSON schema: a map, json.RawMessage, or SchemaFor[T]().
	Schema any   `json:"schema,omitempty"`
	Strict *bool `json:"strict,omitempty"`
}

// ChatCompletion is a chat completion reply.
type ChatCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []ChatChoice `json:"choices"`
	Usage             *Usage       `json:"usage,omitempty"`
	SystemFingerprint string       `json:"system_fingerprint,omitempty"`
	ServiceTier       string       `json:"service_tier,omitempty"`

	Meta Meta `json:"-"`
}

// Text returns the content of the first choice, or "" when there is none.
func (c *ChatCompletion) Text() string {
	if c == nil || len(c.Choices) == 0 {
		return ""
	}
	return c.Choices[0].Message.Content
}

// ChatChoice is one of the n answers of a completion.
type ChatChoice struct {
	Index   int                   `json:"index"`
	Message ChatCompletionMessage `json:"message"`
	// FinishReason is "stop", "length", "tool_calls", "content_filter" or
	// "function_call"; "" while a stream has not said.
	FinishReason string          `json:"finish_reason"`
	Logprobs     *ChoiceLogprobs `json:"logprobs,omitempty"`
}

// ChatCompletionMessage is the model's message in a reply.
type ChatCompletionMessage struct {
	Role        Role         `json:"role"`
	Content     string       `json:"content"` // "" when the API sent null (encoding/json leaves a string untouched on null)
	Refusal     string       `json:"refusal,omitempty"`
	ToolCalls   []ToolCall   `json:"tool_calls,omitempty"`
	Annotations []Annotation `json:"annotations,omitempty"`
	Audio       *ChatAudio   `json:"audio,omitempty"`
}

// Param returns the message as a ChatMessage, to append to the history of
// the next request.
func (m ChatCompletionMessage) Param() ChatMessage {
	msg := ChatMessage{Role: RoleAssistant, Content: Content{Text: m.Content}, ToolCalls: m.ToolCalls, Refusal: m.Refusal}
	if m.Audio != nil && m.Audio.ID != "" {
		msg.Audio = &AudioRef{ID: m.Audio.ID}
	}
	return msg
}

// Annotation is a citation attached to the reply (web search results).
type Annotation struct {
	Type        string       `json:"type"` // "url_citation"
	URLCitation *URLCitation `json:"url_citation,omitempty"`
}

// URLCitation cites a web page for a span of the content.
type URLCitation struct {
	StartIndex int    `json:"start_index"`
	EndIndex   int    `json:"end_index"`
	URL        string `json:"url"`
	Title      string `json:"title"`
}

// ChatAudio is spoken output of an audio-capable model.
type ChatAudio struct {
	ID         string `json:"id"`
	Data       string `json:"data"` // base64 audio in the requested format
	ExpiresAt  int64  `json:"expires_at"`
	Transcript string `json:"transcript"`
}

// ChoiceLogprobs holds the log probabilities of the content or refusal tokens.
type ChoiceLogprobs struct {
	Content []TokenLogprob `json:"content"`
	Refusal []TokenLogprob `json:"refusal"`
}

// TokenLogprob is a token with its log probability and the most likely
// alternatives.
type TokenLogprob struct {
	Token       string       `json:"token"`
	Logprob     float64      `json:"logprob"`
	Bytes       []int        `json:"bytes"`
	TopLogprobs []TopLogprob `json:"top_logprobs"`
}

// TopLogprob is one alternative token.
type TopLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

// Usage counts the tokens of a call.
type Usage struct {
	PromptTokens            int                     `json:"prompt_tokens"`
	CompletionTokens        int                     `json:"completion_tokens"`
	TotalTokens             int                     `json:"total_tokens"`
	PromptTokensDetails     PromptTokensDetails     `json:"prompt_tokens_details"`
	CompletionTokensDetails CompletionTokensDetails `json:"completion_tokens_details"`
}

// PromptTokensDetails breaks down the prompt tokens.
type PromptTokensDetails struct {
	CachedTokens int `json:"cached_tokens"`
	AudioTokens  int `json:"audio_tokens"`
}

// CompletionTokensDetails breaks down the completion tokens.
type CompletionTokensDetails struct {
	ReasoningTokens          int `json:"reasoning_tokens"`
	AudioTokens              int `json:"audio_tokens"`
	AcceptedPredictionTokens int `json:"accepted_prediction_tokens"`
	RejectedPredictionTokens int `json:"rejected_prediction_tokens"`
}

// ErrInvalidRequest is wrapped by errors for requests rejected before
// sending: a missing model, no messages.
var ErrInvalidRequest = errors.New("invalid request")

func (r *ChatRequest) validate() error {
	if strings.TrimSpace(r.Model) == "" {
		return fmt.Errorf("openai: %w: ChatRequest.Model is empty", ErrInvalidRequest)
	}
	if len(r.Messages) == 0 {
		return fmt.Errorf("openai: %w: ChatRequest.Messages is empty", ErrInvalidRequest)
	}
	return nil
}

// New creates a chat completion.
func (s *ChatService) New(ctx context.Context, req ChatRequest, opts ...RequestOption) (*ChatCompletion, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	sess := s.c.redactSession()
	if sess != nil {
		req.Messages = redactMessages(sess, req.Messages)
	}
	out, err := withFallback(ctx, s.c, req.Model, func(model, reason string) (*ChatCompletion, error) {
		r := req
		r.Model = model
		b, err := transport.EncodeJSON(chatBody{ChatRequest: &r}, r.Extra)
		if err != nil {
			return nil, fmt.Errorf("openai: encoding chat request: %w", err)
		}
		cost, prompt := chatCost(&r)
		cl := &call{method: http.MethodPost, path: "chat/completions", body: b, cost: cost, opts: opts,
			model: model, promptEstimate: prompt, deterministic: r.deterministic(), fallbackReason: reason}
		out := new(ChatCompletion)
		out.Meta, err = s.c.doBody(ctx, cl, 0, out, func(body []byte) error {
			if decodeCompletion(body, out) {
				return nil
			}
			*out = ChatCompletion{}
			return json.Unmarshal(body, out)
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	})
	restoreCompletion(sess, out)
	return out, err
}

// deterministic reports a request whose answer may be cached: temperature
// 0 or a fixed seed.
func (r *ChatRequest) deterministic() bool {
	return r.Temperature != nil && *r.Temperature == 0 || r.Seed != nil
}

// chatBody is the wire form of a non-streaming request: it hides
// StreamOptions, which the API only accepts with stream: true.
type chatBody struct {
	*ChatRequest
	StreamOptions *StreamOptions `json:"stream_options,omitempty"`
}
