package openai

import (
	"context"
	"fmt"
	"net/http"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// ModerationsService classifies text and images as potentially harmful.
type ModerationsService service

// ModerationRequest checks texts (Input) or a mix of texts and images
// (Inputs, omni-moderation models only); set one of them.
type ModerationRequest struct {
	Model  string // "omni-moderation-latest" by default
	Input  []string
	Inputs []ModerationInput
	Extra  map[string]any
}

// ModerationInput is a text or an image to moderate.
type ModerationInput struct {
	Type     string    `json:"type"` // "text" or "image_url"
	Text     string    `json:"text,omitempty"`
	ImageURL *ImageURL `json:"image_url,omitempty"`
}

// ModerationText returns a text input.
func ModerationText(text string) ModerationInput { return ModerationInput{Type: "text", Text: text} }

// ModerationImage returns an image input from a URL or data URL.
func ModerationImage(url string) ModerationInput {
	return ModerationInput{Type: "image_url", ImageURL: &ImageURL{URL: url}}
}

type moderationWire struct {
	Model string `json:"model,omitempty"`
	Input any    `json:"input"`
}

// Moderation holds one result per input.
type Moderation struct {
	ID      string             `json:"id"`
	Model   string             `json:"model"`
	Results []ModerationResult `json:"results"`

	Meta Meta `json:"-"`
}

// Flagged reports whether any input was flagged.
func (m *Moderation) Flagged() bool {
	for _, r := range m.Results {
		if r.Flagged {
			return true
		}
	}
	return false
}

// ModerationResult is the verdict on one input.
type ModerationResult struct {
	Flagged                   bool                   `json:"flagged"`
	Categories                ModerationCategories   `json:"categories"`
	CategoryScores            ModerationScores       `json:"category_scores"`
	CategoryAppliedInputTypes ModerationAppliedTypes `json:"category_applied_input_types"`
}

// ModerationCategories says which categories an input falls in.
type ModerationCategories struct {
	Harassment            bool `json:"harassment"`
	HarassmentThreatening bool `json:"harassment/threatening"`
	Hate                  bool `json:"hate"`
	HateThreatening       bool `json:"hate/threatening"`
	Illicit               bool `json:"illicit"`
	IllicitViolent        bool `json:"illicit/violent"`
	SelfHarm              bool `json:"self-harm"`
	SelfHarmInstructions  bool `json:"self-harm/instructions"`
	SelfHarmIntent        bool `json:"self-harm/intent"`
	Sexual                bool `json:"sexual"`
	SexualMinors          bool `json:"sexual/minors"`
	Violence              bool `json:"violence"`
	ViolenceGraphic       bool `json:"violence/graphic"`
}

// ModerationScores are the model's confidence per category, 0 to 1.
type ModerationScores struct {
	Harassment            float64 `json:"harassment"`
	HarassmentThreatening float64 `json:"harassment/threatening"`
	Hate                  float64 `json:"hate"`
	HateThreatening       float64 `json:"hate/threatening"`
	Illicit               float64 `json:"illicit"`
	IllicitViolent        float64 `json:"illicit/violent"`
	SelfHarm              float64 `json:"self-harm"`
	SelfHarmInstructions  float64 `json:"self-harm/instructions"`
	SelfHarmIntent        float64 `json:"self-harm/intent"`
	Sexual                float64 `json:"sexual"`
	SexualMinors          float64 `json:"sexual/minors"`
	Violence              float64 `json:"violence"`
	ViolenceGraphic       float64 `json:"violence/graphic"`
}

// ModerationAppliedTypes lists, per category, the input types ("text",
// "image") the verdict was based on.
type ModerationAppliedTypes struct {
	Harassment            []string `json:"harassment"`
	HarassmentThreatening []string `json:"harassment/threatening"`
	Hate                  []string `json:"hate"`
	HateThreatening       []string `json:"hate/threatening"`
	Illicit               []string `json:"illicit"`
	IllicitViolent        []string `json:"illicit/violent"`
	SelfHarm              []string `json:"self-harm"`
	SelfHarmInstructions  []string `json:"self-harm/instructions"`
	SelfHarmIntent        []string `json:"self-harm/intent"`
	Sexual                []string `json:"sexual"`
	SexualMinors          []string `json:"sexual/minors"`
	Violence              []string `json:"violence"`
	ViolenceGraphic       []string `json:"violence/graphic"`
}

// New moderates the inputs.
func (s *ModerationsService) New(ctx context.Context, req ModerationRequest, opts ...RequestOption) (*Moderation, error) {
	w := moderationWire{Model: req.Model}
	switch {
	case len(req.Input) > 0 && len(req.Inputs) > 0:
		return nil, fmt.Errorf("openai: %w: set ModerationRequest.Input or .Inputs, not both", ErrInvalidRequest)
	case len(req.Input) == 1:
		w.Input = req.Input[0]
	case len(req.Input) > 1:
		w.Input = req.Input
	case len(req.Inputs) > 0:
		w.Input = req.Inputs
	default:
		return nil, fmt.Errorf("openai: %w: ModerationRequest has no input", ErrInvalidRequest)
	}
	b, err := transport.EncodeJSON(w, req.Extra)
	if err != nil {
		return nil, fmt.Errorf("openai: encoding moderation request: %w", err)
	}
	model := req.Model
	if model == "" {
		model = "omni-moderation-latest"
	}
	out := new(Moderation)
	out.Meta, err = s.c.doJSON(ctx, &call{method: http.MethodPost, path: "moderations", body: b, cost: ratelimit.Cost{Key: model, Requests: 1}, opts: opts}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FlaggedCategories returns the API names of the categories the input was
// flagged for ("violence", "self-harm/intent", ...), in a fixed order.
func (r ModerationResult) FlaggedCategories() []string {
	c := r.Categories
	var out []string
	for _, f := range [...]struct {
		name string
		on   bool
	}{
		{"harassment", c.Harassment}, {"harassment/threatening", c.HarassmentThreatening},
		{"hate", c.Hate}, {"hate/threatening", c.HateThreatening},
		{"illicit", c.Illicit}, {"illicit/violent", c.IllicitViolent},
		{"self-harm", c.SelfHarm}, {"self-harm/instructions", c.SelfHarmInstructions}, {"self-harm/intent", c.SelfHarmIntent},
		{"sexual", c.Sexual}, {"sexual/minors", c.SexualMinors},
		{"violence", c.Violence}, {"violence/graphic", c.ViolenceGraphic},
	} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}
