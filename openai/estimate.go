package openai

import (
	"unicode/utf8"

	"github.com/reachkit/reachkit/ratelimit"
)

// defaultMaxOutput is charged at admission when a request sets no output
// limit. The service charges the model's maximum; this is a conservative
// stand-in for models whose maximum is not known.
const defaultMaxOutput = 4096

// chatCost estimates what the service charges a chat request at admission:
// about one token per four characters of prompt, plus n times the maximum
// output. It deliberately mirrors the server's estimate, not the tokenizer.
func chatCost(r *ChatRequest) ratelimit.Cost {
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
		out = defaultMaxOutput
	}
	n := r.N
	if n < 1 {
		n = 1
	}
	return ratelimit.Cost{Key: r.Model, Requests: 1, Tokens: int64((chars+3)/4 + n*out)}
}
