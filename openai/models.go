package openai

import (
	"context"
	"net/http"
	"net/url"
)

// ModelsService lists and describes the models the API key can use.
type ModelsService service

// Model describes one model.
type Model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`

	Meta Meta `json:"-"`
}

// ModelList is the reply of Models.List.
type ModelList struct {
	Object string  `json:"object"`
	Data   []Model `json:"data"`

	Meta Meta `json:"-"`
}

// List returns every model available to the key.
func (s *ModelsService) List(ctx context.Context, opts ...RequestOption) (*ModelList, error) {
	out := new(ModelList)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: "models", opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// Get describes one model.
func (s *ModelsService) Get(ctx context.Context, id string, opts ...RequestOption) (*Model, error) {
	if err := checkID("model", id); err != nil {
		return nil, err
	}
	out := new(Model)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: "models/" + url.PathEscape(id), opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// Delete deletes a fine-tuned model the organization owns.
func (s *ModelsService) Delete(ctx context.Context, id string, opts ...RequestOption) (*ModelDeleted, error) {
	if err := checkID("model", id); err != nil {
		return nil, err
	}
	out := new(ModelDeleted)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodDelete, path: "models/" + url.PathEscape(id), opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// ModelDeleted confirms a deletion.
type ModelDeleted struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`

	Meta Meta `json:"-"`
}
