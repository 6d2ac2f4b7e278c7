package openai

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/reachkit/reachkit/internal/transport"
)

// Role is the author of a chat message.
type Role string

// The chat roles.
const (
	RoleSystem    Role = "system"
	RoleDeveloper Role = "developer"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// ChatMessage is one message sent in a chat request. Build it with the
// constructors (SystemMessage, UserMessage, ...) or as a literal.
type ChatMessage struct {
	Role Role `json:"role"`
	// Content is the message text, or parts (text, images, audio, files).
	Content Content `json:"content,omitzero"`
	// Name distinguishes participants of the same role.
	Name string `json:"name,omitempty"`
	// ToolCalls are the calls an assistant message asked for.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID links a tool message to the call it answers.
	ToolCallID string `json:"tool_call_id,omitempty"`
	// Refusal is an assistant message's refusal, when sent back as history.
	Refusal string `json:"refusal,omitempty"`
	// Audio refers to a previous assistant audio reply by id.
	Audio *AudioRef `json:"audio,omitempty"`
}

// AudioRef refers to an earlier audio reply of the model.
type AudioRef struct {
	ID string `json:"id"`
}

// SystemMessage returns a system message.
func SystemMessage(text string) ChatMessage {
	return ChatMessage{Role: RoleSystem, Content: Content{Text: text}}
}

// DeveloperMessage returns a developer message (the system role of
// reasoning models).
func DeveloperMessage(text string) ChatMessage {
	return ChatMessage{Role: RoleDeveloper, Content: Content{Text: text}}
}

// UserMessage returns a user message with text content.
func UserMessage(text string) ChatMessage {
	return ChatMessage{Role: RoleUser, Content: Content{Text: text}}
}

// UserMessageParts returns a user message made of content parts, for
// example text and images.
func UserMessageParts(parts ...ContentPart) ChatMessage {
	return ChatMessage{Role: RoleUser, Content: Content{Parts: parts}}
}

// AssistantMessage returns an assistant message with text content, for
// replaying history.
func AssistantMessage(text string) ChatMessage {
	return ChatMessage{Role: RoleAssistant, Content: Content{Text: text}}
}

// ToolMessage returns the result of a tool call.
func ToolMessage(toolCallID, content string) ChatMessage {
	return ChatMessage{Role: RoleTool, ToolCallID: toolCallID, Content: Content{Text: content}}
}

// Content is a message's content: plain text, or a list of parts. When Parts
// is non-nil it is sent as an array and Text is ignored.
type Content struct {
	Text  string
	Parts []ContentPart
}

// IsZero reports whether the content is empty, so that it is omitted (an
// assistant message that only carries tool calls has no content).
func (c Content) IsZero() bool { return c.Text == "" && c.Parts == nil }

// MarshalJSON encodes text as a JSON string and parts as an array.
func (c Content) MarshalJSON() ([]byte, error) {
	if c.Parts != nil {
		return transport.EncodeJSON(c.Parts, nil)
	}
	return marshalString(c.Text), nil
}

// UnmarshalJSON accepts a string, an array of parts, or null.
func (c *Content) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*c = Content{}
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		return json.Unmarshal(b, &c.Text)
	case b[0] == '[':
		return json.Unmarshal(b, &c.Parts)
	}
	return errors.New("openai: content must be a string or an array of parts")
}

// ContentPart is one part of a message: set Type and the matching field.
// The constructors TextPart, ImagePart, AudioPart and FilePart do both.
type ContentPart struct {
	Type       string      `json:"type"` // "text", "image_url", "input_audio", "file"
	Text       string      `json:"text,omitempty"`
	ImageURL   *ImageURL   `json:"image_url,omitempty"`
	InputAudio *InputAudio `json:"input_audio,omitempty"`
	File       *FileInput  `json:"file,omitempty"`
}

// ImageURL is an image given by URL or as a data URL.
type ImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"` // "auto", "low" or "high"
}

// InputAudio is base64-encoded audio sent to an audio-capable model.
type InputAudio struct {
	Data   string `json:"data"`
	Format string `json:"format"` // "wav" or "mp3"
}

// FileInput is a file given by id or inline as base64 data.
type FileInput struct {
	FileID   string `json:"file_id,omitempty"`
	FileData string `json:"file_data,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// TextPart returns a text part.
func TextPart(text string) ContentPart { return ContentPart{Type: "text", Text: text} }

// ImagePart returns an image part; detail is "", "auto", "low" or "high".
func ImagePart(url, detail string) ContentPart {
	return ContentPart{Type: "image_url", ImageURL: &ImageURL{URL: url, Detail: detail}}
}

// AudioPart returns an input-audio part from base64 data.
func AudioPart(base64Data, format string) ContentPart {
	return ContentPart{Type: "input_audio", InputAudio: &InputAudio{Data: base64Data, Format: format}}
}

// FilePart returns a file part for an uploaded file id.
func FilePart(fileID string) ContentPart {
	return ContentPart{Type: "file", File: &FileInput{FileID: fileID}}
}

// ToolCall is a call the model asks the caller to run.
type ToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"` // "function"
	Function FunctionCall `json:"function"`
}

// FunctionCall names a function and carries its JSON-encoded arguments.
type FunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}
