package openai_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

func b64(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func TestEmbeddingsDecoding(t *testing.T) {
	v0, v1 := []float32{0.25, -1.5, 3}, []float32{1, 2, 3.5}
	tests := []struct {
		name    string
		body    string
		want    [][]float32
		wantErr error
	}{
		{"base64, out of order", fmt.Sprintf(`{"object":"list","data":[{"index":1,"embedding":%q},{"index":0,"embedding":%q}],"usage":{"prompt_tokens":4,"total_tokens":4}}`, b64(v1), b64(v0)), [][]float32{v0, v1}, nil},
		{"floats", `{"data":[{"index":0,"embedding":[0.25,-1.5,3]},{"index":1,"embedding":[1,2,3.5]}]}`, [][]float32{v0, v1}, nil},
		{"escaped base64", fmt.Sprintf(`{"data":[{"index":0,"embedding":%q},{"index":1,"embedding":%q}]}`, strings.ReplaceAll(b64(v0), "/", `\/`), b64(v1)), [][]float32{v0, v1}, nil},
		{"too few", fmt.Sprintf(`{"data":[{"index":0,"embedding":%q}]}`, b64(v0)), nil, openai.ErrEmbeddingMismatch},
		{"duplicate index", fmt.Sprintf(`{"data":[{"index":0,"embedding":%q},{"index":0,"embedding":%q}]}`, b64(v0), b64(v1)), nil, openai.ErrEmbeddingMismatch},
		{"bad base64", `{"data":[{"index":0,"embedding":"@@@"},{"index":1,"embedding":"AAAA"}]}`, nil, nil},
		{"odd length", `{"data":[{"index":0,"embedding":"AAA="},{"index":1,"embedding":"AAAA"}]}`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, reqs := chatServer(t, 200, "application/json", tt.body, nil)
			resp, err := c.Embeddings.New(context.Background(), openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: []string{"a", "b"}})
			var sent map[string]any
			require.NoError(t, json.NewDecoder((*reqs)[0].Body).Decode(&sent))
			assert.Equal(t, "base64", sent["encoding_format"], "base64 is asked for by default")
			if tt.want == nil {
				require.Error(t, err)
				if tt.wantErr != nil {
					assert.ErrorIs(t, err, tt.wantErr)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, resp.Vectors())
		})
	}
}

func TestEmbeddingsValidation(t *testing.T) {
	c, reqs := chatServer(t, 200, "application/json", `{}`, nil)
	for _, req := range []openai.EmbeddingRequest{
		{Model: "m"},
		{Input: []string{"a"}},
		{Model: "m", Input: []string{"a", ""}},
		{Model: "m", Input: make([]string, 2049)},
		{Model: "m", Input: []string{"a"}, Tokens: [][]int{{1}}},
	} {
		_, err := c.Embeddings.New(context.Background(), req)
		assert.ErrorIs(t, err, openai.ErrInvalidRequest)
	}
	assert.Empty(t, *reqs)
}

func TestEmbeddingsAgainstFake(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	texts := []string{"running shoes sale", "running shoes discount", "organic coffee beans"}
	resp, err := c.Embeddings.New(context.Background(), openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: texts, Dimensions: 256})
	require.NoError(t, err)
	v := resp.Vectors()
	require.Len(t, v, 3)
	assert.Len(t, v[0], 256)
	cos := func(a, b []float32) float64 {
		var d float64
		for i := range a {
			d += float64(a[i]) * float64(b[i])
		}
		return d
	}
	assert.Greater(t, cos(v[0], v[1]), cos(v[0], v[2])+0.3, "texts sharing words are closer")

	forced, err := c.Embeddings.New(context.Background(), openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: texts, Dimensions: 256, EncodingFormat: "float"})
	require.NoError(t, err)
	for i := range v {
		assert.InDeltaSlice(t, v[i], forced.Vectors()[i], 1e-6)
	}
}

func TestEmbeddingsBatched(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	texts := make([]string, 5000)
	for i := range texts {
		texts[i] = fmt.Sprintf("customer %d likes running", i)
	}
	resp, err := c.Embeddings.NewBatched(context.Background(), openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: texts, Dimensions: 8},
		openai.BatchOptions{MaxTokens: 10_000, Concurrency: 3})
	require.NoError(t, err)
	require.Len(t, resp.Data, 5000)
	for i, e := range resp.Data {
		require.Equal(t, i, e.Index)
		require.Equal(t, openaitest.Embed(texts[i], 8), []float32(e.Embedding), "vector %d is the one of input %d", i, i)
	}
	requests := srv.RequestCount("embeddings")
	assert.GreaterOrEqual(t, requests, 3, "a 10,000-token budget splits 5,000 inputs into several requests")
	for _, r := range srv.Requests() {
		var body struct{ Input []string }
		require.NoError(t, r.DecodeJSON(&body))
		assert.LessOrEqual(t, len(body.Input), 2048)
	}
	assert.Positive(t, resp.Usage.TotalTokens)

	long := strings.Repeat("word ", 9000)
	_, err = c.Embeddings.NewBatched(context.Background(), openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: []string{"ok", long}}, openai.BatchOptions{})
	assert.ErrorIs(t, err, openai.ErrInvalidRequest)
	assert.ErrorContains(t, err, "input 1 has")

	srv.Enqueue("embeddings", openaitest.Error(500, "server_error", "boom"))
	_, err = c.Embeddings.NewBatched(context.Background(), openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: texts[:10]}, openai.BatchOptions{MaxInputs: 2})
	var apiErr *openai.APIError
	assert.ErrorAs(t, err, &apiErr)
}

func TestImages(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	resp, err := c.Images.Generate(context.Background(), openai.ImageGenerateRequest{Model: "gpt-image-1", Prompt: "a running shoe on a beach", Size: "1024x1024",
		Quality: "low", Background: "transparent", OutputFormat: "png", OutputCompression: openai.Ptr(0), Moderation: "low"})
	require.NoError(t, err)
	png, err := resp.Data[0].Bytes()
	require.NoError(t, err)
	assert.Equal(t, openaitest.PNG(), png)
	path := filepath.Join(t.TempDir(), "visual.png")
	require.NoError(t, resp.Data[0].WriteFile(path))
	onDisk, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, png, onDisk)

	url, err := c.Images.Generate(context.Background(), openai.ImageGenerateRequest{Model: "dall-e-3", Prompt: "x", ResponseFormat: "url", Style: "vivid"})
	require.NoError(t, err)
	_, err = url.Data[0].Bytes()
	assert.ErrorIs(t, err, openai.ErrNoImageData)

	// Edit with two images (one a file, one a bytes reader) and a mask.
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	edit, err := c.Images.Edit(context.Background(), openai.ImageEditRequest{
		Model: "gpt-image-1", Prompt: "add a sunset", N: 2,
		Images: []openai.File{{Name: "a.png", Reader: f}, {Name: "b.png", Reader: bytes.NewReader(png)}},
		Mask:   &openai.File{Name: "mask.png", Reader: bytes.NewReader(png)},
	})
	require.NoError(t, err)
	assert.Len(t, edit.Data, 2)

	_, err = c.Images.Edit(context.Background(), openai.ImageEditRequest{Prompt: "x", Images: []openai.File{{Name: "notes.txt", Reader: strings.NewReader("not an image at all")}}})
	assert.ErrorIs(t, err, openai.ErrInvalidRequest)
	assert.ErrorContains(t, err, "not a PNG, JPEG or WebP")
	_, err = c.Images.Edit(context.Background(), openai.ImageEditRequest{Prompt: "x", Images: []openai.File{{Reader: bytes.NewReader(png)}}})
	assert.ErrorContains(t, err, "needs a name")

	v, err := c.Images.Variation(context.Background(), openai.ImageVariationRequest{Model: "dall-e-2", Image: openai.File{Name: "a.png", Reader: bytes.NewReader(png)}, N: 3})
	require.NoError(t, err)
	assert.Len(t, v.Data, 3)
}

func TestAudio(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	sp, err := c.Audio.Speech(context.Background(), openai.SpeechRequest{Model: "gpt-4o-mini-tts", Input: "Welcome to the spring sale", Voice: "coral", ResponseFormat: "wav", Speed: openai.Ptr(1.0)})
	require.NoError(t, err)
	audio, err := io.ReadAll(sp)
	require.NoError(t, err)
	require.NoError(t, sp.Close())
	assert.Equal(t, openaitest.WAV(), audio)
	assert.Equal(t, "audio/wav", sp.ContentType)

	wav := openaitest.WAV()
	tr, err := c.Audio.Transcribe(context.Background(), openai.TranscriptionRequest{File: bytes.NewReader(wav), Filename: "call.wav", Model: "gpt-4o-transcribe"})
	require.NoError(t, err)
	assert.Equal(t, openaitest.Transcript, tr.Text)

	verbose, err := c.Audio.Transcribe(context.Background(), openai.TranscriptionRequest{File: bytes.NewReader(wav), Filename: "call.wav", Model: "whisper-1",
		ResponseFormat: "verbose_json", TimestampGranularities: []string{"word", "segment"}, Language: "en", Temperature: openai.Ptr(0.0)})
	require.NoError(t, err)
	assert.NotEmpty(t, verbose.Words)
	assert.NotEmpty(t, verbose.Segments)
	assert.Equal(t, "english", verbose.Language)

	for _, format := range []string{"text", "srt", "vtt"} {
		plain, err := c.Audio.Transcribe(context.Background(), openai.TranscriptionRequest{File: bytes.NewReader(wav), Filename: "call.wav", Model: "whisper-1", ResponseFormat: format})
		require.NoError(t, err, format)
		assert.Contains(t, plain.Text, openaitest.Transcript, format)
	}
	en, err := c.Audio.Translate(context.Background(), openai.TranslationRequest{File: bytes.NewReader(wav), Filename: "llamada.wav", Model: "whisper-1"})
	require.NoError(t, err)
	assert.Equal(t, openaitest.Transcript, en.Text)

	_, err = c.Audio.Transcribe(context.Background(), openai.TranscriptionRequest{File: bytes.NewReader(wav), Model: "whisper-1"})
	assert.ErrorIs(t, err, openai.ErrInvalidRequest)
	_, err = c.Audio.Speech(context.Background(), openai.SpeechRequest{Model: "tts-1", Voice: "alloy"})
	assert.ErrorIs(t, err, openai.ErrInvalidRequest)
}

func TestModerations(t *testing.T) {
	srv := openaitest.NewServer(t)
	c := srv.Client()
	m, err := c.Moderations.New(context.Background(), openai.ModerationRequest{Input: []string{"Spring sale on shoes!", "I will kill you"}})
	require.NoError(t, err)
	require.Len(t, m.Results, 2)
	assert.False(t, m.Results[0].Flagged)
	assert.True(t, m.Results[1].Flagged)
	assert.True(t, m.Results[1].Categories.Violence)
	assert.Greater(t, m.Results[1].CategoryScores.Violence, 0.5)
	assert.True(t, m.Flagged())
	assert.Equal(t, []string{"violence"}, m.Results[1].FlaggedCategories())
	clean, err := c.Moderations.New(context.Background(), openai.ModerationRequest{Input: []string{"trail skills for the drugstore run"}})
	require.NoError(t, err)
	assert.False(t, clean.Flagged(), "keywords match whole words only")

	mm, err := c.Moderations.New(context.Background(), openai.ModerationRequest{Model: "omni-moderation-latest",
		Inputs: []openai.ModerationInput{openai.ModerationText("a nice shoe"), openai.ModerationImage("data:image/png;base64,iVBORw0KGgo=")}})
	require.NoError(t, err)
	assert.False(t, mm.Flagged())
	assert.Contains(t, mm.Results[0].CategoryAppliedInputTypes.Violence, "image")

	_, err = c.Moderations.New(context.Background(), openai.ModerationRequest{})
	assert.ErrorIs(t, err, openai.ErrInvalidRequest)
}

// TestMultipartReplay checks that an upload from a rewindable source can be
// sent again (as a retry does), and one from a plain stream cannot.
func TestMultipartReplay(t *testing.T) {
	var bodies [][]byte
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, b)
		attempts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"text":"ok"}`)
	}))
	defer srv.Close()
	var replayErr error
	resend := func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err != nil {
				return nil, err
			}
			resp.Body.Close()
			if r.GetBody == nil {
				replayErr = errors.New("no GetBody")
				return next.RoundTrip(r.Clone(r.Context()))
			}
			body, err := r.GetBody()
			if err != nil {
				return nil, err
			}
			r2 := r.Clone(r.Context())
			r2.Body = body
			return next.RoundTrip(r2)
		})
	}
	c, err := openai.NewClient(openai.WithAPIKey(testKey), openai.WithBaseURL(srv.URL), openai.WithMiddleware(resend))
	require.NoError(t, err)

	audio := bytes.Repeat([]byte("RIFF-audio-"), 1000)
	_, err = c.Audio.Transcribe(context.Background(), openai.TranscriptionRequest{File: bytes.NewReader(audio), Filename: "a.wav", Model: "whisper-1"})
	require.NoError(t, err)
	require.Len(t, bodies, 2)
	assert.Equal(t, bodies[0], bodies[1], "the replayed upload is identical")
	assert.Contains(t, string(bodies[0]), string(audio))
	assert.Nil(t, replayErr)

	bodies = nil
	_, _ = c.Audio.Transcribe(context.Background(), openai.TranscriptionRequest{File: io.MultiReader(bytes.NewReader(audio)), Filename: "a.wav", Model: "whisper-1"})
	assert.EqualError(t, replayErr, "no GetBody", "a one-shot stream offers no replay")
}
