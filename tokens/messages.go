package tokens

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Message is the part of a chat message that counts towards its prompt
// tokens: the role ("system", "developer", "user", "assistant", "tool"), the
// optional participant name and the text content.
type Message struct {
	Role    string
	Name    string
	Content string
}

// Per-message overhead of the chat format, as OpenAI documents it in the
// cookbook "How to count tokens with tiktoken": every message is wrapped in
// 3 tokens, a name costs 1 more, and every reply is primed with 3.
const (
	tokensPerMessage = 3
	tokensPerName    = 1
	tokensReplyPrime = 3
)

// CountMessages returns the prompt tokens the chat messages cost on model:
// the tokens of each message's role, name and content, plus the chat
// format's overhead (3 per message, 1 more per name, 3 to prime the reply).
// It matches the usage.prompt_tokens the API reports for text messages;
// images, audio and tool definitions are not counted here (see CountTools).
// An unknown model returns an *UnknownModelError.
func CountMessages(model string, msgs []Message) (int, error) {
	enc, err := ForModel(model)
	if err != nil {
		return 0, err
	}
	return enc.CountMessages(msgs), nil
}

// CountMessages is the package-level CountMessages for a model that uses
// this encoding, for example one picked with WithFallback.
func (e *Encoding) CountMessages(msgs []Message) int {
	n := tokensReplyPrime
	for _, m := range msgs {
		n += e.messageTokens(m)
	}
	return n
}

// messageTokens is one message's share of CountMessages.
func (e *Encoding) messageTokens(m Message) int {
	n := tokensPerMessage + e.Count(m.Role) + e.Count(m.Content)
	if m.Name != "" {
		n += e.Count(m.Name) + tokensPerName
	}
	return n
}

// Tool is a function definition offered to the model, reduced to what
// CountTools reads.
type Tool struct {
	Name        string
	Description string
	Parameters  []ToolParameter
}

// ToolParameter is one property of a function's parameters object.
type ToolParameter struct {
	Name        string
	Type        string // JSON schema type, such as "string"
	Description string
	Enum        []string
}

// Constants of the tool-counting estimate in OpenAI's cookbook "How to count
// tokens with tiktoken" (section "Counting tokens for chat completions with
// tool calls").
type toolOverhead struct {
	funcInit, propInit, propKey, enumInit, enumItem, funcEnd int
}

// toolOverheadFor returns the cookbook's constants for an encoding: those it
// gives for gpt-4o and gpt-4o-mini apply to o200k_base, those for
// gpt-3.5-turbo and gpt-4 to cl100k_base.
func toolOverheadFor(encoding string) toolOverhead {
	c := toolOverhead{funcInit: 7, propInit: 3, propKey: 3, enumInit: -3, enumItem: 3, funcEnd: 12}
	if encoding == Cl100kBase {
		c.funcInit = 10
	}
	return c
}

// CountTools estimates the prompt tokens that the function definitions in
// tools add to a request on model, with the method and constants of OpenAI's
// cookbook "How to count tokens with tiktoken": per function its
// "name:description", per property "name:type:description" and its enum
// values, plus fixed overheads. The API renders tools into a hidden system
// text whose format is not published, so this is an estimate; nested
// object parameters are not counted. Add it to CountMessages for the whole
// prompt. An unknown model returns an *UnknownModelError.
func CountTools(model string, tools []Tool) (int, error) {
	enc, err := ForModel(model)
	if err != nil {
		return 0, err
	}
	return enc.CountTools(tools), nil
}

// CountTools is the package-level CountTools for a model that uses this
// encoding.
func (e *Encoding) CountTools(tools []Tool) int {
	if len(tools) == 0 {
		return 0
	}
	c := toolOverheadFor(e.name)
	n := 0
	for _, t := range tools {
		n += c.funcInit
		n += e.Count(t.Name + ":" + strings.TrimSuffix(t.Description, "."))
		if len(t.Parameters) > 0 {
			n += c.propInit
			for _, p := range t.Parameters {
				n += c.propKey
				if len(p.Enum) > 0 {
					n += c.enumInit
					for _, item := range p.Enum {
						n += c.enumItem + e.Count(item)
					}
				}
				n += e.Count(p.Name + ":" + p.Type + ":" + strings.TrimSuffix(p.Description, "."))
			}
		}
	}
	return n + c.funcEnd
}

// ToolFromJSONSchema builds a Tool from a function's name, description and
// JSON schema parameters object (as sent in the request), reading the
// top-level properties: their type (the first non-null type of a type
// list), description and enum values (non-string values as JSON text).
func ToolFromJSONSchema(name, description string, parameters []byte) (Tool, error) {
	t := Tool{Name: name, Description: description}
	if len(parameters) == 0 {
		return t, nil
	}
	var schema struct {
		Properties map[string]struct {
			Type        json.RawMessage   `json:"type"`
			Description string            `json:"description"`
			Enum        []json.RawMessage `json:"enum"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(parameters, &schema); err != nil {
		return Tool{}, fmt.Errorf("tokens: parameters of tool %q: %w", name, err)
	}
	for pname, p := range schema.Properties {
		tp := ToolParameter{Name: pname, Description: p.Description, Type: schemaType(p.Type)}
		for _, raw := range p.Enum {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				s = string(raw)
			}
			tp.Enum = append(tp.Enum, s)
		}
		t.Parameters = append(t.Parameters, tp)
	}
	sort.Slice(t.Parameters, func(i, j int) bool { return t.Parameters[i].Name < t.Parameters[j].Name })
	return t, nil
}

// schemaType reads a JSON schema "type": a string, or the first non-null
// entry of a list.
func schemaType(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		for _, t := range list {
			if t != "null" {
				return t
			}
		}
	}
	return ""
}
