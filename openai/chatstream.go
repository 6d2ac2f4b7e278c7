package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/openai/redact"
	"github.com/reachkit/reachkit/tokens"
)

// ChatCompletionChunk is one event of a chat stream.
type ChatCompletionChunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	Choices           []ChunkChoice `json:"choices"`
	Usage             *Usage        `json:"usage,omitempty"` // only on the last chunk, with include_usage
	SystemFingerprint string        `json:"system_fingerprint,omitempty"`
	ServiceTier       string        `json:"service_tier,omitempty"`
}

// ChunkChoice is the part of one choice a chunk carries.
type ChunkChoice struct {
	Index        int             `json:"index"`
	Delta        ChunkDelta      `json:"delta"`
	FinishReason string          `json:"finish_reason"` // "" until the last chunk of the choice
	Logprobs     *ChoiceLogprobs `json:"logprobs,omitempty"`
}

// ChunkDelta is the new text, refusal, tool-call or audio pieces of a choice.
type ChunkDelta struct {
	Role      Role            `json:"role,omitempty"`
	Content   string          `json:"content,omitempty"`
	Refusal   string          `json:"refusal,omitempty"`
	ToolCalls []ChunkToolCall `json:"tool_calls,omitempty"`
	Audio     *ChatAudio      `json:"audio,omitempty"`
}

// ChunkToolCall is a piece of a tool call; pieces with the same Index belong
// to the same call. ID, Type and Name come in the first piece, Arguments in
// many.
type ChunkToolCall struct {
	Index    int          `json:"index"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function FunctionCall `json:"function"`
}

// chunkWire is a chunk as it arrives: an error may come in its place.
type chunkWire struct {
	ChatCompletionChunk
	Error *errorBody `json:"error"`
}

// ChatStream reads a streamed chat completion. It holds one HTTP response:
// read it to the end or call Close. It is not safe for concurrent use.
//
//	stream := client.Chat.Stream(ctx, req)
//	defer stream.Close()
//	for stream.Next() {
//		fmt.Print(stream.Current().Choices[0].Delta.Content)
//	}
//	if err := stream.Err(); err != nil { ... }
//	final := stream.Completion()
type ChatStream struct {
	*eventStream
	wire chunkWire
	acc  chatAccumulator
	sess *redact.Session
}

// Stream starts a streamed chat completion. Errors, including a non-2xx
// reply, are reported by Next and Err. Unless req.StreamOptions says
// otherwise, usage is requested (include_usage) so the final completion
// carries it.
func (s *ChatService) Stream(ctx context.Context, req ChatRequest, opts ...RequestOption) *ChatStream {
	st := &ChatStream{}
	if err := req.validate(); err != nil {
		st.eventStream = failedStream(err)
		return st
	}
	if st.sess = s.c.redactSession(); st.sess != nil {
		req.Messages = redactMessages(st.sess, req.Messages)
	}
	so := req.StreamOptions
	if so == nil {
		so = &StreamOptions{IncludeUsage: true}
	}
	b, err := transport.EncodeJSON(chatStreamBody{ChatRequest: &req, Stream: true, StreamOptions: so}, req.Extra)
	if err != nil {
		st.eventStream = failedStream(fmt.Errorf("openai: encoding chat request: %w", err))
		return st
	}
	cost, prompt := chatCost(&req)
	st.eventStream = s.c.openStream(ctx, &call{method: http.MethodPost, path: "chat/completions", body: b, cost: cost, opts: opts, model: req.Model, promptEstimate: prompt})
	st.complete = st.acc.finished
	st.usage = func() (tokens.Usage, bool) {
		if st.acc.usage == nil {
			return tokens.Usage{}, false
		}
		return st.acc.usage.Tokens(), true
	}
	return st
}

type chatStreamBody struct {
	*ChatRequest
	Stream        bool           `json:"stream"`
	StreamOptions *StreamOptions `json:"stream_options,omitempty"`
}

// failedStream is a stream that ends at once with err.
func failedStream(err error) *eventStream {
	s := &eventStream{err: err, done: true}
	return s
}

// Next advances to the next chunk. It returns false at the end of the stream
// or on an error; Err tells which.
func (st *ChatStream) Next() bool {
	typ, data, ok := st.next()
	if !ok {
		return false
	}
	if typ == "error" {
		var env errorEnvelope
		if json.Unmarshal(data, &env) != nil || env.Error == nil {
			var body errorBody
			_ = json.Unmarshal(data, &body)
			env.Error = &body
		}
		st.fail(st.streamError(env.Error))
		return false
	}
	// Clear the reused chunk: encoding/json leaves fields that are null
	// or absent untouched and reuses slice elements as they are. The
	// previous chunk's strings are kept for decodeChunk to reuse.
	prev := st.wire.ChatCompletionChunk
	choices := st.wire.Choices[:cap(st.wire.Choices)]
	clear(choices)
	st.wire = chunkWire{ChatCompletionChunk: ChatCompletionChunk{Choices: choices[:0]}}
	if decodeChunk(data, &st.wire.ChatCompletionChunk, &prev) {
		st.acc.add(&st.wire.ChatCompletionChunk)
		return true
	}
	choices = st.wire.Choices[:cap(st.wire.Choices)]
	clear(choices)
	st.wire = chunkWire{ChatCompletionChunk: ChatCompletionChunk{Choices: choices[:0]}}
	if err := json.Unmarshal(data, &st.wire); err != nil {
		st.fail(st.decodeError(fmt.Errorf("a chunk: %w", err), data))
		return false
	}
	if st.wire.Error != nil {
		st.fail(st.streamError(st.wire.Error))
		return false
	}
	st.acc.add(&st.wire.ChatCompletionChunk)
	return true
}

// Current returns the chunk read by the last successful Next. It is valid
// until the next call to Next.
func (st *ChatStream) Current() *ChatCompletionChunk { return &st.wire.ChatCompletionChunk }

// All returns an iterator over the chunks, for range-over-func. An error
// ends the iteration as a final (nil, err) pair. Breaking out of the loop
// closes the stream.
func (st *ChatStream) All() iter.Seq2[*ChatCompletionChunk, error] {
	return all(st.eventStream, st.Next, st.Current)
}

// all iterates over a stream: next advances it, cur returns the current item.
func all[T any](s *eventStream, next func() bool, cur func() *T) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		defer s.Close()
		for next() {
			if !yield(cur(), nil) {
				return
			}
		}
		if err := s.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// Completion returns the completion accumulated from the chunks read so
// far: after the end of the stream, the whole completion, equal to what the
// same call without streaming returns. Its Meta is the stream's.
func (st *ChatStream) Completion() *ChatCompletion {
	c := st.acc.result()
	c.Meta = st.meta
	restoreCompletion(st.sess, c)
	return c
}

// Text returns the content of the first choice accumulated so far.
func (st *ChatStream) Text() string {
	if len(st.acc.choices) == 0 {
		return ""
	}
	if st.sess != nil {
		return st.sess.Restore(string(st.acc.choices[0].content))
	}
	return string(st.acc.choices[0].content)
}

// chatAccumulator rebuilds a completion from chunks: top-level fields take
// the first non-empty value; per choice, role is the first sent, content and
// refusal are concatenated, finish_reason is the last sent, logprob lists
// are concatenated; tool calls are merged by their index (id, type and name
// first sent, arguments concatenated); usage is the last non-null.
type chatAccumulator struct {
	id, model, fingerprint, tier string
	created                      int64
	usage                        *Usage
	choices                      []choiceAcc
}

// finished reports whether every choice has a finish reason: a stream cut
// after that, before [DONE], lost nothing of the completion.
func (a *chatAccumulator) finished() bool {
	for i := range a.choices {
		if a.choices[i].finish == "" {
			return false
		}
	}
	return len(a.choices) > 0
}

type choiceAcc struct {
	index            int
	role             Role
	content, refusal []byte
	finish           string
	logprobs         *ChoiceLogprobs
	toolCalls        []toolCallAcc
	audio            *ChatAudio
	audioData        []byte
	audioTranscript  []byte
}

type toolCallAcc struct {
	index         int
	id, typ, name string
	args          []byte
}

func firstNonEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func (a *chatAccumulator) add(c *ChatCompletionChunk) {
	firstNonEmpty(&a.id, c.ID)
	firstNonEmpty(&a.model, c.Model)
	firstNonEmpty(&a.fingerprint, c.SystemFingerprint)
	firstNonEmpty(&a.tier, c.ServiceTier)
	if a.created == 0 {
		a.created = c.Created
	}
	if c.Usage != nil {
		u := *c.Usage
		a.usage = &u
	}
	for i := range c.Choices {
		a.addChoice(&c.Choices[i])
	}
}

func (a *chatAccumulator) choice(index int) *choiceAcc {
	for i := range a.choices {
		if a.choices[i].index == index {
			return &a.choices[i]
		}
	}
	a.choices = append(a.choices, choiceAcc{index: index})
	// Keep choices ordered by index whatever order they first arrive in.
	i := len(a.choices) - 1
	for ; i > 0 && a.choices[i-1].index > a.choices[i].index; i-- {
		a.choices[i-1], a.choices[i] = a.choices[i], a.choices[i-1]
	}
	return &a.choices[i]
}

func (a *chatAccumulator) addChoice(ch *ChunkChoice) {
	c := a.choice(ch.Index)
	d := &ch.Delta
	if c.role == "" {
		c.role = d.Role
	}
	c.content = append(c.content, d.Content...)
	c.refusal = append(c.refusal, d.Refusal...)
	if ch.FinishReason != "" {
		c.finish = ch.FinishReason
	}
	if lp := ch.Logprobs; lp != nil {
		if c.logprobs == nil {
			c.logprobs = &ChoiceLogprobs{}
		}
		c.logprobs.Content = append(c.logprobs.Content, lp.Content...)
		c.logprobs.Refusal = append(c.logprobs.Refusal, lp.Refusal...)
	}
	if au := d.Audio; au != nil {
		if c.audio == nil {
			c.audio = &ChatAudio{}
		}
		firstNonEmpty(&c.audio.ID, au.ID)
		if au.ExpiresAt != 0 {
			c.audio.ExpiresAt = au.ExpiresAt
		}
		c.audioData = append(c.audioData, au.Data...)
		c.audioTranscript = append(c.audioTranscript, au.Transcript...)
	}
	for i := range d.ToolCalls {
		tc := &d.ToolCalls[i]
		var acc *toolCallAcc
		for j := range c.toolCalls {
			if c.toolCalls[j].index == tc.Index {
				acc = &c.toolCalls[j]
				break
			}
		}
		if acc == nil {
			c.toolCalls = append(c.toolCalls, toolCallAcc{index: tc.Index})
			acc = &c.toolCalls[len(c.toolCalls)-1]
		}
		firstNonEmpty(&acc.id, tc.ID)
		firstNonEmpty(&acc.typ, tc.Type)
		firstNonEmpty(&acc.name, tc.Function.Name)
		acc.args = append(acc.args, tc.Function.Arguments...)
	}
}

func (a *chatAccumulator) result() *ChatCompletion {
	out := &ChatCompletion{
		ID: a.id, Object: "chat.completion", Created: a.created, Model: a.model,
		SystemFingerprint: a.fingerprint, ServiceTier: a.tier,
		Choices: make([]ChatChoice, 0, len(a.choices)),
	}
	if a.usage != nil {
		u := *a.usage
		out.Usage = &u
	}
	for i := range a.choices {
		c := &a.choices[i]
		role := c.role
		if role == "" {
			role = RoleAssistant
		}
		msg := ChatCompletionMessage{Role: role, Content: string(c.content), Refusal: string(c.refusal)}
		if len(c.toolCalls) > 0 {
			calls := make([]toolCallAcc, len(c.toolCalls))
			copy(calls, c.toolCalls)
			for j := 1; j < len(calls); j++ { // order by index
				for k := j; k > 0 && calls[k-1].index > calls[k].index; k-- {
					calls[k-1], calls[k] = calls[k], calls[k-1]
				}
			}
			msg.ToolCalls = make([]ToolCall, len(calls))
			for j := range calls {
				t := &calls[j]
				typ := t.typ
				if typ == "" {
					typ = "function"
				}
				msg.ToolCalls[j] = ToolCall{ID: t.id, Type: typ, Function: FunctionCall{Name: t.name, Arguments: string(t.args)}}
			}
		}
		if c.audio != nil {
			au := *c.audio
			au.Data = string(c.audioData)
			au.Transcript = string(c.audioTranscript)
			msg.Audio = &au
		}
		choice := ChatChoice{Index: c.index, Message: msg, FinishReason: c.finish}
		if c.logprobs != nil {
			lp := ChoiceLogprobs{
				Content: append([]TokenLogprob(nil), c.logprobs.Content...),
				Refusal: append([]TokenLogprob(nil), c.logprobs.Refusal...),
			}
			choice.Logprobs = &lp
		}
		out.Choices = append(out.Choices, choice)
	}
	return out
}
