package tokens

import (
	"fmt"
	"strings"
)

// family maps a model id prefix to a value. A prefix matches a model id that
// equals it or continues with '-' (a dated snapshot such as
// "gpt-4o-2024-08-06", or a variant such as "gpt-4o-mini"); with minor set it
// also matches a continuation with '.' (a point release such as "gpt-5.1").
// The longest matching prefix wins.
type family[T any] struct {
	prefix string
	value  T
	minor  bool
}

// encodingFamilies is the immutable model-to-encoding table.
var encodingFamilies = []family[string]{
	// o200k_base: gpt-4o and later, and the o-series.
	{prefix: "gpt-4o", value: O200kBase},
	{prefix: "chatgpt-4o", value: O200kBase},
	{prefix: "gpt-4.1", value: O200kBase},
	{prefix: "gpt-4.5", value: O200kBase},
	{prefix: "gpt-5", value: O200kBase, minor: true},
	{prefix: "o1", value: O200kBase},
	{prefix: "o3", value: O200kBase},
	{prefix: "o4", value: O200kBase},
	{prefix: "omni-moderation", value: O200kBase},
	{prefix: "codex-mini", value: O200kBase},
	// cl100k_base: gpt-4, gpt-3.5 and the current embedding models.
	{prefix: "gpt-4", value: Cl100kBase},
	{prefix: "gpt-3.5-turbo", value: Cl100kBase},
	{prefix: "gpt-35-turbo", value: Cl100kBase},
	{prefix: "text-embedding-3-small", value: Cl100kBase},
	{prefix: "text-embedding-3-large", value: Cl100kBase},
	{prefix: "text-embedding-ada-002", value: Cl100kBase},
	{prefix: "davinci-002", value: Cl100kBase},
	{prefix: "babbage-002", value: Cl100kBase},
}

// lookupFamily returns the value of the longest family prefix matching id.
func lookupFamily[T any](families []family[T], id string) (T, bool) {
	best, bestLen := -1, -1
	for k, f := range families {
		if len(f.prefix) <= bestLen || !strings.HasPrefix(id, f.prefix) {
			continue
		}
		if len(id) > len(f.prefix) {
			c := id[len(f.prefix)]
			if c != '-' && (c != '.' || !f.minor) {
				continue
			}
		}
		best, bestLen = k, len(f.prefix)
	}
	if best < 0 {
		var zero T
		return zero, false
	}
	return families[best].value, true
}

// baseModel normalizes a model id: surrounding space is trimmed, letters are
// lowered, and a fine-tune id "ft:BASE:org:suffix:id" becomes BASE.
func baseModel(model string) string {
	m := strings.ToLower(strings.TrimSpace(model))
	if rest, ok := strings.CutPrefix(m, "ft:"); ok {
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			rest = rest[:i]
		}
		m = rest
	}
	return m
}

// Option configures ForModel.
type Option func(*modelOptions)

type modelOptions struct {
	fallback string
}

// WithFallback makes ForModel return the named encoding ("o200k_base" or
// "cl100k_base") for a model it does not know, instead of an
// *UnknownModelError. For models of a provider that serves OpenAI-compatible
// APIs the counts are then an approximation.
func WithFallback(encoding string) Option {
	return func(o *modelOptions) { o.fallback = encoding }
}

// ForModel returns the encoding a model uses. It knows the gpt-4o, gpt-4.1,
// gpt-4.5, gpt-5, o1, o3, o4 and omni families (o200k_base) and gpt-4,
// gpt-4-turbo, gpt-3.5-turbo and the text-embedding-3 and ada-002 models
// (cl100k_base), including dated snapshots ("gpt-4o-2024-08-06"), variants
// ("gpt-4.1-nano") and fine-tunes ("ft:gpt-4o-mini:org::id"). For any other
// model it returns an *UnknownModelError, unless WithFallback names an
// encoding to use instead.
func ForModel(model string, opts ...Option) (*Encoding, error) {
	var o modelOptions
	for _, opt := range opts {
		opt(&o)
	}
	name, ok := lookupFamily(encodingFamilies, baseModel(model))
	if !ok {
		if o.fallback == "" {
			return nil, &UnknownModelError{Model: model}
		}
		name = o.fallback
	}
	return Get(name)
}

// UnknownModelError reports a model whose encoding ForModel does not know.
type UnknownModelError struct {
	Model string
}

// Error names the model and says how to pick an encoding for it.
func (e *UnknownModelError) Error() string {
	return fmt.Sprintf("tokens: no known encoding for model %q: choose one with tokens.Get(%q) (gpt-4o and later) or tokens.Get(%q) (gpt-4, gpt-3.5), or call tokens.ForModel(model, tokens.WithFallback(%q))",
		e.Model, O200kBase, Cl100kBase, O200kBase)
}
