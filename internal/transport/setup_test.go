package transport

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSetupBuild(t *testing.T) {
	t.Setenv("RK_TEST_KEY", "env-key-0123456789")
	t.Setenv("RK_TEST_BASE", "")
	spec := func(mod func(*Setup)) Setup {
		s := Setup{Name: "svc", KeyEnv: "RK_TEST_KEY", BaseEnv: "RK_TEST_BASE", DefaultBase: "https://api.example.com/v1"}
		mod(&s)
		return s
	}
	user := &http.Client{Timeout: time.Minute}
	tests := []struct {
		name    string
		setup   Setup
		wantErr string // "" for success
		check   func(t *testing.T, b *Base)
	}{
		{"key from the environment", spec(func(s *Setup) {}), "", func(t *testing.T, b *Base) {
			if b.APIKey != "env-key-0123456789" || b.BaseURL != "https://api.example.com/v1" || b.MaxBody != DefaultMaxBodySize || b.MaxBodySet {
				t.Errorf("%+v", b)
			}
		}},
		{"explicit empty key", spec(func(s *Setup) { s.APIKeySet = true }), "svc: no API key: set the RK_TEST_KEY environment variable or pass svc.WithAPIKey", nil},
		{"key with a line break", spec(func(s *Setup) { s.APIKey, s.APIKeySet = "abc\n", true }), "line break", nil},
		{"plain http remote", spec(func(s *Setup) { s.BaseURL, s.BaseURLSet = "http://api.example.com", true }), "svc.WithInsecureHTTP()", nil},
		{"plain http remote allowed", spec(func(s *Setup) { s.BaseURL, s.BaseURLSet, s.AllowInsecure = "http://api.example.com/", true, true }), "", func(t *testing.T, b *Base) {
			if b.BaseURL != "http://api.example.com" {
				t.Errorf("base %q", b.BaseURL)
			}
		}},
		{"negative timeout", spec(func(s *Setup) { s.Timeout = -time.Second }), "negative timeout", nil},
		{"negative size", spec(func(s *Setup) { s.MaxBody = -1 }), "negative maximum response size", nil},
		{"size set, client copied", spec(func(s *Setup) { s.MaxBody, s.HTTPClient = 1<<20, user }), "", func(t *testing.T, b *Base) {
			if b.MaxBody != 1<<20 || !b.MaxBodySet {
				t.Errorf("%+v", b)
			}
			if b.HTTP == user || b.HTTP.Timeout != time.Minute || user.Transport != nil || user.CheckRedirect != nil {
				t.Error("the caller's client was changed or not copied")
			}
			if b.HTTP.CheckRedirect == nil {
				t.Error("redirects not guarded")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wrapped := false
			b, err := tt.setup.Build(func(rt http.RoundTripper) http.RoundTripper { wrapped = true; return rt })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "svc: ") {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !wrapped {
				t.Fatalf("err %v, wrapped %v", err, wrapped)
			}
			tt.check(t, b)
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := struct{ Key Secret }{"sk-very-secret"}
	b, _ := json.Marshal(s)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v %#v %s %q %x %d", s, s, s.Key, s.Key, s.Key, s.Key), string(b)} {
		if strings.Contains(out, "very-secret") || strings.Contains(out, fmt.Sprintf("%x", "sk-very-secret")) {
			t.Errorf("printed: %s", out)
		}
	}
}
