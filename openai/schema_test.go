package openai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

type Sentiment struct {
	Score  float64  `json:"score" jsonschema:"sentiment from -1 (negative) to 1 (positive)" minimum:"-1" maximum:"1"`
	Label  string   `json:"label" enum:"positive,neutral,negative"`
	Topics []string `json:"topics"`
	Note   *string  `json:"note,omitempty"`
	Reason struct {
		Why string `json:"why"`
	} `json:"reason"`
}

func TestSchemaForIsStrict(t *testing.T) {
	raw, err := openai.SchemaFor[Sentiment]()
	require.NoError(t, err)
	var s map[string]any
	require.NoError(t, json.Unmarshal(raw, &s))
	assert.Equal(t, false, s["additionalProperties"])
	assert.Equal(t, []any{"score", "label", "topics", "note", "reason"}, s["required"], "every property required, in field order")
	props := s["properties"].(map[string]any)
	assert.Equal(t, "sentiment from -1 (negative) to 1 (positive)", props["score"].(map[string]any)["description"])
	assert.Equal(t, []any{"positive", "neutral", "negative"}, props["label"].(map[string]any)["enum"])
	assert.Equal(t, -1.0, props["score"].(map[string]any)["minimum"])
	assert.Equal(t, 1.0, props["score"].(map[string]any)["maximum"])
	assert.ElementsMatch(t, []any{"string", "null"}, props["note"].(map[string]any)["type"], "optional fields are nullable")
	reason := props["reason"].(map[string]any)
	assert.Equal(t, false, reason["additionalProperties"])
	assert.Equal(t, []any{"why"}, reason["required"])

	_, err = openai.SchemaFor[struct {
		M map[string]int `json:"m"`
	}]()
	assert.ErrorContains(t, err, "maps are not supported")
}

func TestParseChat(t *testing.T) {
	msg := func(content, refusal, finish string) *openai.ChatCompletion {
		return &openai.ChatCompletion{Choices: []openai.ChatChoice{{Message: openai.ChatCompletionMessage{Content: content, Refusal: refusal}, FinishReason: finish}}}
	}
	good := `{"score":0.5,"label":"positive","topics":["price"],"note":null,"reason":{"why":"x"}}`
	tests := []struct {
		name    string
		c       *openai.ChatCompletion
		wantErr any
	}{
		{"ok", msg(good, "", "stop"), nil},
		{"refusal", msg("", "I can't help with that", "stop"), new(*openai.RefusalError)},
		{"truncated", msg(good[:20], "", "length"), new(*openai.TruncatedError)},
		{"filtered", msg("", "", "content_filter"), new(*openai.ContentFilterError)},
		{"invalid JSON", msg("{not json", "", "stop"), new(*openai.SchemaMismatchError)},
		{"wrong shape", msg(`{"score":"high"}`, "", "stop"), new(*openai.SchemaMismatchError)},
		{"unknown field", msg(`{"score":1,"mood":"x"}`, "", "stop"), new(*openai.SchemaMismatchError)},
		{"trailing data", msg(good+`{}`, "", "stop"), new(*openai.SchemaMismatchError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := openai.ParseChat[Sentiment](tt.c)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, 0.5, v.Score)
				assert.Equal(t, "positive", v.Label)
				return
			}
			require.Error(t, err)
			assert.ErrorAs(t, err, tt.wantErr)
		})
	}
	_, err := openai.ParseChat[Sentiment](&openai.ChatCompletion{})
	assert.ErrorIs(t, err, openai.ErrNoChoices)
}

func TestStructuredOutputAgainstFake(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	format, err := openai.JSONSchemaFormat[Sentiment]("sentiment")
	require.NoError(t, err)
	resp, err := c.Chat.New(context.Background(), openai.ChatRequest{
		Model:          "gpt-4o-mini",
		Messages:       []openai.ChatMessage{openai.UserMessage("The shoes are great but shipping was slow.")},
		ResponseFormat: format,
	})
	require.NoError(t, err)
	v, err := openai.ParseChat[Sentiment](resp)
	require.NoError(t, err, "the fake answers with JSON valid for the schema: %s", resp.Text())
	assert.Contains(t, []string{"positive", "neutral", "negative"}, v.Label)
	assert.True(t, v.Score >= -1 && v.Score <= 1, "the fake honours the bounds: %v", v.Score)

	text, err := openai.TextFormatFor[Sentiment]("sentiment")
	require.NoError(t, err)
	r, err := c.Responses.New(context.Background(), openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("Love it"), Text: text})
	require.NoError(t, err)
	v2, err := openai.ParseResponse[Sentiment](r)
	require.NoError(t, err, r.OutputText())
	assert.Contains(t, []string{"positive", "neutral", "negative"}, v2.Label)

	r, err = c.Responses.New(context.Background(), openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("Love it"), Text: text, MaxOutputTokens: 2})
	require.NoError(t, err)
	_, err = openai.ParseResponse[Sentiment](r)
	var trunc *openai.TruncatedError
	assert.ErrorAs(t, err, &trunc)
}

func ExampleParseChat() {
	srv := openaitest.NewServer(nil)
	defer srv.Close()
	client := srv.Client()

	type Score struct {
		Label string `json:"label" enum:"positive,neutral,negative"`
	}
	format, _ := openai.JSONSchemaFormat[Score]("score")
	resp, err := client.Chat.New(context.Background(), openai.ChatRequest{
		Model:          "gpt-4o-mini",
		Messages:       []openai.ChatMessage{openai.UserMessage("Fast delivery, thanks!")},
		ResponseFormat: format,
	})
	if err != nil {
		panic(err)
	}
	score, err := openai.ParseChat[Score](resp)
	fmt.Println(err == nil, score.Label != "")
	// Output: true true
}

func TestFitMessages(t *testing.T) {
	msgs := []openai.ChatMessage{openai.SystemMessage("You are helpful.")}
	for i := 0; i < 20; i++ {
		msgs = append(msgs, openai.UserMessage(fmt.Sprintf("question %d about running shoes and trail shoes", i)),
			openai.AssistantMessage(fmt.Sprintf("answer %d about running shoes, trail shoes and sizes", i)))
	}
	kept, res, err := openai.FitMessages("gpt-4o-mini", msgs, 120)
	require.NoError(t, err)
	assert.LessOrEqual(t, res.Tokens, 120)
	assert.Equal(t, openai.RoleSystem, kept[0].Role, "the system message stays")
	assert.Equal(t, msgs[len(msgs)-1], kept[len(kept)-1], "the newest turn stays")
	assert.Equal(t, len(msgs)-len(res.Dropped), len(kept))
	assert.Positive(t, res.DroppedTurns)
}
