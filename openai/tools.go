package openai

import (
	"context"
	"encoding/json"
	"fmt"
)

// ToolHandler runs one tool call. It receives the call's JSON arguments and
// returns the result sent back to the model.
type ToolHandler func(ctx context.Context, arguments string) (string, error)

// Toolset pairs tool definitions with the Go functions that run them, for
// the function-calling loop: send Tools() with the request, and when the
// reply asks for calls, append the reply and the messages Run returns, then
// call the model again. Calls run one after another in the caller's
// goroutine: nothing runs in the background.
type Toolset struct {
	tools    []Tool
	handlers map[string]ToolHandler
}

// Add registers a tool. A tool with the same name replaces the earlier one.
func (ts *Toolset) Add(def FunctionDefinition, h ToolHandler) {
	if ts.handlers == nil {
		ts.handlers = make(map[string]ToolHandler)
	}
	if _, dup := ts.handlers[def.Name]; dup {
		for i := range ts.tools {
			if ts.tools[i].Function.Name == def.Name {
				ts.tools[i].Function = def
			}
		}
	} else {
		ts.tools = append(ts.tools, Tool{Type: "function", Function: def})
	}
	ts.handlers[def.Name] = h
}

// AddFunc registers fn as a strict tool whose parameter schema is built from
// Args with SchemaFor; the arguments are decoded into Args before fn runs.
func AddFunc[Args any](ts *Toolset, name, description string, fn func(context.Context, Args) (string, error)) error {
	schema, err := SchemaFor[Args]()
	if err != nil {
		return err
	}
	strict := true
	ts.Add(FunctionDefinition{Name: name, Description: description, Parameters: schema, Strict: &strict},
		func(ctx context.Context, arguments string) (string, error) {
			var args Args
			if err := json.Unmarshal([]byte(arguments), &args); err != nil {
				return "", fmt.Errorf("invalid arguments for %s: %w", name, err)
			}
			return fn(ctx, args)
		})
	return nil
}

// Tools returns the definitions to send in ChatRequest.Tools.
func (ts *Toolset) Tools() []Tool { return append([]Tool(nil), ts.tools...) }

// ResponseTools returns the definitions to send in ResponseRequest.Tools.
func (ts *Toolset) ResponseTools() []ResponseTool {
	out := make([]ResponseTool, 0, len(ts.tools))
	for _, t := range ts.tools {
		out = append(out, ResponseTool{Type: "function", Name: t.Function.Name, Description: t.Function.Description,
			Parameters: t.Function.Parameters, Strict: t.Function.Strict})
	}
	return out
}

// Run executes calls in order and returns one tool message per call. A
// handler error, an unknown tool or a cancelled context becomes the message
// content ("error: ..."), so the model can see what went wrong; Run itself
// fails only when ctx is done before a call starts.
func (ts *Toolset) Run(ctx context.Context, calls []ToolCall) ([]ChatMessage, error) {
	out := make([]ChatMessage, 0, len(calls))
	for _, c := range calls {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, ToolMessage(c.ID, ts.call(ctx, c.Function.Name, c.Function.Arguments)))
	}
	return out, nil
}

// RunResponses executes the function calls of a response and returns the
// function_call_output items to send as the next input.
func (ts *Toolset) RunResponses(ctx context.Context, calls []OutputItem) ([]InputItem, error) {
	out := make([]InputItem, 0, len(calls))
	for _, c := range calls {
		if c.Type != "function_call" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, FunctionCallOutput(c.CallID, ts.call(ctx, c.Name, c.Arguments)))
	}
	return out, nil
}

func (ts *Toolset) call(ctx context.Context, name, arguments string) string {
	h, ok := ts.handlers[name]
	if !ok {
		return fmt.Sprintf("error: no tool named %q", name)
	}
	res, err := h(ctx, arguments)
	if err != nil {
		return "error: " + err.Error()
	}
	return res
}
