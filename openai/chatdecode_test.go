package openai

import (
	"encoding/json"
	"testing"
)

// A null content or refusal decodes to "", with no custom decoder: encoding/json
// leaves a string untouched on null.
func TestChatCompletionMessageNulls(t *testing.T) {
	var c ChatCompletion
	body := `{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,` +
		`"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	m := c.Choices[0].Message
	if m.Content != "" || m.Refusal != "" || len(m.ToolCalls) != 1 || m.Role != RoleAssistant {
		t.Fatalf("got %+v", m)
	}
	if err := json.Unmarshal([]byte(`{"role":"assistant","content":"hi","refusal":null}`), &m); err != nil || m.Content != "hi" {
		t.Fatalf("got %+v, %v", m, err)
	}
}
