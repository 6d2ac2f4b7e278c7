package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/tokens"
)

// Session is what -save writes and -load reads: the model and the history,
// in the API's message format.
type Session struct {
	Model    string               `json:"model"`
	Messages []openai.ChatMessage `json:"messages"`
}

// turn adds the user's message, trims the history to the budget, streams the
// reply to out and appends it. On failure the history is left as it was.
func (s *Session) turn(ctx context.Context, client *openai.Client, enc *tokens.Encoding, budget int, text string, out, log io.Writer) error {
	history, dropped, err := trim(enc, append(s.Messages[:len(s.Messages):len(s.Messages)], openai.UserMessage(text)), budget)
	if tooBig := (*tokens.BudgetError)(nil); errors.As(err, &tooBig) {
		return fmt.Errorf("the message does not fit the -budget of %d tokens (it needs %d)", budget, tooBig.Required)
	} else if err != nil {
		return err
	}
	if dropped > 0 {
		fmt.Fprintf(log, "[history trimmed: dropped the %d oldest turn(s) to stay within %d tokens]\n", dropped, budget)
	}

	stream := client.Chat.Stream(ctx, openai.ChatRequest{Model: s.Model, Messages: history})
	defer stream.Close()
	fmt.Fprint(out, "assistant> ")
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			fmt.Fprint(out, ch.Delta.Content)
		}
	}
	fmt.Fprintln(out)
	if err := stream.Err(); err != nil {
		return err
	}
	reply := stream.Completion()
	if len(reply.Choices) == 0 {
		return openai.ErrNoChoices
	}
	s.Messages = append(history, reply.Choices[0].Message.Param())
	return nil
}

// trim drops the oldest turns of history until it fits budget tokens. System
// messages and the newest turn are always kept.
func trim(enc *tokens.Encoding, history []openai.ChatMessage, budget int) ([]openai.ChatMessage, int, error) {
	msgs := make([]tokens.Message, len(history))
	for i, m := range history {
		msgs[i] = tokens.Message{Role: string(m.Role), Name: m.Name, Content: m.Content.Text}
	}
	fit, err := enc.FitMessages(msgs, budget)
	if err != nil || len(fit.Dropped) == 0 {
		return history, 0, err
	}
	kept := make([]openai.ChatMessage, 0, len(fit.Messages))
	next := 0 // index into fit.Dropped, which is sorted
	for i, m := range history {
		if next < len(fit.Dropped) && fit.Dropped[next] == i {
			next++
			continue
		}
		kept = append(kept, m)
	}
	return kept, fit.DroppedTurns, nil
}

func loadSession(path string) (*Session, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// saveTo writes the session with owner-only permissions: conversations
// often hold customer data.
func (s *Session) saveTo(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}
