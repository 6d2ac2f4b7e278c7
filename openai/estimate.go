package openai

import (
	"unicode/utf8"

	"github.com/reachkit/reachkit/ratelimit"
	"github.com/reachkit/reachkit/tokens"
)

// maxOutput is charged at admission when a request sets no output limit:
// the service charges the model's maximum.
func maxOutput(model string) int {
	n, _ := tokens.MaxOutputTokens(model) // tokens.DefaultMaxOutput for unknown models
	return n
}

// chatCost estimates what the service charges a chat request at admission:
// about one token per four characters of prompt, plus n times the maximum
// output. It deliberately mirrors the server's estimate, not the tokenizer.
func chatCost(r *ChatRequest) (cost ratelimit.Cost, prompt int64) {
	chars := 0
	for i := range r.Messages {
		m := &r.Messages[i]
		chars += utf8.RuneCountInString(m.Content.Text)
		for j := range m.Content.Parts {
			chars += utf8.RuneCountInString(m.Content.Parts[j].Text)
		}
		for j := range m.ToolCalls {
			chars += utf8.RuneCountInString(m.ToolCalls[j].Function.Arguments)
		}
	}
	out := r.MaxCompletionTokens
	if out == 0 {
		out = r.MaxTokens
	}
	if out <= 0 {
		out = maxOutput(r.Model)
	}
	n := r.N
	if n < 1 {
		n = 1
	}
	prompt = int64((chars + 3) / 4)
	return ratelimit.Cost{Key: r.Model, Requests: 1, Tokens: prompt + int64(n*out)}, prompt
}

// responseCost estimates a Responses API request the same way as chatCost.
func responseCost(r *ResponseRequest) (cost ratelimit.Cost, prompt int64) {
	chars := utf8.RuneCountInString(r.Instructions) + utf8.RuneCountInString(r.Input.Text)
	for i := range r.Input.Items {
		it := &r.Input.Items[i]
		chars += utf8.RuneCountInString(it.Content.Text) + utf8.RuneCountInString(it.Output) + utf8.RuneCountInString(it.Arguments)
		for j := range it.Content.Parts {
			chars += utf8.RuneCountInString(it.Content.Parts[j].Text)
		}
	}
	out := r.MaxOutputTokens
	if out <= 0 {
		out = maxOutput(r.Model)
	}
	prompt = int64((chars + 3) / 4)
	return ratelimit.Cost{Key: r.Model, Requests: 1, Tokens: prompt + int64(out)}, prompt
}
