package main

import (
	"context"

	"github.com/reachkit/reachkit/openai"
)

// usage is what the replies to one model's calls reported.
type usage struct{ calls, prompt, completion, cached, reasoning int }

// tally is the usage by model.
type tally map[string]*usage

func (t tally) add(model string, u usage) {
	if t[model] == nil {
		t[model] = &usage{}
	}
	s := t[model]
	s.calls++
	s.prompt, s.completion, s.cached, s.reasoning = s.prompt+u.prompt, s.completion+u.completion, s.cached+u.cached, s.reasoning+u.reasoning
}

// demoCalls makes three chat completions and one embeddings call, and
// returns the usage their replies reported.
func demoCalls(ctx context.Context, c *openai.Client) (tally, error) {
	t := tally{}
	for _, q := range []string{"A subject line for our spring sale.", "A subject line for a cart reminder.", "A subject line for a loyalty reward."} {
		resp, err := c.Chat.New(ctx, openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage(q)}, MaxCompletionTokens: 40})
		if err != nil {
			return t, err
		}
		u := resp.Usage
		t.add("gpt-4o-mini", usage{prompt: u.PromptTokens, completion: u.CompletionTokens,
			cached: u.PromptTokensDetails.CachedTokens, reasoning: u.CompletionTokensDetails.ReasoningTokens})
	}
	emb, err := c.Embeddings.New(ctx, openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: []string{"trail running shoes", "espresso beans"}, Dimensions: 256})
	if err != nil {
		return t, err
	}
	t.add("text-embedding-3-small", usage{prompt: emb.Usage.PromptTokens})
	return t, nil
}
