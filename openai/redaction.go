package openai

import (
	"github.com/reachkit/reachkit/openai/redact"
)

// WithRedactor replaces personal data and secrets (emails, phone numbers,
// card numbers, IBANs, API keys) in the text of chat messages and Responses
// input with placeholders such as [EMAIL_1] before anything is sent, and puts
// the originals back into the reply's text, refusal and tool-call arguments,
// so generated copy is re-personalized locally and the service never sees
// the values. Meta.Redacted counts the values replaced.
//
// For streams, Completion, Text, OutputText and Response are restored;
// deltas are passed on as they arrive, placeholders included, because a
// placeholder may be split across them.
func WithRedactor(r *redact.Redactor) Option { return func(c *config) { c.redactor = r } }

func (co *core) redactSession() *redact.Session {
	if co.redactor == nil {
		return nil
	}
	return co.redactor.NewSession()
}

// redactMessages returns copies of msgs with their text redacted.
func redactMessages(s *redact.Session, msgs []ChatMessage) []ChatMessage {
	out := make([]ChatMessage, len(msgs))
	for i, m := range msgs {
		m.Content.Text = s.Redact(m.Content.Text)
		if m.Content.Parts != nil {
			parts := make([]ContentPart, len(m.Content.Parts))
			for j, p := range m.Content.Parts {
				p.Text = s.Redact(p.Text)
				parts[j] = p
			}
			m.Content.Parts = parts
		}
		m.Refusal = s.Redact(m.Refusal)
		m.ToolCalls = redactToolCalls(s.Redact, m.ToolCalls)
		out[i] = m
	}
	return out
}

func redactToolCalls(f func(string) string, calls []ToolCall) []ToolCall {
	if calls == nil {
		return nil
	}
	out := make([]ToolCall, len(calls))
	for i, c := range calls {
		c.Function.Arguments = f(c.Function.Arguments)
		out[i] = c
	}
	return out
}

// restoreCompletion puts the originals back into a completion's text.
func restoreCompletion(s *redact.Session, c *ChatCompletion) {
	if s == nil || c == nil {
		return
	}
	for i := range c.Choices {
		m := &c.Choices[i].Message
		m.Content = s.Restore(m.Content)
		m.Refusal = s.Restore(m.Refusal)
		m.ToolCalls = redactToolCalls(s.Restore, m.ToolCalls)
	}
	c.Meta.Redacted = len(s.Findings())
}

// redactResponseRequest redacts the instructions and input of r in place;
// r must already be a copy of the caller's request.
func redactResponseRequest(s *redact.Session, r *ResponseRequest) {
	r.Instructions = s.Redact(r.Instructions)
	r.Input.Text = s.Redact(r.Input.Text)
	if r.Input.Items == nil {
		return
	}
	items := make([]InputItem, len(r.Input.Items))
	for i, it := range r.Input.Items {
		it.Content.Text = s.Redact(it.Content.Text)
		if it.Content.Parts != nil {
			parts := make([]InputPart, len(it.Content.Parts))
			for j, p := range it.Content.Parts {
				p.Text = s.Redact(p.Text)
				parts[j] = p
			}
			it.Content.Parts = parts
		}
		it.Output = s.Redact(it.Output)
		it.Arguments = s.Redact(it.Arguments)
		items[i] = it
	}
	r.Input.Items = items
}

// restoreResponse puts the originals back into a response's output.
func restoreResponse(s *redact.Session, r *Response) {
	if s == nil || r == nil {
		return
	}
	for i := range r.Output {
		it := &r.Output[i]
		it.Arguments = s.Restore(it.Arguments)
		for j := range it.Content {
			it.Content[j].Text = s.Restore(it.Content[j].Text)
			it.Content[j].Refusal = s.Restore(it.Content[j].Refusal)
		}
	}
	r.Meta.Redacted = len(s.Findings())
}
