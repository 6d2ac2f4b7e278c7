package tokens

import (
	"errors"
	"testing"
)

// cookbookMessages is example_messages from OpenAI's cookbook "How to count
// tokens with tiktoken" (examples/How_to_count_tokens_with_tiktoken.ipynb,
// section "Counting tokens for chat completions API calls"). The notebook
// prints 129 prompt tokens, computed and as reported by the API's
// usage.prompt_tokens, for gpt-3.5-turbo, gpt-4-0613 and gpt-4, and 124 for
// gpt-4o and gpt-4o-mini.
var cookbookMessages = []Message{
	{Role: "system", Content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
	{Role: "system", Name: "example_user", Content: "New synergies will help drive top-line growth."},
	{Role: "system", Name: "example_assistant", Content: "Things working well together will increase revenue."},
	{Role: "system", Name: "example_user", Content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
	{Role: "system", Name: "example_assistant", Content: "Let's talk later when we're less busy about how to do better."},
	{Role: "user", Content: "This late pivot means we don't have time to boil the ocean for the client deliverable."},
}

// cookbookTools and cookbookToolMessages are the function-calling example of
// the same notebook (section "Counting tokens for chat completions with tool
// calls"): 105 prompt tokens for gpt-3.5-turbo and gpt-4, 101 for gpt-4o and
// gpt-4o-mini, computed and as reported by the API.
var (
	cookbookTools = []Tool{{
		Name:        "get_current_weather",
		Description: "Get the current weather in a given location",
		Parameters: []ToolParameter{
			{Name: "location", Type: "string", Description: "The city and state, e.g. San Francisco, CA"},
			{Name: "unit", Type: "string", Description: "The unit of temperature to return", Enum: []string{"celsius", "fahrenheit"}},
		},
	}}
	cookbookToolMessages = []Message{
		{Role: "system", Content: "You are a helpful assistant that can answer to questions about the weather."},
		{Role: "user", Content: "What's the weather like in San Francisco?"},
	}
)

func TestCountMessagesCookbook(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  int
	}{
		{"gpt-3.5-turbo", 129},
		{"gpt-4-0613", 129},
		{"gpt-4", 129},
		{"gpt-4o", 124},
		{"gpt-4o-mini", 124},
	} {
		t.Run(tc.model, func(t *testing.T) {
			got, err := CountMessages(tc.model, cookbookMessages)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("CountMessages = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCountToolsCookbook(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  int
	}{
		{"gpt-3.5-turbo", 105},
		{"gpt-4", 105},
		{"gpt-4o", 101},
		{"gpt-4o-mini", 101},
	} {
		t.Run(tc.model, func(t *testing.T) {
			msgs, err := CountMessages(tc.model, cookbookToolMessages)
			if err != nil {
				t.Fatal(err)
			}
			tools, err := CountTools(tc.model, cookbookTools)
			if err != nil {
				t.Fatal(err)
			}
			if msgs+tools != tc.want {
				t.Errorf("CountMessages + CountTools = %d + %d = %d, want %d", msgs, tools, msgs+tools, tc.want)
			}
		})
	}
}

func TestCountMessages(t *testing.T) {
	enc := mustGet(t, O200kBase)
	for _, tc := range []struct {
		name string
		msgs []Message
		want int
	}{
		{"none", nil, 3},
		{"empty message", []Message{{}}, 3 + 3},
		{"role only", []Message{{Role: "user"}}, 3 + 3 + enc.Count("user")},
		{"name", []Message{{Role: "user", Name: "bob", Content: "hi"}}, 3 + 3 + enc.Count("user") + enc.Count("bob") + 1 + enc.Count("hi")},
		{"two", []Message{{Role: "user", Content: "hi"}, {Role: "assistant", Content: "hello there"}},
			3 + 3 + enc.Count("user") + enc.Count("hi") + 3 + enc.Count("assistant") + enc.Count("hello there")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CountMessages("gpt-4o", tc.msgs)
			if err != nil || got != tc.want {
				t.Errorf("CountMessages = %d, %v; want %d", got, err, tc.want)
			}
			if got := enc.CountMessages(tc.msgs); got != tc.want {
				t.Errorf("Encoding.CountMessages = %d, want %d", got, tc.want)
			}
		})
	}
	var ue *UnknownModelError
	if _, err := CountMessages("mystery", cookbookMessages); !errors.As(err, &ue) {
		t.Errorf("unknown model: err = %v", err)
	}
	if _, err := CountTools("mystery", cookbookTools); !errors.As(err, &ue) {
		t.Errorf("unknown model: err = %v", err)
	}
}

func TestCountTools(t *testing.T) {
	enc := mustGet(t, O200kBase)
	if n := enc.CountTools(nil); n != 0 {
		t.Errorf("no tools: %d tokens", n)
	}
	noParams := []Tool{{Name: "ping", Description: "Ping."}}
	if got, want := enc.CountTools(noParams), 7+enc.Count("ping:Ping")+12; got != want {
		t.Errorf("tool without parameters: %d, want %d", got, want)
	}
}

func TestToolFromJSONSchema(t *testing.T) {
	schema := []byte(`{
		"type": "object",
		"properties": {
			"unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]},
			"location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
			"days": {"type": ["integer", "null"], "description": "Days ahead", "enum": [1, 2, 3]}
		},
		"required": ["location"]
	}`)
	tool, err := ToolFromJSONSchema("get_current_weather", "Get the current weather in a given location", schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(tool.Parameters) != 3 || tool.Parameters[0].Name != "days" || tool.Parameters[0].Type != "integer" ||
		len(tool.Parameters[0].Enum) != 3 || tool.Parameters[0].Enum[2] != "3" {
		t.Fatalf("parameters = %+v", tool.Parameters)
	}
	// Without the extra parameter it counts like the cookbook tool.
	tool.Parameters = tool.Parameters[1:]
	enc := mustGet(t, O200kBase)
	if got, want := enc.CountTools([]Tool{tool}), enc.CountTools(cookbookTools); got != want {
		t.Errorf("schema tool counts %d, cookbook tool %d", got, want)
	}
	if _, err := ToolFromJSONSchema("f", "", []byte(`{"properties": 3}`)); err == nil {
		t.Error("invalid schema: no error")
	}
	if tool, err := ToolFromJSONSchema("f", "d", nil); err != nil || len(tool.Parameters) != 0 {
		t.Errorf("no schema: %+v, %v", tool, err)
	}
}
