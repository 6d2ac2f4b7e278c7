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

// The Responses stream event types this package gives meaning to. Any other
// type is passed through with its raw JSON.
const (
	EventResponseCreated            = "response.created"
	EventResponseInProgress         = "response.in_progress"
	EventResponseCompleted          = "response.completed"
	EventResponseFailed             = "response.failed"
	EventResponseIncomplete         = "response.incomplete"
	EventOutputItemAdded            = "response.output_item.added"
	EventOutputItemDone             = "response.output_item.done"
	EventContentPartAdded           = "response.content_part.added"
	EventContentPartDone            = "response.content_part.done"
	EventOutputTextDelta            = "response.output_text.delta"
	EventOutputTextDone             = "response.output_text.done"
	EventRefusalDelta               = "response.refusal.delta"
	EventRefusalDone                = "response.refusal.done"
	EventFunctionCallArgumentsDelta = "response.function_call_arguments.delta"
	EventFunctionCallArgumentsDone  = "response.function_call_arguments.done"
	EventReasoningSummaryTextDelta  = "response.reasoning_summary_text.delta"
	EventReasoningSummaryTextDone   = "response.reasoning_summary_text.done"
	EventError                      = "error"
)

// ResponseEvent is one event of a Responses stream. Type says which fields
// are set; Raw always holds the event's JSON, so event types this package
// does not know are not lost.
type ResponseEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`

	// Response is set on response.created, .in_progress, .completed,
	// .failed and .incomplete.
	Response *Response `json:"response,omitempty"`

	OutputIndex  int    `json:"output_index"`
	ItemID       string `json:"item_id,omitempty"`
	ContentIndex int    `json:"content_index"`
	SummaryIndex int    `json:"summary_index"`

	// Item is set on output_item.added and .done.
	Item *OutputItem `json:"item,omitempty"`
	// Part is set on content_part.added and .done.
	Part *OutputContent `json:"part,omitempty"`

	Delta     string `json:"delta,omitempty"`     // the new text or arguments of a *.delta event
	Text      string `json:"text,omitempty"`      // the whole text of output_text.done and summary done
	Refusal   string `json:"refusal,omitempty"`   // the whole refusal of refusal.done
	Arguments string `json:"arguments,omitempty"` // the whole arguments of function_call_arguments.done

	// Code, Message and Param are set on an error event.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Param   string `json:"param,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// responseEventWire accepts both shapes of the error event: flat, and with
// a nested "error" object.
type responseEventWire struct {
	ResponseEvent
	Code    looseString `json:"code"`
	Message looseString `json:"message"`
	Param   looseString `json:"param"`
	Error   *errorBody  `json:"error"`
	Delta   looseString `json:"delta"`
}

// ResponseStream reads a streamed response. It holds one HTTP response: read
// it to the end or call Close. It is not safe for concurrent use.
type ResponseStream struct {
	*eventStream
	cur       ResponseEvent
	final     *Response
	text      []byte
	args      map[string][]byte
	items     []OutputItem // output items by output index, as last seen
	summaries []summaryAcc
	reported  error
	ended     bool // a response.completed, .incomplete or .failed or an error event arrived
	sess      *redact.Session
}

type summaryAcc struct {
	itemID string
	index  int
	text   []byte
}

// Stream starts a streamed response. Errors, including a non-2xx reply, are
// reported by Next and Err.
//
// An error event is delivered as an event (Type "error"), as is the
// response.failed event that follows it; when the stream ends, Err returns
// the first of them as an *APIError. A response.failed event alone also
// makes Err return an *APIError built from the response's error.
func (s *ResponsesService) Stream(ctx context.Context, req ResponseRequest, opts ...RequestOption) *ResponseStream {
	st := &ResponseStream{}
	if err := req.validate(); err != nil {
		st.eventStream = failedStream(err)
		return st
	}
	if st.sess = s.c.redactSession(); st.sess != nil {
		redactResponseRequest(st.sess, &req)
	}
	b, err := transport.EncodeJSON(responseStreamBody{ResponseRequest: &req, Stream: true}, req.Extra)
	if err != nil {
		st.eventStream = failedStream(fmt.Errorf("openai: encoding response request: %w", err))
		return st
	}
	cost, prompt := responseCost(&req)
	st.eventStream = s.c.openStream(ctx, &call{method: http.MethodPost, path: "responses", body: b, cost: cost, opts: opts, model: req.Model, promptEstimate: prompt})
	st.usage = func() (tokens.Usage, bool) { return st.final.tokenUsage() }
	st.complete = func() bool { return st.ended }
	return st
}

type responseStreamBody struct {
	*ResponseRequest
	Stream bool `json:"stream"`
}

// Next advances to the next event. It returns false at the end of the
// stream or on an error; Err tells which.
func (st *ResponseStream) Next() bool {
	typ, data, ok := st.next()
	if !ok {
		if st.reported != nil && st.err == nil {
			st.err = st.reported
		}
		return false
	}
	var w responseEventWire
	if err := json.Unmarshal(data, &w); err != nil {
		st.fail(st.decodeError(fmt.Errorf("an event: %w", err), data))
		return false
	}
	ev := w.ResponseEvent
	if ev.Type == "" {
		ev.Type = typ
	}
	ev.Code, ev.Message, ev.Param, ev.Delta = string(w.Code), string(w.Message), string(w.Param), string(w.Delta)
	if w.Error != nil {
		if ev.Code == "" {
			ev.Code = string(w.Error.Code)
			if ev.Code == "" {
				ev.Code = string(w.Error.Type)
			}
		}
		if ev.Message == "" {
			ev.Message = string(w.Error.Message)
		}
		if ev.Param == "" {
			ev.Param = string(w.Error.Param)
		}
	}
	ev.Raw = append(json.RawMessage(nil), data...)
	st.cur = ev
	st.accumulate(&st.cur, w.Error)
	return true
}

func (st *ResponseStream) accumulate(ev *ResponseEvent, nested *errorBody) {
	switch ev.Type {
	case EventOutputTextDelta:
		st.text = append(st.text, ev.Delta...)
	case EventFunctionCallArgumentsDelta:
		if st.args == nil {
			st.args = make(map[string][]byte)
		}
		st.args[ev.ItemID] = append(st.args[ev.ItemID], ev.Delta...)
	case EventReasoningSummaryTextDelta:
		var acc *summaryAcc
		for i := range st.summaries {
			if st.summaries[i].itemID == ev.ItemID && st.summaries[i].index == ev.SummaryIndex {
				acc = &st.summaries[i]
			}
		}
		if acc == nil {
			st.summaries = append(st.summaries, summaryAcc{itemID: ev.ItemID, index: ev.SummaryIndex})
			acc = &st.summaries[len(st.summaries)-1]
		}
		acc.text = append(acc.text, ev.Delta...)
	case EventOutputItemAdded, EventOutputItemDone:
		if ev.Item != nil && ev.OutputIndex >= 0 && ev.OutputIndex < 1<<16 {
			for len(st.items) <= ev.OutputIndex {
				st.items = append(st.items, OutputItem{})
			}
			st.items[ev.OutputIndex] = *ev.Item
		}
	case EventResponseCreated, EventResponseInProgress, EventResponseCompleted, EventResponseIncomplete:
		if ev.Response != nil {
			st.final = ev.Response
		}
		st.ended = st.ended || ev.Type == EventResponseCompleted || ev.Type == EventResponseIncomplete
	case EventResponseFailed:
		st.ended = true
		if ev.Response != nil {
			st.final = ev.Response
		}
		if st.reported == nil {
			e := st.streamError(nil)
			e.Message = "the response failed"
			if ev.Response != nil && ev.Response.Error != nil {
				e.Code, e.Message = ev.Response.Error.Code, st.scrubber().String(ev.Response.Error.Message)
			}
			st.reported = e
		}
	case EventError:
		st.ended = true
		body := nested
		if body == nil {
			body = &errorBody{Message: looseString(ev.Message), Code: looseString(ev.Code), Param: looseString(ev.Param)}
		}
		if st.reported == nil {
			e := st.streamError(body)
			if e.Code == "" {
				e.Code = ev.Code
			}
			st.reported = e
		}
	}
}

// Current returns the event read by the last successful Next. It is valid
// until the next call to Next.
func (st *ResponseStream) Current() *ResponseEvent { return &st.cur }

// All returns an iterator over the events, for range-over-func. An error
// ends the iteration as a final (nil, err) pair. Breaking out of the loop
// closes the stream.
func (st *ResponseStream) All() iter.Seq2[*ResponseEvent, error] {
	return all(st.eventStream, st.Next, st.Current)
}

// Response returns the last response object the stream carried: after
// response.completed, the whole response. It is nil before the first
// response event.
func (st *ResponseStream) Response() *Response {
	if st.final == nil {
		return nil
	}
	r := *st.final
	r.Meta = st.meta
	if st.sess != nil {
		r.Output = append([]OutputItem(nil), r.Output...)
		for i := range r.Output {
			r.Output[i].Content = append([]OutputContent(nil), r.Output[i].Content...)
		}
		restoreResponse(st.sess, &r)
	}
	return &r
}

// OutputText returns the output_text deltas received so far, concatenated.
func (st *ResponseStream) OutputText() string {
	if st.sess != nil {
		return st.sess.Restore(string(st.text))
	}
	return string(st.text)
}

// FunctionArguments returns the arguments received so far for the function
// call item with the given id.
func (st *ResponseStream) FunctionArguments(itemID string) string { return string(st.args[itemID]) }

// FunctionCalls returns the function calls of the stream so far, in output
// order, with the arguments received so far.
func (st *ResponseStream) FunctionCalls() []OutputItem {
	var out []OutputItem
	for _, it := range st.items {
		if it.Type != "function_call" {
			continue
		}
		if args, ok := st.args[it.ID]; ok && len(args) >= len(it.Arguments) {
			it.Arguments = string(args)
		}
		out = append(out, it)
	}
	return out
}

// ReasoningSummary returns the reasoning summary parts received so far.
func (st *ResponseStream) ReasoningSummary() []string {
	out := make([]string, 0, len(st.summaries))
	for _, s := range st.summaries {
		out = append(out, string(s.text))
	}
	return out
}
