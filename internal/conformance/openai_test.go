//go:build conformance

package conformance

import (
	"context"
	"strconv"
	"testing"

	"github.com/reachkit/reachkit/openai"
)

func openaiClient(t *testing.T, rec *recorder) *openai.Client {
	t.Helper()
	c, err := openai.NewClient(
		openai.WithAPIKey("sk-conformance"),
		openai.WithBaseURL(mockURL(t, "REACHKIT_OPENAI_MOCK")),
		openai.WithMiddleware(rec.middleware),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func seedOpt(seed int) openai.RequestOption {
	return openai.WithRequestHeader("X-Steady-Seed", strconv.Itoa(seed))
}

func minimalChat() openai.ChatRequest {
	return openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage("Hello")}}
}

// maximalChat sets every typed field of ChatRequest.
func maximalChat() openai.ChatRequest {
	strict := true
	return openai.ChatRequest{
		Model: "gpt-4o",
		Messages: []openai.ChatMessage{
			openai.SystemMessage("You are a marketing copywriter."),
			openai.DeveloperMessage("Answer in JSON."),
			{Role: openai.RoleUser, Name: "alice", Content: openai.Content{Parts: []openai.ContentPart{
				openai.TextPart("Describe this image and this audio."),
				openai.ImagePart("https://example.com/shoe.png", "high"),
				openai.AudioPart("UklGRiQAAABXQVZF", "wav"),
				{Type: "file", File: &openai.FileInput{FileData: "data:application/pdf;base64,JVBERi0=", Filename: "brief.pdf"}},
				openai.FilePart("file-abc123"),
			}}},
			{Role: openai.RoleAssistant, Content: openai.Content{Text: "Calling a tool."}, Name: "bot", Refusal: "",
				ToolCalls: []openai.ToolCall{{ID: "call_1", Type: "function", Function: openai.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}}}},
			openai.ToolMessage("call_1", `{"temp":21}`),
			{Role: openai.RoleAssistant, Refusal: "I can't help with that.", Audio: &openai.AudioRef{ID: "audio_1"}},
			openai.UserMessage("Thanks"),
		},
		Tools: []openai.Tool{{Type: "function", Function: openai.FunctionDefinition{
			Name: "get_weather", Description: "Weather for a city", Strict: &strict,
			Parameters: map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []string{"city"}, "additionalProperties": false},
		}}},
		ToolChoice:        openai.ToolChoiceFunction("get_weather"),
		ParallelToolCalls: openai.Ptr(true),
		ResponseFormat: &openai.ResponseFormat{Type: "json_schema", JSONSchema: &openai.JSONSchema{
			Name: "copy", Description: "Generated copy", Strict: &strict,
			Schema: map[string]any{"type": "object", "properties": map[string]any{"subject": map[string]any{"type": "string"}}, "required": []string{"subject"}, "additionalProperties": false},
		}},
		Temperature:         openai.Ptr(0.0),
		TopP:                openai.Ptr(0.0),
		N:                   2,
		Stop:                []string{"END", "STOP"},
		MaxTokens:           100,
		MaxCompletionTokens: 200,
		PresencePenalty:     openai.Ptr(0.5),
		FrequencyPenalty:    openai.Ptr(-0.5),
		LogitBias:           map[string]int{"50256": -100},
		Logprobs:            true,
		TopLogprobs:         openai.Ptr(3),
		Seed:                openai.Ptr(int64(42)),
		User:                "user-123",
		SafetyIdentifier:    "hash-abc",
		PromptCacheKey:      "campaign-42",
		Metadata:            map[string]string{"campaign": "spring"},
		Store:               openai.Ptr(true),
		ReasoningEffort:     "low",
		Verbosity:           "low",
		ServiceTier:         "auto",
		Modalities:          []string{"text", "audio"},
		Audio:               &openai.AudioOutput{Voice: "alloy", Format: "mp3"},
		Extra:               map[string]any{"prediction": map[string]any{"type": "content", "content": "Hello"}},
	}
}

func TestOpenAIChat(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	for name, req := range map[string]openai.ChatRequest{"minimal": minimalChat(), "maximal": maximalChat()} {
		sweep(t, "Chat.New/"+name, func(ctx context.Context, seed int) error {
			_, err := c.Chat.New(ctx, req, seedOpt(seed))
			return err
		})
	}
	rec.report(t)
}

func TestOpenAIModels(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	sweep(t, "Models.List", func(ctx context.Context, seed int) error {
		_, err := c.Models.List(ctx, seedOpt(seed))
		return err
	})
	sweep(t, "Models.Get", func(ctx context.Context, seed int) error {
		_, err := c.Models.Get(ctx, "gpt-4o-mini", seedOpt(seed))
		return err
	})
	sweep(t, "Models.Delete", func(ctx context.Context, seed int) error {
		_, err := c.Models.Delete(ctx, "ft:gpt-4o-mini:org::abc", seedOpt(seed))
		return err
	})
	rec.report(t)
}

// TestOpenAIMockRejectsInvalid proves the harness sees validation errors: a
// request that breaks the spec must be flagged.
func TestOpenAIMockRejectsInvalid(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	req := minimalChat()
	req.Extra = map[string]any{"messages": []map[string]any{{"role": "narrator", "content": "x"}}}
	_, err := c.Chat.New(context.Background(), req)
	if err == nil {
		t.Fatal("an invalid request was accepted")
	}
	if len(rec.invalid) != 1 {
		t.Fatalf("recorder saw %d invalid requests, want 1", len(rec.invalid))
	}
}
