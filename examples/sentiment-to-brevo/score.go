package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/reachkit/reachkit/openai"
)

// Sentiment is the structured output asked of the model.
type Sentiment struct {
	Score  float64  `json:"score" minimum:"-1" maximum:"1" jsonschema:"from -1 (very negative) through 0 (neutral) to 1 (very positive)"`
	Label  string   `json:"label" enum:"positive,negative,neutral,mixed"`
	Topics []string `json:"topics" jsonschema:"what the feedback is about, one or two English words each (delivery, price, quality, support, ...)"`
}

// Scored is one line of the checkpoint: a contact and its sentiment.
type Scored struct {
	Email string `json:"email"`
	Sentiment
}

var labels = []string{"positive", "negative", "neutral", "mixed"}

// validate rejects what the schema should have prevented: a model (or a
// proxy) that ignores it must not put nonsense into the CRM.
func (s Sentiment) validate() error {
	if math.IsNaN(s.Score) || s.Score < -1 || s.Score > 1 {
		return fmt.Errorf("score %v is outside -1..1", s.Score)
	}
	if !slices.Contains(labels, s.Label) {
		return fmt.Errorf("unknown label %q", s.Label)
	}
	return nil
}

const instructions = `You rate customer feedback for a marketing team. The feedback may be in any language.
Give a score from -1 (very negative) to 1 (very positive), a label, and the topics it is about, in English.`

// scorer scores one contact's feedback per call.
type scorer struct {
	client *openai.Client
	model  string
	format *openai.ResponseFormat
}

func newScorer(client *openai.Client, model string) (*scorer, error) {
	rf, err := openai.JSONSchemaFormat[Sentiment]("sentiment")
	if err != nil {
		return nil, err
	}
	return &scorer{client: client, model: model, format: rf}, nil
}

// errUnusable marks an answer that is reported and skipped, as opposed to
// a failed call, which stops the run.
var errUnusable = errors.New("unusable answer")

func (s *scorer) score(ctx context.Context, fb Feedback) (Scored, error) {
	resp, err := s.client.Chat.New(ctx, openai.ChatRequest{
		Model:               s.model,
		Messages:            []openai.ChatMessage{openai.SystemMessage(instructions), openai.UserMessage(fb.Text)},
		ResponseFormat:      s.format,
		Temperature:         openai.Ptr(0.0),
		MaxCompletionTokens: 200,
	})
	if err != nil {
		return Scored{}, err
	}
	sent, err := openai.ParseChat[Sentiment](resp)
	if err == nil {
		err = sent.validate()
	}
	if err != nil {
		return Scored{}, fmt.Errorf("%s: %w: %w", fb.Email, errUnusable, err)
	}
	return Scored{Email: fb.Email, Sentiment: sent}, nil
}
