package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/reachkit/reachkit/internal/transport"
)

// ResponsesService calls the Responses API.
type ResponsesService service

// ResponseRequest creates a model response.
type ResponseRequest struct {
	Model string `json:"model"`
	// Input is a plain text prompt or a list of input items.
	Input        ResponseInput `json:"input,omitzero"`
	Instructions string        `json:"instructions,omitempty"`

	Tools             []ResponseTool      `json:"tools,omitempty"`
	ToolChoice        *ResponseToolChoice `json:"tool_choice,omitempty"`
	ParallelToolCalls *bool               `json:"parallel_tool_calls,omitempty"`
	MaxToolCalls      int                 `json:"max_tool_calls,omitempty"`

	Text      *ResponseTextConfig `json:"text,omitempty"`
	Reasoning *ReasoningConfig    `json:"reasoning,omitempty"`

	PreviousResponseID string            `json:"previous_response_id,omitempty"`
	Store              *bool             `json:"store,omitempty"`
	Background         *bool             `json:"background,omitempty"`
	MaxOutputTokens    int               `json:"max_output_tokens,omitempty"`
	Metadata           map[string]string `json:"metadata,omitempty"`
	Include            []string          `json:"include,omitempty"`
	Temperature        *float64          `json:"temperature,omitempty"`
	TopP               *float64          `json:"top_p,omitempty"`
	TopLogprobs        *int              `json:"top_logprobs,omitempty"`
	Truncation         string            `json:"truncation,omitempty"` // "auto" or "disabled"
	User               string            `json:"user,omitempty"`
	SafetyIdentifier   string            `json:"safety_identifier,omitempty"`
	PromptCacheKey     string            `json:"prompt_cache_key,omitempty"`
	ServiceTier        string            `json:"service_tier,omitempty"`

	// Extra is merged into the JSON body, overriding typed fields.
	Extra map[string]any `json:"-"`
}

// ResponseInput is a request's input: Text, or Items when non-nil.
type ResponseInput struct {
	Text  string
	Items []InputItem
}

// IsZero reports an empty input, which is omitted.
func (in ResponseInput) IsZero() bool { return in.Text == "" && in.Items == nil }

// MarshalJSON encodes Text as a string and Items as an array.
func (in ResponseInput) MarshalJSON() ([]byte, error) {
	if in.Items != nil {
		return transport.EncodeJSON(in.Items, nil)
	}
	return marshalString(in.Text), nil
}

// TextInput returns an input made of one user text.
func TextInput(text string) ResponseInput { return ResponseInput{Text: text} }

// ItemsInput returns an input made of items.
func ItemsInput(items ...InputItem) ResponseInput { return ResponseInput{Items: items} }

// InputItem is one input item: a message (Role and Content), a function
// call output (Type "function_call_output", CallID, Output), a function call
// replayed from an earlier response (Type "function_call"), or a reference
// to an item by ID (Type "item_reference").
type InputItem struct {
	Type      string       `json:"type,omitempty"` // "message" (default when Role is set), "function_call_output", ...
	ID        string       `json:"id,omitempty"`
	Role      Role         `json:"role,omitempty"`
	Content   InputContent `json:"content,omitzero"`
	CallID    string       `json:"call_id,omitempty"`
	Name      string       `json:"name,omitempty"`
	Arguments string       `json:"arguments,omitempty"`
	Output    string       `json:"output,omitempty"`
}

// InputContent is a message's content: Text, or Parts when non-nil.
type InputContent struct {
	Text  string
	Parts []InputPart
}

// IsZero reports empty content, which is omitted.
func (c InputContent) IsZero() bool { return c.Text == "" && c.Parts == nil }

// MarshalJSON encodes Text as a string and Parts as an array.
func (c InputContent) MarshalJSON() ([]byte, error) {
	if c.Parts != nil {
		return transport.EncodeJSON(c.Parts, nil)
	}
	return marshalString(c.Text), nil
}

// InputPart is a part of an input message: "input_text" (Text),
// "input_image" (ImageURL or FileID, Detail) or "input_file" (FileID,
// FileData with Filename, or FileURL).
type InputPart struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	Detail   string `json:"detail,omitempty"`
	FileID   string `json:"file_id,omitempty"`
	FileData string `json:"file_data,omitempty"`
	FileURL  string `json:"file_url,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// InputMessage returns a message item with text content.
func InputMessage(role Role, text string) InputItem {
	return InputItem{Type: "message", Role: role, Content: InputContent{Text: text}}
}

// InputMessageParts returns a message item made of parts.
func InputMessageParts(role Role, parts ...InputPart) InputItem {
	return InputItem{Type: "message", Role: role, Content: InputContent{Parts: parts}}
}

// InputText returns an input_text part.
func InputText(text string) InputPart { return InputPart{Type: "input_text", Text: text} }

// InputImage returns an input_image part from a URL or data URL; detail is
// "low", "high" or "auto".
func InputImage(url, detail string) InputPart {
	if detail == "" {
		detail = "auto"
	}
	return InputPart{Type: "input_image", ImageURL: url, Detail: detail}
}

// InputFile returns an input_file part for an uploaded file id.
func InputFile(fileID string) InputPart { return InputPart{Type: "input_file", FileID: fileID} }

// FunctionCallOutput returns the item that answers a function call.
func FunctionCallOutput(callID, output string) InputItem {
	return InputItem{Type: "function_call_output", CallID: callID, Output: output}
}

// ResponseTool is a tool the model may use. Function tools are typed;
// built-in tools (web_search, file_search, ...) set Type and put their
// settings in Extra.
type ResponseTool struct {
	Type        string `json:"type"` // "function", "web_search", "file_search", ...
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Parameters is the JSON schema of a function's arguments.
	Parameters any   `json:"parameters,omitempty"`
	Strict     *bool `json:"strict,omitempty"`
	// Extra carries the settings of built-in tools.
	Extra map[string]any `json:"-"`
}

// MarshalJSON merges Extra into the tool object.
func (t ResponseTool) MarshalJSON() ([]byte, error) {
	type plain ResponseTool
	return transport.EncodeJSON(plain(t), t.Extra)
}

// ResponseFunctionTool returns a function tool for the Responses API.
func ResponseFunctionTool(name, description string, params any, strict bool) ResponseTool {
	return ResponseTool{Type: "function", Name: name, Description: description, Parameters: params, Strict: &strict}
}

// ResponseToolChoice is "auto", "none", "required", or a named function.
type ResponseToolChoice struct {
	Mode     string
	Function string
}

// MarshalJSON encodes a mode as a string and a function as an object.
func (t ResponseToolChoice) MarshalJSON() ([]byte, error) {
	if t.Function != "" {
		return json.Marshal(struct {
			Type string `json:"type"`
			Name string `json:"name"`
		}{"function", t.Function})
	}
	if t.Mode == "" {
		return []byte(`"auto"`), nil
	}
	return json.Marshal(t.Mode)
}

// ResponseTextConfig sets the output format and verbosity.
type ResponseTextConfig struct {
	Format    *TextFormat `json:"format,omitempty"`
	Verbosity string      `json:"verbosity,omitempty"`
}

// TextFormat is "text", "json_object", or "json_schema" with Name and Schema.
type TextFormat struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Schema      any    `json:"schema,omitempty"`
	Strict      *bool  `json:"strict,omitempty"`
}

// ReasoningConfig sets the effort and summary of reasoning models.
type ReasoningConfig struct {
	Effort  string `json:"effort,omitempty"`  // "minimal", "low", "medium", "high"
	Summary string `json:"summary,omitempty"` // "auto", "concise", "detailed"
}

// Response is a model response.
type Response struct {
	ID                 string             `json:"id"`
	Object             string             `json:"object"`
	CreatedAt          float64            `json:"created_at"`
	Status             string             `json:"status"` // "completed", "failed", "in_progress", "cancelled", "queued", "incomplete"
	Model              string             `json:"model"`
	Output             []OutputItem       `json:"output"`
	Usage              *ResponseUsage     `json:"usage,omitempty"`
	Error              *ResponseError     `json:"error,omitempty"`
	IncompleteDetails  *IncompleteDetails `json:"incomplete_details,omitempty"`
	PreviousResponseID string             `json:"previous_response_id,omitempty"`
	Metadata           map[string]string  `json:"metadata,omitempty"`
	ServiceTier        string             `json:"service_tier,omitempty"`
	// Instructions, Tools, ToolChoice, Text and Reasoning echo the request;
	// they are kept raw because the API returns several shapes.
	Instructions json.RawMessage   `json:"instructions,omitempty"`
	Tools        []json.RawMessage `json:"tools,omitempty"`
	ToolChoice   json.RawMessage   `json:"tool_choice,omitempty"`
	Text         json.RawMessage   `json:"text,omitempty"`
	Reasoning    json.RawMessage   `json:"reasoning,omitempty"`

	Meta Meta `json:"-"`
}

// ResponseError says why a response failed.
type ResponseError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// IncompleteDetails says why a response is incomplete.
type IncompleteDetails struct {
	Reason string `json:"reason"` // "max_output_tokens" or "content_filter"
}

// ResponseUsage counts the tokens of a response.
type ResponseUsage struct {
	InputTokens        int `json:"input_tokens"`
	OutputTokens       int `json:"output_tokens"`
	TotalTokens        int `json:"total_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

// OutputItem is one item of a response's output. Type says which fields are
// set: "message" (Role, Content), "function_call" (CallID, Name, Arguments),
// "reasoning" (Summary, EncryptedContent); other types (web_search_call,
// file_search_call, ...) keep their whole JSON in Raw.
type OutputItem struct {
	Type             string          `json:"type"`
	ID               string          `json:"id,omitempty"`
	Status           string          `json:"status,omitempty"`
	Role             Role            `json:"role,omitempty"`
	Content          []OutputContent `json:"content,omitempty"`
	CallID           string          `json:"call_id,omitempty"`
	Name             string          `json:"name,omitempty"`
	Arguments        string          `json:"arguments,omitempty"`
	Summary          []SummaryPart   `json:"summary,omitempty"`
	EncryptedContent string          `json:"encrypted_content,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the typed fields leniently and keeps the raw item.
func (o *OutputItem) UnmarshalJSON(b []byte) error {
	type plain OutputItem
	var v struct {
		plain
		Content   json.RawMessage `json:"content"`
		Arguments json.RawMessage `json:"arguments"`
		Summary   json.RawMessage `json:"summary"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = OutputItem(v.plain)
	o.Raw = append(json.RawMessage(nil), b...)
	// Items of other types reuse these names with other shapes: keep what
	// fits the typed field and leave the rest to Raw.
	if len(v.Content) > 0 && v.Content[0] == '[' {
		_ = json.Unmarshal(v.Content, &o.Content)
	}
	if len(v.Arguments) > 0 && v.Arguments[0] == '"' {
		_ = json.Unmarshal(v.Arguments, &o.Arguments)
	}
	if len(v.Summary) > 0 && v.Summary[0] == '[' {
		_ = json.Unmarshal(v.Summary, &o.Summary)
	}
	return nil
}

// OutputContent is a part of an output message: "output_text" (Text,
// Annotations) or "refusal" (Refusal).
type OutputContent struct {
	Type        string            `json:"type"`
	Text        string            `json:"text,omitempty"`
	Refusal     string            `json:"refusal,omitempty"`
	Annotations []json.RawMessage `json:"annotations,omitempty"`
}

// SummaryPart is a part of a reasoning summary.
type SummaryPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// OutputText returns the text of every output_text part, concatenated.
func (r *Response) OutputText() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	for _, it := range r.Output {
		if it.Type != "message" {
			continue
		}
		for _, c := range it.Content {
			if c.Type == "output_text" {
				b.WriteString(c.Text)
			}
		}
	}
	return b.String()
}

// Refusal returns the text of every refusal part, concatenated.
func (r *Response) Refusal() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	for _, it := range r.Output {
		for _, c := range it.Content {
			if c.Type == "refusal" {
				b.WriteString(c.Refusal)
			}
		}
	}
	return b.String()
}

// FunctionCalls returns the function_call items of the output.
func (r *Response) FunctionCalls() []OutputItem {
	if r == nil {
		return nil
	}
	var calls []OutputItem
	for _, it := range r.Output {
		if it.Type == "function_call" {
			calls = append(calls, it)
		}
	}
	return calls
}

func (r *ResponseRequest) validate() error {
	if strings.TrimSpace(r.Model) == "" {
		if _, ok := r.Extra["prompt"]; !ok {
			return fmt.Errorf("openai: %w: ResponseRequest.Model is empty", ErrInvalidRequest)
		}
	}
	return nil
}

// New creates a response.
func (s *ResponsesService) New(ctx context.Context, req ResponseRequest, opts ...RequestOption) (*Response, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	sess := s.c.redactSession()
	if sess != nil {
		redactResponseRequest(sess, &req)
	}
	out, err := withFallback(ctx, s.c, req.Model, func(model, reason string) (*Response, error) {
		r := req
		r.Model = model
		b, err := transport.EncodeJSON(&r, r.Extra)
		if err != nil {
			return nil, fmt.Errorf("openai: encoding response request: %w", err)
		}
		cost, prompt := responseCost(&r)
		deterministic := r.Temperature != nil && *r.Temperature == 0
		cl := &call{method: http.MethodPost, path: "responses", body: b, cost: cost, opts: opts,
			model: model, promptEstimate: prompt, deterministic: deterministic, fallbackReason: reason}
		out := new(Response)
		out.Meta, err = s.c.doJSON(ctx, cl, out)
		if err != nil {
			return nil, err
		}
		return out, nil
	})
	restoreResponse(sess, out)
	return out, err
}

func checkID(kind, id string) error {
	if strings.TrimSpace(id) == "" {
		return fmt.Errorf("openai: %w: %s id is empty", ErrInvalidRequest, kind)
	}
	return nil
}

// Get retrieves a stored response.
func (s *ResponsesService) Get(ctx context.Context, id string, opts ...RequestOption) (*Response, error) {
	if err := checkID("response", id); err != nil {
		return nil, err
	}
	out := new(Response)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: "responses/" + url.PathEscape(id), opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// Delete deletes a stored response.
func (s *ResponsesService) Delete(ctx context.Context, id string, opts ...RequestOption) (*ResponseDeleted, error) {
	if err := checkID("response", id); err != nil {
		return nil, err
	}
	out := new(ResponseDeleted)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodDelete, path: "responses/" + url.PathEscape(id), opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// ResponseDeleted confirms a deletion.
type ResponseDeleted struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`

	Meta Meta `json:"-"`
}

// Cancel cancels a background response.
func (s *ResponsesService) Cancel(ctx context.Context, id string, opts ...RequestOption) (*Response, error) {
	if err := checkID("response", id); err != nil {
		return nil, err
	}
	out := new(Response)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodPost, path: "responses/" + url.PathEscape(id) + "/cancel", opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// InputItemsParams pages through a response's input items.
type InputItemsParams struct {
	After   string   // the item id to start after
	Limit   int      // 1 to 100; the API defaults to 20
	Order   string   // "asc" or "desc"
	Include []string // extra data to include
}

// InputItemList is one page of input items.
type InputItemList struct {
	Object  string       `json:"object"`
	Data    []OutputItem `json:"data"`
	FirstID string       `json:"first_id"`
	LastID  string       `json:"last_id"`
	HasMore bool         `json:"has_more"`

	Meta Meta `json:"-"`
}

// InputItems returns one page of the input items of a response; pass the
// page's LastID as After to get the next while HasMore is true.
func (s *ResponsesService) InputItems(ctx context.Context, id string, p InputItemsParams, opts ...RequestOption) (*InputItemList, error) {
	if err := checkID("response", id); err != nil {
		return nil, err
	}
	q := url.Values{}
	if p.After != "" {
		q.Set("after", p.After)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Order != "" {
		q.Set("order", p.Order)
	}
	for _, inc := range p.Include {
		q.Add("include[]", inc)
	}
	path := "responses/" + url.PathEscape(id) + "/input_items"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	out := new(InputItemList)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: path, opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// AllInputItems iterates over every input item of a response, fetching
// pages lazily.
func (s *ResponsesService) AllInputItems(ctx context.Context, id string, p InputItemsParams, opts ...RequestOption) iter.Seq2[OutputItem, error] {
	return func(yield func(OutputItem, error) bool) {
		for {
			page, err := s.InputItems(ctx, id, p, opts...)
			if err != nil {
				yield(OutputItem{}, err)
				return
			}
			for _, it := range page.Data {
				if !yield(it, nil) {
					return
				}
			}
			if !page.HasMore || page.LastID == "" || page.LastID == p.After {
				return
			}
			p.After = page.LastID
		}
	}
}
