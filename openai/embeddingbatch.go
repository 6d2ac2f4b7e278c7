package openai

import (
	"context"
	"fmt"
	"sync"

	"github.com/reachkit/reachkit/tokens"
)

// BatchOptions bound the requests NewBatched sends.
type BatchOptions struct {
	// MaxInputs per request; at most (and by default) 2,048.
	MaxInputs int
	// MaxTokens per request; default 300,000, the API's limit.
	MaxTokens int
	// MaxInputTokens per input; default 8,191, the embedding models' limit.
	// A longer input fails the whole call before anything is sent.
	MaxInputTokens int
	// Concurrency is how many requests are in flight at once; default 4.
	Concurrency int
	// CountTokens counts the tokens of one input. The default uses the
	// model's tokenizer (package tokens).
	CountTokens func(string) int
}

// NewBatched embeds any number of texts: it splits req.Input into requests
// that respect the per-request limits, sends them with bounded concurrency,
// and returns every vector in input order with the usage summed. The first
// failure cancels the requests not yet sent and is returned.
func (s *EmbeddingsService) NewBatched(ctx context.Context, req EmbeddingRequest, bo BatchOptions, opts ...RequestOption) (*EmbeddingResponse, error) {
	if len(req.Tokens) > 0 {
		return nil, fmt.Errorf("openai: %w: NewBatched takes text inputs", ErrInvalidRequest)
	}
	if len(req.Input) == 0 {
		return nil, fmt.Errorf("openai: %w: EmbeddingRequest has no input", ErrInvalidRequest)
	}
	if bo.MaxInputs <= 0 || bo.MaxInputs > maxEmbeddingInputs {
		bo.MaxInputs = maxEmbeddingInputs
	}
	if bo.MaxTokens <= 0 {
		bo.MaxTokens = 300_000
	}
	if bo.MaxInputTokens <= 0 {
		bo.MaxInputTokens = 8191
	}
	if bo.Concurrency <= 0 {
		bo.Concurrency = 4
	}
	if bo.CountTokens == nil {
		count, err := tokenCounter(req.Model)
		if err != nil {
			return nil, err
		}
		bo.CountTokens = count
	}
	batches, err := splitBatches(req.Input, bo)
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]*EmbeddingResponse, len(batches))
	var (
		mu       sync.Mutex
		firstErr error // the failure that cancelled the rest, not the cancellations it caused
	)
	fail := func(b batch, err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = fmt.Errorf("openai: embedding inputs %d..%d: %w", b.start, b.end-1, err)
			cancel()
		}
	}
	sem := make(chan struct{}, bo.Concurrency)
	var wg sync.WaitGroup
	for i, b := range batches {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			fail(b, err)
			break
		}
		wg.Add(1)
		go func(i int, b batch) {
			defer wg.Done()
			defer func() { <-sem }()
			sub := req
			sub.Input = req.Input[b.start:b.end]
			r, err := s.New(ctx, sub, opts...)
			if err != nil {
				fail(b, err)
				return
			}
			results[i] = r
		}(i, b)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out := &EmbeddingResponse{Object: "list", Data: make([]Embedding, 0, len(req.Input))}
	for i, r := range results {
		out.Model = r.Model
		out.Meta = r.Meta
		out.Usage.PromptTokens += r.Usage.PromptTokens
		out.Usage.TotalTokens += r.Usage.TotalTokens
		for _, e := range r.Data {
			e.Index += batches[i].start
			out.Data = append(out.Data, e)
		}
	}
	return out, nil
}

type batch struct{ start, end int }

// splitBatches cuts inputs into consecutive runs that fit both limits.
func splitBatches(inputs []string, bo BatchOptions) ([]batch, error) {
	var out []batch
	start, tokens := 0, 0
	for i, in := range inputs {
		if in == "" {
			return nil, fmt.Errorf("openai: %w: input %d is empty", ErrInvalidRequest, i)
		}
		n := bo.CountTokens(in)
		if n > bo.MaxInputTokens {
			return nil, fmt.Errorf("openai: %w: input %d has %d tokens, over the model's limit of %d", ErrInvalidRequest, i, n, bo.MaxInputTokens)
		}
		if i > start && (i-start >= bo.MaxInputs || tokens+n > bo.MaxTokens) {
			out = append(out, batch{start, i})
			start, tokens = i, 0
		}
		tokens += n
	}
	return append(out, batch{start, len(inputs)}), nil
}

// tokenCounter counts with the model's tokenizer; models the tokens package
// does not know are embedding models, whose encoding is cl100k_base.
func tokenCounter(model string) (func(string) int, error) {
	enc, err := tokens.ForModel(model, tokens.WithFallback(tokens.Cl100kBase))
	if err != nil {
		return nil, fmt.Errorf("openai: counting embedding tokens: %w", err)
	}
	return enc.Count, nil
}
