// Package templates reads the prompt file the content examples share:
// defaults, limits and named templates rendered with text/template.
package templates

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
	"github.com/reachkit/reachkit/tokens"
)

// Config is the team's prompt file: defaults, the limits every request
// respects, and named templates.
type Config struct {
	Defaults struct {
		Model       string   `yaml:"model"`
		MaxTokens   int      `yaml:"max_tokens"`
		Temperature *float64 `yaml:"temperature"`
	} `yaml:"defaults"`
	Limits struct {
		MaxRequestsPerMinute int `yaml:"max_requests_per_minute"`
		MaxTokensPerRequest  int `yaml:"max_tokens_per_request"`
	} `yaml:"limits"`
	Templates []*Template `yaml:"templates"`
}

// Throttle keeps the client under limits.max_requests_per_minute, the
// team's own ceiling: its limiter ignores the replies' rate-limit headers,
// which report the account's (higher) limits and would otherwise replace it.
func (c *Config) Throttle() openai.Middleware {
	return ratelimit.Throttle(ratelimit.NewLimiter(ratelimit.LimiterConfig{
		InitialRequestsPerMinute: int64(c.Limits.MaxRequestsPerMinute),
		Parse:                    func(http.Header) ratelimit.Snapshot { return ratelimit.Snapshot{} },
	}))
}

// Template is one named prompt. Model, MaxTokens and Temperature fall back
// to the defaults when left out.
type Template struct {
	Name        string   `yaml:"name"`
	Model       string   `yaml:"model"`
	System      string   `yaml:"system"`
	User        string   `yaml:"user"`
	MaxTokens   int      `yaml:"max_tokens"`
	Temperature *float64 `yaml:"temperature"`

	system, user *template.Template
	limit        int // max_tokens_per_request
}

// LoadConfig reads a prompt file. Unknown keys are errors: a misspelt
// "temprature" must not silently fall back to the default.
func LoadConfig(r io.Reader) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("reading templates: %w", err)
	}
	for i, t := range c.Templates {
		if t == nil || t.Name == "" {
			return nil, fmt.Errorf("templates[%d]: name is required", i)
		}
		t.Model = cmp.Or(t.Model, c.Defaults.Model)
		t.MaxTokens = cmp.Or(t.MaxTokens, c.Defaults.MaxTokens)
		if t.Temperature == nil {
			t.Temperature = c.Defaults.Temperature
		}
		t.limit = c.Limits.MaxTokensPerRequest
		if t.Model == "" || t.User == "" {
			return nil, fmt.Errorf("template %q: model (or defaults.model) and user are required", t.Name)
		}
		var err error
		// A placeholder without a value fails rather than printing "<no value>"
		// (a struct's unknown field fails anyway; this covers map data).
		if t.system, err = template.New(t.Name + ".system").Option("missingkey=error").Parse(t.System); err != nil {
			return nil, err
		}
		if t.user, err = template.New(t.Name + ".user").Option("missingkey=error").Parse(t.User); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// LoadFile reads the prompt file at path, or builtin when path is empty.
func LoadFile(path, builtin string) (*Config, error) {
	if path == "" {
		return LoadConfig(strings.NewReader(builtin))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadConfig(f)
}

// Template returns the template called name.
func (c *Config) Template(name string) (*Template, error) {
	var names []string
	for _, t := range c.Templates {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return nil, fmt.Errorf("no template %q (have: %s)", name, strings.Join(names, ", "))
}

// Request renders the prompts with data and builds the chat request. It
// refuses a request whose prompt plus max_tokens exceeds
// limits.max_tokens_per_request, counted offline before anything is sent.
func (t *Template) Request(data any) (openai.ChatRequest, error) {
	var sys, user strings.Builder
	if err := t.system.Execute(&sys, data); err != nil {
		return openai.ChatRequest{}, err
	}
	if err := t.user.Execute(&user, data); err != nil {
		return openai.ChatRequest{}, err
	}
	enc, err := tokens.ForModel(t.Model, tokens.WithFallback(tokens.O200kBase))
	if err != nil {
		return openai.ChatRequest{}, err
	}
	prompt := enc.CountMessages([]tokens.Message{{Role: "system", Content: sys.String()}, {Role: "user", Content: user.String()}})
	if t.limit > 0 && prompt+t.MaxTokens > t.limit {
		return openai.ChatRequest{}, fmt.Errorf("template %q: %d prompt tokens + max_tokens %d exceed limits.max_tokens_per_request %d",
			t.Name, prompt, t.MaxTokens, t.limit)
	}
	return openai.ChatRequest{
		Model:               t.Model,
		Messages:            []openai.ChatMessage{openai.SystemMessage(sys.String()), openai.UserMessage(user.String())},
		MaxCompletionTokens: t.MaxTokens,
		Temperature:         t.Temperature,
	}, nil
}
