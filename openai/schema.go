package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
)

// SchemaFor returns a JSON schema for T that satisfies OpenAI's strict
// structured-output rules: every property is required, objects allow no
// additional properties, and optional fields (omitempty, omitzero or
// pointers) are expressed as nullable instead.
//
// Struct tags refine it: `jsonschema:"..."` is the property's description,
// `enum:"a,b,c"` restricts a string to those values, `minimum:"-1"` and
// `maximum:"1"` (and exclusiveMinimum, exclusiveMaximum) bound a number,
// `minItems` and `maxItems` bound a list. Maps are refused, because strict
// mode cannot describe their keys.
func SchemaFor[T any]() (json.RawMessage, error) {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		return nil, fmt.Errorf("openai: schema for %T: %w", *new(T), err)
	}
	if err := strictify(s, reflect.TypeFor[T](), "$"); err != nil {
		return nil, fmt.Errorf("openai: schema for %s: %w", reflect.TypeFor[T](), err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("openai: schema for %s: %w", reflect.TypeFor[T](), err)
	}
	return b, nil
}

// strictify applies the strict rules to s, the schema generated for t.
func strictify(s *jsonschema.Schema, t reflect.Type, path string) error {
	if s == nil {
		return nil
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case s.Properties != nil || s.Type == "object" || slices.Contains(s.Types, "object"):
		if s.AdditionalProperties != nil && !isFalseSchema(s.AdditionalProperties) {
			return fmt.Errorf("%s: maps are not supported by strict structured outputs; use a struct or a list of key/value structs", path)
		}
		s.AdditionalProperties = &jsonschema.Schema{Not: &jsonschema.Schema{}}
		fields := structFields(t)
		required := make([]string, 0, len(s.Properties))
		names := s.PropertyOrder
		if len(names) == 0 {
			for name := range s.Properties {
				names = append(names, name)
			}
			slices.Sort(names)
		}
		for _, name := range names {
			prop := s.Properties[name]
			if prop == nil {
				continue
			}
			f, hasField := fields[name]
			var ft reflect.Type
			if hasField {
				ft = f.Type
				if enum := f.Tag.Get("enum"); enum != "" {
					for _, v := range strings.Split(enum, ",") {
						prop.Enum = append(prop.Enum, strings.TrimSpace(v))
					}
				}
				if err := applyBounds(prop, f.Tag); err != nil {
					return fmt.Errorf("%s.%s: %w", path, name, err)
				}
			}
			if !slices.Contains(s.Required, name) {
				makeNullable(prop)
			}
			required = append(required, name)
			if err := strictify(prop, ft, path+"."+name); err != nil {
				return err
			}
		}
		s.Required = required
	case s.Items != nil:
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		return strictify(s.Items, et, path+"[]")
	}
	for _, sub := range s.AnyOf {
		if err := strictify(sub, t, path); err != nil {
			return err
		}
	}
	return nil
}

// applyBounds reads the `minimum`, `maximum`, `exclusiveMinimum`,
// `exclusiveMaximum`, `minItems` and `maxItems` tags, which strict mode
// accepts.
func applyBounds(s *jsonschema.Schema, tag reflect.StructTag) error {
	for _, b := range [...]struct {
		name string
		dst  **float64
	}{{"minimum", &s.Minimum}, {"maximum", &s.Maximum}, {"exclusiveMinimum", &s.ExclusiveMinimum}, {"exclusiveMaximum", &s.ExclusiveMaximum}} {
		if v := tag.Get(b.name); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("tag %s=%q is not a number", b.name, v)
			}
			*b.dst = &f
		}
	}
	for _, b := range [...]struct {
		name string
		dst  **int
	}{{"minItems", &s.MinItems}, {"maxItems", &s.MaxItems}} {
		if v := tag.Get(b.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("tag %s=%q is not a count", b.name, v)
			}
			*b.dst = &n
		}
	}
	return nil
}

func isFalseSchema(s *jsonschema.Schema) bool {
	b, err := json.Marshal(s)
	return err == nil && string(b) == "false"
}

// makeNullable lets a property be null.
func makeNullable(s *jsonschema.Schema) {
	switch {
	case slices.Contains(s.Types, "null") || s.Type == "null":
	case s.Type != "":
		s.Types = []string{s.Type, "null"}
		s.Type = ""
	case len(s.Types) > 0:
		s.Types = append(s.Types, "null")
	default:
		inner := *s
		*s = jsonschema.Schema{AnyOf: []*jsonschema.Schema{&inner, {Type: "null"}}}
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, any(nil)) {
		s.Enum = append(s.Enum, nil)
	}
}

// structFields maps JSON property names to the fields of struct type t,
// embedded structs included.
func structFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	if t == nil || t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			for k, v := range structFields(ft) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

// JSONSchemaFormat returns a chat response_format asking for JSON that
// matches T's strict schema.
func JSONSchemaFormat[T any](name string) (*ResponseFormat, error) {
	s, err := SchemaFor[T]()
	if err != nil {
		return nil, err
	}
	strict := true
	return &ResponseFormat{Type: "json_schema", JSONSchema: &JSONSchema{Name: name, Schema: s, Strict: &strict}}, nil
}

// TextFormatFor returns a Responses text configuration asking for JSON that
// matches T's strict schema.
func TextFormatFor[T any](name string) (*ResponseTextConfig, error) {
	s, err := SchemaFor[T]()
	if err != nil {
		return nil, err
	}
	strict := true
	return &ResponseTextConfig{Format: &TextFormat{Type: "json_schema", Name: name, Schema: s, Strict: &strict}}, nil
}

// RefusalError reports that the model refused to answer.
type RefusalError struct{ Refusal string }

// Error describes the failure.
func (e *RefusalError) Error() string { return "openai: the model refused: " + e.Refusal }

// TruncatedError reports an answer cut short by the output token limit
// (finish_reason "length", or an incomplete response): its JSON is partial.
type TruncatedError struct {
	Reason string // "length" or "max_output_tokens"
	Text   string // the partial output
}

// Error describes the failure.
func (e *TruncatedError) Error() string {
	return "openai: the answer was cut short (" + e.Reason + "); raise the output token limit"
}

// ContentFilterError reports an answer stopped by the content filter.
type ContentFilterError struct{ Text string }

// Error describes the failure.
func (e *ContentFilterError) Error() string {
	return "openai: the answer was stopped by the content filter"
}

// SchemaMismatchError reports output that is not JSON of the expected shape.
type SchemaMismatchError struct {
	Text string // the output
	Err  error  // the decoding error
}

// Error describes the failure.
func (e *SchemaMismatchError) Error() string {
	return fmt.Sprintf("openai: the answer does not match the schema: %v", e.Err)
}

// Unwrap returns the decoding error.
func (e *SchemaMismatchError) Unwrap() error { return e.Err }

// ErrNoChoices is returned when a reply has no choice or output to decode.
var ErrNoChoices = errors.New("openai: the reply has no choices")

// ParseChat decodes the first choice of a structured-output completion into
// T. It returns a *RefusalError, *TruncatedError, *ContentFilterError or
// *SchemaMismatchError when the answer cannot be trusted.
func ParseChat[T any](c *ChatCompletion) (T, error) {
	var zero T
	if c == nil || len(c.Choices) == 0 {
		return zero, ErrNoChoices
	}
	ch := c.Choices[0]
	switch {
	case ch.Message.Refusal != "":
		return zero, &RefusalError{Refusal: ch.Message.Refusal}
	case ch.FinishReason == "length":
		return zero, &TruncatedError{Reason: "length", Text: ch.Message.Content}
	case ch.FinishReason == "content_filter":
		return zero, &ContentFilterError{Text: ch.Message.Content}
	}
	return decodeStrict[T](ch.Message.Content)
}

// ParseResponse decodes the output text of a structured-output response into
// T, with the same typed errors as ParseChat.
func ParseResponse[T any](r *Response) (T, error) {
	var zero T
	if r == nil {
		return zero, ErrNoChoices
	}
	if refusal := r.Refusal(); refusal != "" {
		return zero, &RefusalError{Refusal: refusal}
	}
	text := r.OutputText()
	if r.Status == "incomplete" && r.IncompleteDetails != nil {
		if r.IncompleteDetails.Reason == "content_filter" {
			return zero, &ContentFilterError{Text: text}
		}
		return zero, &TruncatedError{Reason: r.IncompleteDetails.Reason, Text: text}
	}
	if text == "" {
		return zero, ErrNoChoices
	}
	return decodeStrict[T](text)
}

// decodeStrict rejects unknown fields: with a strict schema they mean the
// output was produced for another shape.
func decodeStrict[T any](text string) (T, error) {
	var v T
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		var zero T
		return zero, &SchemaMismatchError{Text: text, Err: err}
	}
	if dec.More() {
		var zero T
		return zero, &SchemaMismatchError{Text: text, Err: errors.New("trailing data after the JSON value")}
	}
	return v, nil
}
