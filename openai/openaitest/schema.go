package openaitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
)

// exampleFor builds a deterministic JSON value valid for schema. seed varies
// the values so different prompts get different answers; the same prompt
// always gets the same answer.
func exampleFor(schema json.RawMessage, seed string) (json.RawMessage, error) {
	var s map[string]any
	if err := json.Unmarshal(schema, &s); err != nil {
		return nil, fmt.Errorf("schema is not a JSON object: %w", err)
	}
	g := &generator{root: s, seed: seed}
	v := g.value(s, "", 0)
	return json.Marshal(v)
}

type generator struct {
	root map[string]any
	seed string
}

// unit returns a stable number in [0, 1) for a path.
func (g *generator) unit(path string) float64 {
	h := fnv.New64a()
	h.Write([]byte(g.seed))
	h.Write([]byte{0})
	h.Write([]byte(path))
	return float64(h.Sum64()%10000) / 10000
}

func (g *generator) resolve(s map[string]any) map[string]any {
	ref, _ := s["$ref"].(string)
	if !strings.HasPrefix(ref, "#/") {
		return s
	}
	var cur any = g.root
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return s
		}
		cur = m[part]
	}
	if m, ok := cur.(map[string]any); ok {
		return m
	}
	return s
}

func (g *generator) value(s map[string]any, path string, depth int) any {
	if depth > 12 {
		return nil
	}
	s = g.resolve(s)
	if c, ok := s["const"]; ok {
		return c
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		var nonNull []any
		for _, e := range enum {
			if e != nil {
				nonNull = append(nonNull, e)
			}
		}
		if len(nonNull) == 0 {
			return nil
		}
		return nonNull[int(g.unit(path)*float64(len(nonNull)))]
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := s[key].([]any); ok && len(alts) > 0 {
			for _, a := range alts {
				if m, ok := a.(map[string]any); ok && m["type"] != "null" {
					return g.value(m, path, depth+1)
				}
			}
			return nil
		}
	}
	typ := schemaType(s)
	switch typ {
	case "object":
		props, _ := s["properties"].(map[string]any)
		out := make(map[string]any, len(props))
		for name, p := range props {
			if m, ok := p.(map[string]any); ok {
				out[name] = g.value(m, path+"."+name, depth+1)
			}
		}
		return out
	case "array":
		n := 2
		if min, ok := num(s["minItems"]); ok && int(min) > n {
			n = int(min)
		}
		if max, ok := num(s["maxItems"]); ok && int(max) < n {
			n = int(max)
		}
		items, _ := s["items"].(map[string]any)
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			out = append(out, g.value(items, fmt.Sprintf("%s[%d]", path, i), depth+1))
		}
		return out
	case "number", "integer":
		lo, hasLo := num(s["minimum"])
		hi, hasHi := num(s["maximum"])
		if !hasLo {
			lo = 0
			if hasHi && hi < 0 {
				lo = hi - 100
			}
		}
		if !hasHi {
			hi = lo + 100
		}
		v := lo + g.unit(path)*(hi-lo)
		if typ == "integer" {
			return math.Round(v)
		}
		return math.Round(v*100) / 100
	case "boolean":
		return g.unit(path) < 0.5
	case "null":
		return nil
	default:
		name := path[strings.LastIndexByte(path, '.')+1:]
		if name == "" {
			name = "value"
		}
		return fmt.Sprintf("%s %d", strings.ReplaceAll(name, "_", " "), int(g.unit(path)*1000))
	}
}

// schemaType returns the schema's non-null type.
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if str, ok := x.(string); ok && str != "null" {
				return str
			}
		}
		return "null"
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	if _, ok := s["items"]; ok {
		return "array"
	}
	return "string"
}

func num(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}
