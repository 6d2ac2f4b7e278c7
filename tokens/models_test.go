package tokens

import (
	"errors"
	"strings"
	"testing"
)

func TestForModel(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  string // "" means unknown
	}{
		{"gpt-4o", O200kBase},
		{"gpt-4o-2024-08-06", O200kBase},
		{"gpt-4o-2024-05-13", O200kBase},
		{"gpt-4o-mini", O200kBase},
		{"gpt-4o-mini-2024-07-18", O200kBase},
		{"gpt-4o-audio-preview", O200kBase},
		{"chatgpt-4o-latest", O200kBase},
		{"gpt-4.1", O200kBase},
		{"gpt-4.1-mini", O200kBase},
		{"gpt-4.1-nano-2025-04-14", O200kBase},
		{"gpt-4.5-preview", O200kBase},
		{"gpt-5", O200kBase},
		{"gpt-5-mini", O200kBase},
		{"gpt-5-nano-2025-08-07", O200kBase},
		{"gpt-5-chat-latest", O200kBase},
		{"gpt-5.1", O200kBase},
		{"o1", O200kBase},
		{"o1-mini", O200kBase},
		{"o1-2024-12-17", O200kBase},
		{"o3", O200kBase},
		{"o3-mini", O200kBase},
		{"o3-pro", O200kBase},
		{"o4-mini", O200kBase},
		{"o4-mini-2025-04-16", O200kBase},
		{"omni-moderation-latest", O200kBase},
		{"ft:gpt-4o-mini:my-org::A1b2C3", O200kBase},
		{"ft:gpt-4o-2024-08-06:my-org:custom-suffix:A1b2C3", O200kBase},
		{"  GPT-4o  ", O200kBase},
		{"gpt-4", Cl100kBase},
		{"gpt-4-0613", Cl100kBase},
		{"gpt-4-32k", Cl100kBase},
		{"gpt-4-turbo", Cl100kBase},
		{"gpt-4-turbo-2024-04-09", Cl100kBase},
		{"gpt-4-1106-preview", Cl100kBase},
		{"gpt-3.5-turbo", Cl100kBase},
		{"gpt-3.5-turbo-0125", Cl100kBase},
		{"gpt-3.5-turbo-16k", Cl100kBase},
		{"gpt-35-turbo", Cl100kBase},
		{"ft:gpt-3.5-turbo:my-org:custom:id", Cl100kBase},
		{"ft:gpt-3.5-turbo-0613:my-org::8abc", Cl100kBase},
		{"text-embedding-3-small", Cl100kBase},
		{"text-embedding-3-large", Cl100kBase},
		{"text-embedding-ada-002", Cl100kBase},
		{"", ""},
		{"gpt-4x", ""},
		{"gpt-4.2", ""},
		{"o2", ""},
		{"o10", ""},
		{"claude-3-opus", ""},
		{"llama-3", ""},
		{"ft:", ""},
		{"ft:unknown-model:org::id", ""},
		{"text-embedding-3-medium", ""},
	} {
		t.Run(tc.model, func(t *testing.T) {
			enc, err := ForModel(tc.model)
			if tc.want == "" {
				var ue *UnknownModelError
				if !errors.As(err, &ue) || ue.Model != tc.model {
					t.Fatalf("ForModel(%q) = %v, %v; want *UnknownModelError", tc.model, enc, err)
				}
				for _, hint := range []string{`tokens.Get("o200k_base")`, "WithFallback"} {
					if !strings.Contains(err.Error(), hint) {
						t.Errorf("error %q does not mention %s", err, hint)
					}
				}
				enc, err = ForModel(tc.model, WithFallback(Cl100kBase))
				if err != nil || enc.Name() != Cl100kBase {
					t.Fatalf("ForModel(%q, WithFallback) = %v, %v", tc.model, enc, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if enc.Name() != tc.want {
				t.Errorf("ForModel(%q) = %s, want %s", tc.model, enc.Name(), tc.want)
			}
			// A fallback never overrides a known model.
			if enc, _ := ForModel(tc.model, WithFallback("cl100k_base")); enc.Name() != tc.want {
				t.Errorf("ForModel(%q, WithFallback) = %s, want %s", tc.model, enc.Name(), tc.want)
			}
		})
	}
}

func TestForModelBadFallback(t *testing.T) {
	_, err := ForModel("unknown-model", WithFallback("r50k_base"))
	var ue *UnknownEncodingError
	if !errors.As(err, &ue) || ue.Name != "r50k_base" {
		t.Fatalf("err = %v, want *UnknownEncodingError", err)
	}
}
