package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"

	oai "github.com/openai/openai-go/v3"
	oaioption "github.com/openai/openai-go/v3/option"
	oairesponses "github.com/openai/openai-go/v3/responses"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

// The SDKs compared, reachkit first.
const (
	Reachkit = "reachkit"
	OpenAIGo = "openai-go"
	GoOpenAI = "go-openai"
)

// SDKs lists the SDKs in the order the benchmarks run them.
var SDKs = []string{Reachkit, OpenAIGo, GoOpenAI}

// APIKey is the key every client sends.
const APIKey = "sk-bench-0123456789"

// Target is where a client sends its requests.
type Target struct {
	BaseURL string       // ends in /v1
	HTTP    *http.Client // the transport under test
}

// Op is one call of a workload by one SDK. It checks what it decoded, so
// that no SDK can skip work the others do.
type Op func(ctx context.Context) error

// NewReachkit returns a reachkit client for t. Extra options come last.
func NewReachkit(t Target, opts ...openai.Option) (*openai.Client, error) {
	all := append([]openai.Option{
		openai.WithAPIKey(APIKey),
		openai.WithBaseURL(t.BaseURL),
		openai.WithHTTPClient(t.HTTP),
	}, reachkitNoRetry...)
	return openai.NewClient(append(all, opts...)...)
}

// reachkitNoRetry turns reachkit's retries off: no retry layer is built.
var reachkitNoRetry = []openai.Option{openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1})}

// NewOpenAIGo returns an openai-go client for t with retries off.
func NewOpenAIGo(t Target, opts ...oaioption.RequestOption) oai.Client {
	all := append([]oaioption.RequestOption{
		oaioption.WithAPIKey(APIKey),
		oaioption.WithBaseURL(t.BaseURL + "/"),
		oaioption.WithHTTPClient(t.HTTP),
		oaioption.WithMaxRetries(0),
	}, opts...)
	return oai.NewClient(all...)
}

// NewGoOpenAI returns a go-openai client for t. go-openai never retries.
func NewGoOpenAI(t Target) *goopenai.Client {
	cfg := goopenai.DefaultConfig(APIKey)
	cfg.BaseURL = t.BaseURL
	cfg.HTTPClient = t.HTTP
	return goopenai.NewClientWithConfig(cfg)
}

// Workload builds, for each SDK, the operation of one workload.
type Workload func(sdk string, t Target) (Op, error)

func checkText(sdk, got, want string) error {
	if got != want {
		return fmt.Errorf("%s: decoded %d bytes of text, want %d", sdk, len(got), len(want))
	}
	return nil
}

// ChatNew is a non-streaming chat completion answered by ChatReply.
func ChatNew(sdk string, t Target) (Op, error) {
	return chatNew(sdk, t, clientOptions{})
}

// clientOptions are added to the clients a workload builds.
type clientOptions struct {
	reachkit []openai.Option
	openaiGo []oaioption.RequestOption
}

func chatNew(sdk string, t Target, co clientOptions) (Op, error) {
	want := ReplyText()
	switch sdk {
	case Reachkit:
		c, err := NewReachkit(t, co.reachkit...)
		if err != nil {
			return nil, err
		}
		req := openai.ChatRequest{
			Model: ChatModel,
			Messages: []openai.ChatMessage{
				openai.SystemMessage(SystemPrompt),
				openai.UserMessage(UserPrompt),
			},
			Temperature:         openai.Ptr(Temperature),
			MaxCompletionTokens: MaxOutputTokens,
		}
		return func(ctx context.Context) error {
			resp, err := c.Chat.New(ctx, req)
			if err != nil {
				return err
			}
			return checkText(sdk, resp.Text(), want)
		}, nil
	case OpenAIGo:
		c := NewOpenAIGo(t, co.openaiGo...)
		params := oai.ChatCompletionNewParams{
			Model: ChatModel,
			Messages: []oai.ChatCompletionMessageParamUnion{
				oai.SystemMessage(SystemPrompt),
				oai.UserMessage(UserPrompt),
			},
			Temperature:         oai.Float(Temperature),
			MaxCompletionTokens: oai.Int(MaxOutputTokens),
		}
		return func(ctx context.Context) error {
			resp, err := c.Chat.Completions.New(ctx, params)
			if err != nil {
				return err
			}
			if len(resp.Choices) == 0 {
				return errors.New("openai-go: no choices")
			}
			return checkText(sdk, resp.Choices[0].Message.Content, want)
		}, nil
	case GoOpenAI:
		c := NewGoOpenAI(t)
		req := goopenai.ChatCompletionRequest{
			Model: ChatModel,
			Messages: []goopenai.ChatCompletionMessage{
				{Role: goopenai.ChatMessageRoleSystem, Content: SystemPrompt},
				{Role: goopenai.ChatMessageRoleUser, Content: UserPrompt},
			},
			Temperature:         Temperature,
			MaxCompletionTokens: MaxOutputTokens,
		}
		return func(ctx context.Context) error {
			resp, err := c.CreateChatCompletion(ctx, req)
			if err != nil {
				return err
			}
			if len(resp.Choices) == 0 {
				return errors.New("go-openai: no choices")
			}
			return checkText(sdk, resp.Choices[0].Message.Content, want)
		}, nil
	}
	return nil, fmt.Errorf("unknown SDK %q", sdk)
}

// streamUsage is the total_tokens of the usage chunk of ChatStreamReply.
const streamUsage = 1031

// ChatStream reads the stream of ChatStreamReply to the end, concatenating
// the content of every chunk into a buffer reused between calls, and checks
// the chunk count, the text and the usage.
func ChatStream(sdk string, t Target) (Op, error) {
	want := StreamText()
	buf := make([]byte, 0, len(want))
	check := func(n int, usage int64) error {
		if n != StreamEvents {
			return fmt.Errorf("%s: %d chunks, want %d", sdk, n, StreamEvents)
		}
		if usage != streamUsage {
			return fmt.Errorf("%s: usage total_tokens %d, want %d", sdk, usage, streamUsage)
		}
		return checkText(sdk, string(buf), want)
	}
	switch sdk {
	case Reachkit:
		c, err := NewReachkit(t)
		if err != nil {
			return nil, err
		}
		req := openai.ChatRequest{
			Model: ChatModel,
			Messages: []openai.ChatMessage{
				openai.SystemMessage(SystemPrompt),
				openai.UserMessage(UserPrompt),
			},
			Temperature:         openai.Ptr(Temperature),
			MaxCompletionTokens: MaxOutputTokens,
			StreamOptions:       &openai.StreamOptions{IncludeUsage: true},
		}
		return func(ctx context.Context) error {
			buf = buf[:0]
			st := c.Chat.Stream(ctx, req)
			defer st.Close()
			n, usage := 0, int64(0)
			for st.Next() {
				ch := st.Current()
				n++
				if len(ch.Choices) > 0 {
					buf = append(buf, ch.Choices[0].Delta.Content...)
				}
				if ch.Usage != nil {
					usage = int64(ch.Usage.TotalTokens)
				}
			}
			if err := st.Err(); err != nil {
				return err
			}
			return check(n, usage)
		}, nil
	case OpenAIGo:
		c := NewOpenAIGo(t)
		params := oai.ChatCompletionNewParams{
			Model: ChatModel,
			Messages: []oai.ChatCompletionMessageParamUnion{
				oai.SystemMessage(SystemPrompt),
				oai.UserMessage(UserPrompt),
			},
			Temperature:         oai.Float(Temperature),
			MaxCompletionTokens: oai.Int(MaxOutputTokens),
			StreamOptions:       oai.ChatCompletionStreamOptionsParam{IncludeUsage: oai.Bool(true)},
		}
		return func(ctx context.Context) error {
			buf = buf[:0]
			st := c.Chat.Completions.NewStreaming(ctx, params)
			defer st.Close()
			n, usage := 0, int64(0)
			for st.Next() {
				ch := st.Current()
				n++
				if len(ch.Choices) > 0 {
					buf = append(buf, ch.Choices[0].Delta.Content...)
				}
				if ch.Usage.TotalTokens != 0 {
					usage = ch.Usage.TotalTokens
				}
			}
			if err := st.Err(); err != nil {
				return err
			}
			return check(n, usage)
		}, nil
	case GoOpenAI:
		c := NewGoOpenAI(t)
		req := goopenai.ChatCompletionRequest{
			Model: ChatModel,
			Messages: []goopenai.ChatCompletionMessage{
				{Role: goopenai.ChatMessageRoleSystem, Content: SystemPrompt},
				{Role: goopenai.ChatMessageRoleUser, Content: UserPrompt},
			},
			Temperature:         Temperature,
			MaxCompletionTokens: MaxOutputTokens,
			StreamOptions:       &goopenai.StreamOptions{IncludeUsage: true},
		}
		return func(ctx context.Context) error {
			buf = buf[:0]
			st, err := c.CreateChatCompletionStream(ctx, req)
			if err != nil {
				return err
			}
			defer st.Close()
			n, usage := 0, int64(0)
			for {
				ch, err := st.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return err
				}
				n++
				if len(ch.Choices) > 0 {
					buf = append(buf, ch.Choices[0].Delta.Content...)
				}
				if ch.Usage != nil {
					usage = int64(ch.Usage.TotalTokens)
				}
			}
			return check(n, usage)
		}, nil
	}
	return nil, fmt.Errorf("unknown SDK %q", sdk)
}

// Responses is a non-streaming Responses API call answered by
// ResponsesReply.
func Responses(sdk string, t Target) (Op, error) {
	want := ResponsesText()
	switch sdk {
	case Reachkit:
		c, err := NewReachkit(t)
		if err != nil {
			return nil, err
		}
		req := openai.ResponseRequest{
			Model:           ResponsesModel,
			Instructions:    SystemPrompt,
			Input:           openai.TextInput(UserPrompt),
			MaxOutputTokens: MaxOutputTokens,
			Temperature:     openai.Ptr(Temperature),
		}
		return func(ctx context.Context) error {
			resp, err := c.Responses.New(ctx, req)
			if err != nil {
				return err
			}
			return checkText(sdk, resp.OutputText(), want)
		}, nil
	case OpenAIGo:
		c := NewOpenAIGo(t)
		params := oairesponses.ResponseNewParams{
			Model:           ResponsesModel,
			Instructions:    oai.String(SystemPrompt),
			Input:           oairesponses.ResponseNewParamsInputUnion{OfString: oai.String(UserPrompt)},
			MaxOutputTokens: oai.Int(MaxOutputTokens),
			Temperature:     oai.Float(Temperature),
		}
		return func(ctx context.Context) error {
			resp, err := c.Responses.New(ctx, params)
			if err != nil {
				return err
			}
			return checkText(sdk, resp.OutputText(), want)
		}, nil
	case GoOpenAI:
		c := NewGoOpenAI(t)
		temp := float32(Temperature)
		req := goopenai.CreateResponseRequest{
			Model:           ResponsesModel,
			Instructions:    SystemPrompt,
			Input:           UserPrompt,
			MaxOutputTokens: MaxOutputTokens,
			Temperature:     &temp,
		}
		return func(ctx context.Context) error {
			resp, err := c.CreateResponse(ctx, req)
			if err != nil {
				return err
			}
			return checkText(sdk, resp.GetOutputText(), want)
		}, nil
	}
	return nil, fmt.Errorf("unknown SDK %q", sdk)
}

// EmbeddingsWorkload returns the workload that asks for the embeddings of
// ec's inputs in ec's format and checks the count, the dimensions and the
// probe value. Each SDK decodes the format itself: reachkit and go-openai
// into []float32, openai-go into []float64 (it decodes base64 too).
func EmbeddingsWorkload(ec *EmbeddingsCase) Workload {
	return func(sdk string, t Target) (Op, error) {
		check := func(n, dims int, last float64) error {
			if n != ec.N || dims != ec.Dims {
				return fmt.Errorf("%s: %d vectors of %d values, want %d of %d", sdk, n, dims, ec.N, ec.Dims)
			}
			if float32(last) != ec.Probe || math.IsNaN(last) {
				return fmt.Errorf("%s: last value %v, want %v", sdk, last, ec.Probe)
			}
			return nil
		}
		switch sdk {
		case Reachkit:
			c, err := NewReachkit(t)
			if err != nil {
				return nil, err
			}
			req := openai.EmbeddingRequest{Model: EmbeddingModel, Input: ec.Inputs, Dimensions: ec.Dims, EncodingFormat: ec.Format}
			return func(ctx context.Context) error {
				resp, err := c.Embeddings.New(ctx, req)
				if err != nil {
					return err
				}
				if len(resp.Data) == 0 {
					return check(0, 0, 0)
				}
				v := resp.Data[len(resp.Data)-1].Embedding
				return check(len(resp.Data), len(v), float64(v[len(v)-1]))
			}, nil
		case OpenAIGo:
			c := NewOpenAIGo(t)
			params := oai.EmbeddingNewParams{
				Model:          EmbeddingModel,
				Input:          oai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: ec.Inputs},
				Dimensions:     oai.Int(int64(ec.Dims)),
				EncodingFormat: oai.EmbeddingNewParamsEncodingFormat(ec.Format),
			}
			return func(ctx context.Context) error {
				resp, err := c.Embeddings.New(ctx, params)
				if err != nil {
					return err
				}
				if len(resp.Data) == 0 {
					return check(0, 0, 0)
				}
				v := resp.Data[len(resp.Data)-1].Embedding
				if len(v) == 0 {
					return check(len(resp.Data), 0, 0)
				}
				return check(len(resp.Data), len(v), v[len(v)-1])
			}, nil
		case GoOpenAI:
			c := NewGoOpenAI(t)
			req := goopenai.EmbeddingRequestStrings{
				Input:          ec.Inputs,
				Model:          goopenai.EmbeddingModel(EmbeddingModel),
				Dimensions:     ec.Dims,
				EncodingFormat: goopenai.EmbeddingEncodingFormat(ec.Format),
			}
			return func(ctx context.Context) error {
				resp, err := c.CreateEmbeddings(ctx, req)
				if err != nil {
					return err
				}
				if len(resp.Data) == 0 {
					return check(0, 0, 0)
				}
				v := resp.Data[len(resp.Data)-1].Embedding
				if len(v) == 0 {
					return check(len(resp.Data), 0, 0)
				}
				return check(len(resp.Data), len(v), float64(v[len(v)-1]))
			}, nil
		}
		return nil, fmt.Errorf("unknown SDK %q", sdk)
	}
}
