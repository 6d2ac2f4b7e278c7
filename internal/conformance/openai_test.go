//go:build conformance

package conformance

import (
	"bytes"
	"context"
	"errors"
	"io"
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

func TestOpenAIChatStream(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	for name, req := range map[string]openai.ChatRequest{"minimal": minimalChat(), "maximal": maximalChat()} {
		sweep(t, "Chat.Stream/"+name, func(ctx context.Context, seed int) error {
			st := c.Chat.Stream(ctx, req, seedOpt(seed))
			defer st.Close()
			n := 0
			for st.Next() {
				n++
			}
			if err := st.Err(); err != nil {
				return err
			}
			if n == 0 {
				return errors.New("the stream yielded no chunk")
			}
			return nil
		})
	}
	rec.report(t)
}

func minimalResponse() openai.ResponseRequest {
	return openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("Hello")}
}

// maximalResponse sets every typed field of ResponseRequest.
func maximalResponse() openai.ResponseRequest {
	strict := true
	return openai.ResponseRequest{
		Model: "gpt-4o",
		Input: openai.ItemsInput(
			openai.InputMessage(openai.RoleDeveloper, "Answer in JSON."),
			openai.InputMessageParts(openai.RoleUser,
				openai.InputText("Describe this image and file."),
				openai.InputImage("https://example.com/shoe.png", "high"),
				openai.InputFile("file-abc123"),
				openai.InputPart{Type: "input_file", FileData: "data:application/pdf;base64,JVBERi0=", Filename: "brief.pdf"},
			),
			openai.InputItem{Type: "function_call", CallID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`},
			openai.FunctionCallOutput("call_1", `{"temp":21}`),
		),
		Instructions: "You are a marketing copywriter.",
		Tools: []openai.ResponseTool{
			openai.ResponseFunctionTool("get_weather", "Weather for a city",
				map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []string{"city"}, "additionalProperties": false}, true),
			{Type: "web_search"},
		},
		ToolChoice:        &openai.ResponseToolChoice{Function: "get_weather"},
		ParallelToolCalls: openai.Ptr(false),
		MaxToolCalls:      3,
		Text: &openai.ResponseTextConfig{Verbosity: "low", Format: &openai.TextFormat{
			Type: "json_schema", Name: "copy", Description: "Generated copy", Strict: &strict,
			Schema: map[string]any{"type": "object", "properties": map[string]any{"subject": map[string]any{"type": "string"}}, "required": []string{"subject"}, "additionalProperties": false},
		}},
		Reasoning:          &openai.ReasoningConfig{Effort: "low", Summary: "auto"},
		PreviousResponseID: "resp_123",
		Store:              openai.Ptr(true),
		Background:         openai.Ptr(false),
		MaxOutputTokens:    500,
		Metadata:           map[string]string{"campaign": "spring"},
		Include:            []string{"message.output_text.logprobs"},
		Temperature:        openai.Ptr(0.0),
		TopP:               openai.Ptr(1.0),
		TopLogprobs:        openai.Ptr(2),
		Truncation:         "auto",
		User:               "user-123",
		SafetyIdentifier:   "hash-abc",
		PromptCacheKey:     "campaign-42",
		ServiceTier:        "auto",
	}
}

func TestOpenAIResponses(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	for name, req := range map[string]openai.ResponseRequest{"minimal": minimalResponse(), "maximal": maximalResponse()} {
		sweep(t, "Responses.New/"+name, func(ctx context.Context, seed int) error {
			_, err := c.Responses.New(ctx, req, seedOpt(seed))
			return err
		})
		sweep(t, "Responses.Stream/"+name, func(ctx context.Context, seed int) error {
			st := c.Responses.Stream(ctx, req, seedOpt(seed))
			defer st.Close()
			n := 0
			for st.Next() {
				n++
			}
			if n == 0 && st.Err() == nil {
				return errors.New("the stream yielded no event")
			}
			// A random spec-valid stream may contain error or
			// response.failed events: those end in an *APIError by design.
			// Its events are drawn one by one from the schema, so it need
			// not end with a final response event: ErrStreamTruncated says
			// so, and is the right verdict on such a stream.
			var apiErr *openai.APIError
			if err := st.Err(); err != nil && !errors.As(err, &apiErr) && !errors.Is(err, openai.ErrStreamTruncated) {
				return err
			}
			return nil
		})
	}
	sweep(t, "Responses.Get", func(ctx context.Context, seed int) error {
		_, err := c.Responses.Get(ctx, "resp_123", seedOpt(seed))
		return err
	})
	sweep(t, "Responses.Delete", func(ctx context.Context, seed int) error {
		_, err := c.Responses.Delete(ctx, "resp_123", seedOpt(seed))
		return err
	})
	sweep(t, "Responses.Cancel", func(ctx context.Context, seed int) error {
		_, err := c.Responses.Cancel(ctx, "resp_123", seedOpt(seed))
		return err
	})
	sweep(t, "Responses.InputItems", func(ctx context.Context, seed int) error {
		_, err := c.Responses.InputItems(ctx, "resp_123", openai.InputItemsParams{After: "item_1", Limit: 10, Order: "asc", Include: []string{"message.input_image.image_url"}}, seedOpt(seed))
		return err
	})
	rec.report(t)
}

func TestOpenAIEmbeddings(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	reqs := map[string]openai.EmbeddingRequest{
		"minimal": {Model: "text-embedding-3-small", Input: []string{"hello"}},
		"maximal": {Model: "text-embedding-3-small", Input: []string{"spring sale", "running shoes"}, Dimensions: 256, User: "user-1", EncodingFormat: "float"},
		"tokens":  {Model: "text-embedding-3-small", Tokens: [][]int{{1, 2, 3}}},
	}
	for name, req := range reqs {
		sweep(t, "Embeddings.New/"+name, func(ctx context.Context, seed int) error {
			_, err := c.Embeddings.New(ctx, req, seedOpt(seed))
			// The mock answers with random indexes and counts: the reply
			// must decode, and a mismatch must be reported, not hidden.
			if errors.Is(err, openai.ErrEmbeddingMismatch) {
				return nil
			}
			return err
		})
	}
	rec.report(t)
}

func pngBytes() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
}

func TestOpenAIImages(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	gens := map[string]openai.ImageGenerateRequest{
		"minimal": {Prompt: "a running shoe"},
		"gpt-image-1": {Model: "gpt-image-1", Prompt: "a running shoe", N: 2, Size: "1024x1536", Quality: "high", Background: "transparent",
			OutputFormat: "webp", OutputCompression: openai.Ptr(80), Moderation: "low", User: "user-1"},
		"dall-e-3": {Model: "dall-e-3", Prompt: "a running shoe", N: 1, Size: "1792x1024", Quality: "hd", Style: "natural", ResponseFormat: "b64_json"},
	}
	for name, req := range gens {
		sweep(t, "Images.Generate/"+name, func(ctx context.Context, seed int) error {
			_, err := c.Images.Generate(ctx, req, seedOpt(seed))
			return err
		})
	}
	sweep(t, "Images.Edit/minimal", func(ctx context.Context, seed int) error {
		_, err := c.Images.Edit(ctx, openai.ImageEditRequest{Prompt: "add a sunset", Images: []openai.File{{Name: "a.png", Reader: bytes.NewReader(pngBytes())}}}, seedOpt(seed))
		return err
	})
	sweep(t, "Images.Edit/maximal", func(ctx context.Context, seed int) error {
		_, err := c.Images.Edit(ctx, openai.ImageEditRequest{
			Prompt: "add a sunset", Model: "gpt-image-1", N: 2, Size: "1024x1024", Quality: "medium", Background: "opaque",
			OutputFormat: "jpeg", OutputCompression: openai.Ptr(70), InputFidelity: "high", User: "user-1",
			Images: []openai.File{{Name: "a.png", Reader: bytes.NewReader(pngBytes())}, {Name: "b.png", Reader: bytes.NewReader(pngBytes())}},
			Mask:   &openai.File{Name: "mask.png", Reader: bytes.NewReader(pngBytes())},
		}, seedOpt(seed))
		return err
	})
	sweep(t, "Images.Variation", func(ctx context.Context, seed int) error {
		_, err := c.Images.Variation(ctx, openai.ImageVariationRequest{Image: openai.File{Name: "a.png", Reader: bytes.NewReader(pngBytes())},
			Model: "dall-e-2", N: 2, Size: "512x512", ResponseFormat: "url", User: "user-1"}, seedOpt(seed))
		return err
	})
	rec.report(t)
}

func TestOpenAIAudio(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	sweep(t, "Audio.Speech", func(ctx context.Context, seed int) error {
		sp, err := c.Audio.Speech(ctx, openai.SpeechRequest{Model: "gpt-4o-mini-tts", Input: "Hello", Voice: "coral",
			Instructions: "Cheerful", ResponseFormat: "mp3", Speed: openai.Ptr(1.25)}, seedOpt(seed))
		if err != nil {
			return err
		}
		defer sp.Close()
		_, err = io.Copy(io.Discard, sp)
		return err
	})
	wav := bytes.Repeat([]byte{0}, 2048)
	sweep(t, "Audio.Transcribe/minimal", func(ctx context.Context, seed int) error {
		_, err := c.Audio.Transcribe(ctx, openai.TranscriptionRequest{File: bytes.NewReader(wav), Filename: "call.wav", Model: "whisper-1"}, seedOpt(seed))
		return err
	})
	sweep(t, "Audio.Transcribe/maximal", func(ctx context.Context, seed int) error {
		_, err := c.Audio.Transcribe(ctx, openai.TranscriptionRequest{File: bytes.NewReader(wav), Filename: "call.wav", Model: "whisper-1",
			Language: "en", Prompt: "Shoe shop", ResponseFormat: "verbose_json", Temperature: openai.Ptr(0.0),
			TimestampGranularities: []string{"word", "segment"}}, seedOpt(seed))
		return err
	})
	sweep(t, "Audio.Transcribe/gpt-4o", func(ctx context.Context, seed int) error {
		_, err := c.Audio.Transcribe(ctx, openai.TranscriptionRequest{File: bytes.NewReader(wav), Filename: "call.wav", Model: "gpt-4o-transcribe",
			ResponseFormat: "json", Include: []string{"logprobs"}, ChunkingStrategy: "auto"}, seedOpt(seed))
		return err
	})
	sweep(t, "Audio.Translate", func(ctx context.Context, seed int) error {
		_, err := c.Audio.Translate(ctx, openai.TranslationRequest{File: bytes.NewReader(wav), Filename: "call.wav", Model: "whisper-1",
			Prompt: "Shoe shop", ResponseFormat: "json", Temperature: openai.Ptr(0.2)}, seedOpt(seed))
		return err
	})
	rec.report(t)
}

func TestOpenAIModerations(t *testing.T) {
	rec := newRecorder()
	c := openaiClient(t, rec)
	reqs := map[string]openai.ModerationRequest{
		"one":   {Input: []string{"hello"}},
		"many":  {Model: "omni-moderation-latest", Input: []string{"hello", "world"}},
		"multi": {Model: "omni-moderation-latest", Inputs: []openai.ModerationInput{openai.ModerationText("hello"), openai.ModerationImage("https://example.com/a.png")}},
	}
	for name, req := range reqs {
		sweep(t, "Moderations.New/"+name, func(ctx context.Context, seed int) error {
			_, err := c.Moderations.New(ctx, req, seedOpt(seed))
			return err
		})
	}
	rec.report(t)
}
