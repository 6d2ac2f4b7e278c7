package transport

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestScrubber(t *testing.T) {
	const key = "sk-proj-ABCDEFGH12345678"
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"none", []string{key}, "no secret here", "no secret here"},
		{"once", []string{key}, "Authorization: Bearer " + key + "\n", "Authorization: Bearer [REDACTED]\n"},
		{"twice", []string{key}, key + key, "[REDACTED][REDACTED]"},
		{"in JSON", []string{key}, `{"error":{"message":"bad key ` + key + `"}}`, `{"error":{"message":"bad key [REDACTED]"}}`},
		{"two secrets", []string{key, "xkeysib-0123456789"}, "a xkeysib-0123456789 b " + key, "a [REDACTED] b [REDACTED]"},
		{"too short to scrub", []string{"abc"}, "abcabc", "abcabc"},
		{"empty secret", []string{""}, "text", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScrubber(tt.secrets...)
			if got := string(s.Bytes([]byte(tt.in))); got != tt.want {
				t.Errorf("Bytes: %q, want %q", got, tt.want)
			}
			if got := s.String(tt.in); got != tt.want {
				t.Errorf("String: %q, want %q", got, tt.want)
			}
		})
	}
	var nilScrubber *Scrubber
	if got := nilScrubber.String(key); got != key {
		t.Errorf("a nil Scrubber changed the text: %q", got)
	}
	// Nothing to replace: the same slice comes back, not a copy.
	in := []byte("clean")
	if out := NewScrubber(key).Bytes(in); &out[0] != &in[0] {
		t.Error("Bytes copied a text that held no secret")
	}
}

func TestSensitiveHeader(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "authorization": true, "Proxy-Authorization": true, "api-key": true, "Api-Key": true,
		"X-Api-Key": true, "Cookie": true, "Set-Cookie": true, "OpenAI-Organization": true, "openai-project": true,
		"Openai-Processing-Ms": true, "Content-Type": false, "X-Request-Id": false, "User-Agent": false,
		"X-Ratelimit-Remaining-Requests": false, "Openai": false, "openai-": false,
	} {
		if got := SensitiveHeader(name); got != want {
			t.Errorf("SensitiveHeader(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestHeaderAttr(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, nil))
	h := http.Header{"Authorization": {"Bearer sk-secret"}, "Openai-Project": {"proj_1"}, "Content-Type": {"application/json"}, "Accept": {"a", "b"}}
	l.LogAttrs(context.Background(), slog.LevelInfo, "m", HeaderAttr("h", h))
	got := buf.String()
	for _, want := range []string{"h.Accept=\"a, b\"", "h.Authorization=[REDACTED]", "h.Content-Type=application/json", "h.Openai-Project=[REDACTED]"} {
		if !strings.Contains(got, want) {
			t.Errorf("log %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "sk-secret") || strings.Contains(got, "proj_1") {
		t.Errorf("log shows a sensitive value: %q", got)
	}
	if strings.Index(got, "Accept") > strings.Index(got, "Content-Type") {
		t.Errorf("headers not in sorted order: %q", got)
	}
}

func TestGuardRedirects(t *testing.T) {
	var hits []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits = append(hits, "other "+r.URL.Path)
	}))
	defer other.Close()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits = append(hits, "same "+r.URL.Path)
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusTemporaryRedirect)
		case "/here":
			http.Redirect(w, r, srv.URL+"/ok", http.StatusFound)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name       string
		user       func(*http.Request, []*http.Request) error
		path       string
		wantStatus int
		wantHits   string
	}{
		{"no policy: another host", nil, "/away", http.StatusTemporaryRedirect, "same /away"},
		{"no policy: same host", nil, "/here", http.StatusFound, "same /here"},
		{"user policy: another host refused", func(*http.Request, []*http.Request) error { return nil }, "/away", http.StatusTemporaryRedirect, "same /away"},
		{"user policy: same host followed", func(*http.Request, []*http.Request) error { return nil }, "/here", http.StatusOK, "same /here,same /ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits = nil
			hc := &http.Client{CheckRedirect: tt.user}
			GuardRedirects(hc)
			resp, err := hc.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || strings.Join(hits, ",") != tt.wantHits {
				t.Errorf("status %d, hits %v; want %d, %s", resp.StatusCode, hits, tt.wantStatus, tt.wantHits)
			}
		})
	}
}
