package openaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/reachkit/reachkit/openai"
)

// responsesRequest is the subset of a Responses request the fake reads.
type responsesRequest struct {
	Model           string          `json:"model"`
	Input           json.RawMessage `json:"input"`
	Instructions    string          `json:"instructions"`
	MaxOutputTokens int             `json:"max_output_tokens"`
	Tools           []struct {
		Type       string          `json:"type"`
		Name       string          `json:"name"`
		Parameters json.RawMessage `json:"parameters"`
	} `json:"tools"`
	ToolChoice json.RawMessage `json:"tool_choice"`
	Text       *struct {
		Format *struct {
			Type   string          `json:"type"`
			Schema json.RawMessage `json:"schema"`
		} `json:"format"`
	} `json:"text"`
	Store  *bool `json:"store"`
	Stream bool  `json:"stream"`
}

type storedResponse struct {
	resp  openai.Response
	input []openai.OutputItem
}

// inputText returns the text of the input and its last message's text, and
// whether the input ends with a function call output.
func (r *responsesRequest) inputText() (all, last string, endsWithToolOutput bool, items []openai.OutputItem) {
	var s string
	if json.Unmarshal(r.Input, &s) == nil {
		items = append(items, openai.OutputItem{Type: "message", Role: openai.RoleUser, ID: "msg_in_0",
			Content: []openai.OutputContent{{Type: "input_text", Text: s}}})
		return s, s, false, items
	}
	var list []struct {
		Type    string          `json:"type"`
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
		Output  string          `json:"output"`
		CallID  string          `json:"call_id"`
	}
	_ = json.Unmarshal(r.Input, &list)
	var b strings.Builder
	for i, it := range list {
		text := it.Output
		var str string
		if json.Unmarshal(it.Content, &str) == nil {
			text = str
		} else {
			var parts []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			_ = json.Unmarshal(it.Content, &parts)
			for _, p := range parts {
				text += p.Text
			}
		}
		b.WriteString(text)
		if it.Role == "user" {
			last = text
		}
		endsWithToolOutput = it.Type == "function_call_output"
		typ := it.Type
		if typ == "" {
			typ = "message"
		}
		items = append(items, openai.OutputItem{Type: typ, Role: openai.Role(it.Role), ID: fmt.Sprintf("item_in_%d", i), CallID: it.CallID,
			Content: []openai.OutputContent{{Type: "input_text", Text: text}}})
	}
	return b.String(), last, endsWithToolOutput, items
}

func (s *Server) createResponse(w http.ResponseWriter, r *http.Request) {
	var req responsesRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	if req.Model == "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Missing required parameter: 'model'.")
		return
	}
	all, last, toolDone, items := req.inputText()
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("resp_%s%04d", hashID(req.Model, all)[:12], s.seq)
	s.mu.Unlock()
	resp := openai.Response{ID: id, Object: "response", CreatedAt: 1700000000, Status: "completed", Model: req.Model}
	seed := all
	var out openai.OutputItem
	switch {
	case len(req.Tools) > 0 && !toolDone && !strings.Contains(string(req.ToolChoice), `"none"`):
		t := req.Tools[0]
		params := t.Parameters
		if len(params) == 0 || string(params) == "null" {
			params = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		args, err := exampleFor(params, seed)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "tools[0].parameters: "+err.Error())
			return
		}
		out = openai.OutputItem{Type: "function_call", ID: "fc_" + id[5:], Status: "completed", CallID: "call_" + hashID(seed)[:12], Name: t.Name, Arguments: string(args)}
	default:
		text := "Reply from openaitest to: " + last
		if f := req.Text; f != nil && f.Format != nil && f.Format.Type == "json_schema" {
			b, err := exampleFor(f.Format.Schema, seed)
			if err != nil {
				writeError(w, http.StatusBadRequest, "invalid_request_error", "", "text.format.schema: "+err.Error())
				return
			}
			text = string(b)
		}
		if req.MaxOutputTokens > 0 && approxTokens(text) > req.MaxOutputTokens {
			text = truncateTokens(text, req.MaxOutputTokens)
			resp.Status = "incomplete"
			resp.IncompleteDetails = &openai.IncompleteDetails{Reason: "max_output_tokens"}
		}
		out = openai.OutputItem{Type: "message", ID: "msg_" + id[5:], Status: "completed", Role: openai.RoleAssistant,
			Content: []openai.OutputContent{{Type: "output_text", Text: text}}}
	}
	resp.Output = []openai.OutputItem{out}
	in := approxTokens(all+req.Instructions) + 3
	outTok := approxTokens(out.Arguments + outputText(out))
	resp.Usage = &openai.ResponseUsage{InputTokens: in, OutputTokens: outTok, TotalTokens: in + outTok}
	if req.Store == nil || *req.Store {
		s.mu.Lock()
		s.responses[id] = &storedResponse{resp: resp, input: items}
		s.mu.Unlock()
	}
	if req.Stream {
		writeResponseStream(w, resp)
		return
	}
	writeJSON(w, http.StatusOK, responseJSON(resp))
}

func outputText(it openai.OutputItem) string {
	var b strings.Builder
	for _, c := range it.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}

// responseJSON fills the fields the real API always sends.
func responseJSON(r openai.Response) map[string]any {
	b, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	out := make([]any, 0, len(r.Output))
	for _, it := range r.Output {
		out = append(out, itemJSON(it))
	}
	m["output"] = out
	for k, v := range map[string]any{"error": nil, "incomplete_details": nil, "instructions": nil, "metadata": map[string]any{},
		"parallel_tool_calls": true, "tool_choice": "auto", "tools": []any{}, "temperature": 1.0, "top_p": 1.0} {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}

// itemJSON is an output item as the API sends it.
func itemJSON(it openai.OutputItem) map[string]any {
	m := map[string]any{"type": it.Type, "id": it.ID, "status": it.Status}
	switch it.Type {
	case "function_call":
		m["call_id"], m["name"], m["arguments"] = it.CallID, it.Name, it.Arguments
	default:
		m["role"] = it.Role
		content := make([]any, 0, len(it.Content))
		for _, c := range it.Content {
			part := map[string]any{"type": c.Type, "text": c.Text}
			if c.Type == "output_text" {
				part["annotations"] = []any{}
			}
			content = append(content, part)
		}
		m["content"] = content
	}
	return m
}

// writeResponseStream sends r as the Responses event sequence.
func writeResponseStream(w http.ResponseWriter, r openai.Response) {
	sw := newSSEWriter(w)
	seq := 0
	send := func(typ string, fields map[string]any) {
		fields["type"] = typ
		fields["sequence_number"] = seq
		seq++
		sw.event(typ, fields)
	}
	pending := r
	pending.Status, pending.Output, pending.Usage, pending.IncompleteDetails = "in_progress", []openai.OutputItem{}, nil, nil
	pendingJSON := responseJSON(pending)
	send("response.created", map[string]any{"response": pendingJSON})
	send("response.in_progress", map[string]any{"response": pendingJSON})
	for i, it := range r.Output {
		added := it
		added.Status = "in_progress"
		switch it.Type {
		case "function_call":
			added.Arguments = ""
			send("response.output_item.added", map[string]any{"output_index": i, "item": itemJSON(added)})
			args := it.Arguments
			for len(args) > 0 {
				n := min(len(args), 7)
				send("response.function_call_arguments.delta", map[string]any{"output_index": i, "item_id": it.ID, "delta": args[:n]})
				args = args[n:]
			}
			send("response.function_call_arguments.done", map[string]any{"output_index": i, "item_id": it.ID, "arguments": it.Arguments})
		default:
			added.Content = nil
			send("response.output_item.added", map[string]any{"output_index": i, "item": itemJSON(added)})
			text := outputText(it)
			part := map[string]any{"type": "output_text", "text": "", "annotations": []any{}}
			send("response.content_part.added", map[string]any{"output_index": i, "item_id": it.ID, "content_index": 0, "part": part})
			for _, p := range pieces(text) {
				send("response.output_text.delta", map[string]any{"output_index": i, "item_id": it.ID, "content_index": 0, "delta": p})
			}
			send("response.output_text.done", map[string]any{"output_index": i, "item_id": it.ID, "content_index": 0, "text": text})
			donePart := map[string]any{"type": "output_text", "text": text, "annotations": []any{}}
			send("response.content_part.done", map[string]any{"output_index": i, "item_id": it.ID, "content_index": 0, "part": donePart})
		}
		send("response.output_item.done", map[string]any{"output_index": i, "item": itemJSON(it)})
	}
	if r.Status == "incomplete" {
		send("response.incomplete", map[string]any{"response": responseJSON(r)})
		return
	}
	send("response.completed", map[string]any{"response": responseJSON(r)})
}

func (s *Server) stored(w http.ResponseWriter, r *http.Request) (*storedResponse, bool) {
	id := r.PathValue("id")
	s.mu.Lock()
	st, ok := s.responses[id]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "invalid_request_error", "", "Response with id '"+id+"' not found.")
	}
	return st, ok
}

func (s *Server) getResponse(w http.ResponseWriter, r *http.Request) {
	if st, ok := s.stored(w, r); ok {
		writeJSON(w, http.StatusOK, responseJSON(st.resp))
	}
}

func (s *Server) deleteResponse(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.stored(w, r); ok {
		s.mu.Lock()
		delete(s.responses, r.PathValue("id"))
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "object": "response.deleted", "deleted": true})
	}
}

func (s *Server) cancelResponse(w http.ResponseWriter, r *http.Request) {
	// Every stored response is finished (the fake has no background mode),
	// so a cancel is always refused, as the API refuses it for them.
	if _, ok := s.stored(w, r); ok {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Only responses created with background=true can be cancelled.")
	}
}

func (s *Server) listInputItems(w http.ResponseWriter, r *http.Request) {
	st, ok := s.stored(w, r)
	if !ok {
		return
	}
	items := st.input
	if r.URL.Query().Get("order") != "asc" {
		rev := make([]openai.OutputItem, len(items))
		for i, it := range items {
			rev[len(items)-1-i] = it
		}
		items = rev
	}
	if after := r.URL.Query().Get("after"); after != "" {
		for i, it := range items {
			if it.ID == after {
				items = items[i+1:]
				break
			}
		}
	}
	limit := 20
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l <= 100 {
		limit = l
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	data := make([]any, 0, len(items))
	for _, it := range items {
		data = append(data, itemJSON(it))
	}
	page := map[string]any{"object": "list", "data": data, "has_more": more, "first_id": nil, "last_id": nil}
	if len(items) > 0 {
		page["first_id"], page["last_id"] = items[0].ID, items[len(items)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}
