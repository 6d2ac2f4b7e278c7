package openai

import (
	"strings"

	"github.com/reachkit/reachkit/tokens"
)

// FitMessages keeps a conversation inside a token budget: it counts msgs
// with model's tokenizer and OpenAI's per-message overhead, keeps system and
// developer messages and the newest turns, and drops the oldest whole turns
// first (see tokens.FitMessages). It returns the kept messages, in order,
// and what was dropped.
func FitMessages(model string, msgs []ChatMessage, budget int) ([]ChatMessage, tokens.FitResult, error) {
	tm := TokenMessages(msgs)
	res, err := tokens.FitMessages(model, tm, budget)
	if err != nil {
		return nil, res, err
	}
	dropped := make(map[int]bool, len(res.Dropped))
	for _, i := range res.Dropped {
		dropped[i] = true
	}
	kept := make([]ChatMessage, 0, len(msgs)-len(res.Dropped))
	for i, m := range msgs {
		if !dropped[i] {
			kept = append(kept, m)
		}
	}
	return kept, res, nil
}

// TokenMessages converts chat messages for package tokens: the text of their
// content (text parts joined), tool-call arguments included.
func TokenMessages(msgs []ChatMessage) []tokens.Message {
	out := make([]tokens.Message, len(msgs))
	for i, m := range msgs {
		var b strings.Builder
		b.WriteString(m.Content.Text)
		for _, p := range m.Content.Parts {
			b.WriteString(p.Text)
		}
		b.WriteString(m.Refusal)
		for _, c := range m.ToolCalls {
			b.WriteString(c.Function.Name)
			b.WriteString(c.Function.Arguments)
		}
		out[i] = tokens.Message{Role: string(m.Role), Name: m.Name, Content: b.String()}
	}
	return out
}
