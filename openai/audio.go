package openai

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// AudioService turns text into speech and speech into text.
type AudioService service

// SpeechRequest asks for spoken audio.
type SpeechRequest struct {
	Model          string   `json:"model"`                     // "gpt-4o-mini-tts", "tts-1", "tts-1-hd"
	Input          string   `json:"input"`                     // the text, at most 4,096 characters
	Voice          string   `json:"voice"`                     // "alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", ...
	Instructions   string   `json:"instructions,omitempty"`    // tone and style (not for tts-1)
	ResponseFormat string   `json:"response_format,omitempty"` // "mp3" (default), "opus", "aac", "flac", "wav", "pcm"
	Speed          *float64 `json:"speed,omitempty"`           // 0.25 to 4.0

	Extra map[string]any `json:"-"`
}

// Speech is audio streamed from the response body: read it and Close it.
// It is not buffered, so a long reading starts playing at once.
type Speech struct {
	io.ReadCloser
	ContentType string
	Meta        Meta
}

// Speech generates audio from text.
func (s *AudioService) Speech(ctx context.Context, req SpeechRequest, opts ...RequestOption) (*Speech, error) {
	switch {
	case req.Model == "":
		return nil, fmt.Errorf("openai: %w: SpeechRequest.Model is empty", ErrInvalidRequest)
	case req.Input == "":
		return nil, fmt.Errorf("openai: %w: SpeechRequest.Input is empty", ErrInvalidRequest)
	case req.Voice == "":
		return nil, fmt.Errorf("openai: %w: SpeechRequest.Voice is empty", ErrInvalidRequest)
	}
	b, err := transport.EncodeJSON(&req, req.Extra)
	if err != nil {
		return nil, fmt.Errorf("openai: encoding speech request: %w", err)
	}
	st := s.c.openStream(ctx, &call{method: http.MethodPost, path: "audio/speech", body: b,
		accept: []string{"*/*"}, cost: ratelimit.Cost{Key: req.Model, Requests: 1}, opts: opts})
	if st.err != nil {
		return nil, st.err
	}
	return &Speech{ReadCloser: streamBody{st}, ContentType: st.meta.Header.Get("Content-Type"), Meta: st.meta}, nil
}

// streamBody reads the raw body of a stream and releases it on Close.
type streamBody struct{ s *eventStream }

func (b streamBody) Read(p []byte) (int, error) {
	n, err := b.s.body.Read(p)
	if err != nil && err != io.EOF {
		err = b.s.readError(err)
	}
	return n, err
}

func (b streamBody) Close() error { return b.s.Close() }

// TranscriptionRequest uploads audio to transcribe. The file is streamed
// from File, never held in memory; use an *os.File or *bytes.Reader so that
// a failed upload can be retried.
type TranscriptionRequest struct {
	File     io.Reader
	Filename string // required: its extension tells the API the format (mp3, mp4, mpeg, mpga, m4a, wav, webm, ...)
	Model    string // "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "whisper-1"
	Language string // ISO-639-1, e.g. "en"
	Prompt   string
	// ResponseFormat is "json" (default), "verbose_json", "text", "srt" or
	// "vtt". The plain-text formats come back in Transcription.Text.
	ResponseFormat         string
	Temperature            *float64
	TimestampGranularities []string // "word", "segment" (verbose_json only)
	Include                []string // "logprobs"
	ChunkingStrategy       string   // "auto"
}

// Transcription is the text of an audio file.
type Transcription struct {
	Text     string              `json:"text"`
	Language string              `json:"language,omitempty"`
	Duration float64             `json:"duration,omitempty"`
	Segments []TranscriptSegment `json:"segments,omitempty"`
	Words    []TranscriptWord    `json:"words,omitempty"`
	Logprobs []TranscriptLogprob `json:"logprobs,omitempty"`
	Usage    *TranscriptionUsage `json:"usage,omitempty"`

	Meta Meta `json:"-"`
}

// TranscriptSegment is a segment of a verbose transcript.
type TranscriptSegment struct {
	ID               int     `json:"id"`
	Seek             int     `json:"seek"`
	Start            float64 `json:"start"`
	End              float64 `json:"end"`
	Text             string  `json:"text"`
	Tokens           []int   `json:"tokens"`
	Temperature      float64 `json:"temperature"`
	AvgLogprob       float64 `json:"avg_logprob"`
	CompressionRatio float64 `json:"compression_ratio"`
	NoSpeechProb     float64 `json:"no_speech_prob"`
}

// TranscriptWord is a word with its timing.
type TranscriptWord struct {
	Word  string  `json:"word"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// TranscriptLogprob is the log probability of a transcript token.
type TranscriptLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

// TranscriptionUsage is the billing of a transcription: tokens for the
// gpt-4o models, seconds of audio for whisper.
type TranscriptionUsage struct {
	Type         string  `json:"type"` // "tokens" or "duration"
	InputTokens  int     `json:"input_tokens,omitempty"`
	OutputTokens int     `json:"output_tokens,omitempty"`
	TotalTokens  int     `json:"total_tokens,omitempty"`
	Seconds      float64 `json:"seconds,omitempty"`
}

// Transcribe turns speech into text in its own language.
func (s *AudioService) Transcribe(ctx context.Context, req TranscriptionRequest, opts ...RequestOption) (*Transcription, error) {
	fields := [][2]string{{"model", req.Model}}
	fields = addField(fields, "language", req.Language)
	fields = addField(fields, "prompt", req.Prompt)
	fields = addField(fields, "response_format", req.ResponseFormat)
	if req.Temperature != nil {
		fields = append(fields, [2]string{"temperature", strconv.FormatFloat(*req.Temperature, 'f', -1, 64)})
	}
	for _, g := range req.TimestampGranularities {
		fields = append(fields, [2]string{"timestamp_granularities[]", g})
	}
	for _, inc := range req.Include {
		fields = append(fields, [2]string{"include[]", inc})
	}
	fields = addField(fields, "chunking_strategy", req.ChunkingStrategy)
	return s.transcribe(ctx, "audio/transcriptions", req.File, req.Filename, req.Model, req.ResponseFormat, fields, opts)
}

// TranslationRequest uploads audio to translate into English text.
type TranslationRequest struct {
	File           io.Reader
	Filename       string
	Model          string // "whisper-1"
	Prompt         string
	ResponseFormat string // "json", "verbose_json", "text", "srt", "vtt"
	Temperature    *float64
}

// Translate turns speech in any language into English text.
func (s *AudioService) Translate(ctx context.Context, req TranslationRequest, opts ...RequestOption) (*Transcription, error) {
	fields := [][2]string{{"model", req.Model}}
	fields = addField(fields, "prompt", req.Prompt)
	fields = addField(fields, "response_format", req.ResponseFormat)
	if req.Temperature != nil {
		fields = append(fields, [2]string{"temperature", strconv.FormatFloat(*req.Temperature, 'f', -1, 64)})
	}
	return s.transcribe(ctx, "audio/translations", req.File, req.Filename, req.Model, req.ResponseFormat, fields, opts)
}

func (s *AudioService) transcribe(ctx context.Context, path string, file io.Reader, filename, model, format string, fields [][2]string, opts []RequestOption) (*Transcription, error) {
	if model == "" {
		return nil, fmt.Errorf("openai: %w: the model is empty", ErrInvalidRequest)
	}
	if err := checkFile(File{Name: filename, Reader: file}); err != nil {
		return nil, err
	}
	form, err := transport.NewMultipart(fields, []transport.FilePart{{Field: "file", Filename: filename, Reader: file}})
	if err != nil {
		return nil, fmt.Errorf("openai: %w: %v", ErrInvalidRequest, err)
	}
	cl := &call{method: http.MethodPost, path: path, form: form, cost: ratelimit.Cost{Key: model, Requests: 1}, opts: opts}
	out := new(Transcription)
	switch format {
	case "text", "srt", "vtt":
		cl.accept = []string{"text/plain"}
		out.Meta, out.Text, err = s.c.doText(ctx, cl)
	default:
		out.Meta, err = s.c.doJSON(ctx, cl, out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// doText sends a call and returns its 2xx body as text, bounded by the
// response size cap.
func (co *core) doText(ctx context.Context, cl *call) (Meta, string, error) {
	if co.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, co.timeout)
		defer cancel()
	}
	resp, err := co.do(ctx, cl)
	if err != nil {
		return Meta{}, "", err
	}
	defer resp.Body.Close()
	meta := metaFrom(resp)
	buf, err := transport.ReadBody(resp, co.maxBody)
	defer transport.PutBuffer(buf)
	if err != nil {
		return meta, "", fmt.Errorf("openai: %s %s: %w", cl.method, cl.path, transport.NewDecodeError(resp, requestIDHeader, co.scrub.Bytes(buf.Bytes()), err))
	}
	return meta, buf.String(), nil
}
