package main

import (
	"github.com/reachkit/reachkit/examples/internal/templates"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

// offline makes env.OpenAI start its in-process fake.
func offline(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
}

// scripted points run at fake, a server the test scripts.
func scripted(t *testing.T) *openaitest.Server {
	fake := openaitest.NewServer(t)
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", fake.URL())
	return fake
}

// chatReply is a completion whose content is v as JSON.
func chatReply(t *testing.T, v any) openaitest.Reply {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return openaitest.JSON(openai.ChatCompletion{ID: "chatcmpl-test", Object: "chat.completion", Model: "gpt-4o-mini",
		Choices: []openai.ChatChoice{{Message: openai.ChatCompletionMessage{Role: openai.RoleAssistant, Content: string(b)}, FinishReason: "stop"}},
		Usage:   &openai.Usage{PromptTokens: 120, CompletionTokens: 60, TotalTokens: 180}})
}

func TestOffline(t *testing.T) {
	offline(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "in-process fake") {
		t.Errorf("the offline run must say so; stderr: %q", errOut.String())
	}
	for _, want := range []string{`template "launch"`, " 1. ", " 2. ", "open rate:", "cost: $0.0000"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestGenerateParsesIntoTheStruct(t *testing.T) {
	fake := openaitest.NewServer(t)
	cfg, err := templates.LoadFile("", defaultTemplates)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := cfg.Template("launch")
	if err != nil {
		t.Fatal(err)
	}
	req, err := tmpl.Request(Brief{Product: "Trailblazer 2", Audience: "trail runners", Offer: "free shipping", Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	lines, err := generate(context.Background(), fake.Client(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatal("no subject lines")
	}
	for _, l := range lines {
		if l.Text == "" || l.Reason == "" || !strings.Contains("high medium low", l.OpenRate) {
			t.Errorf("incomplete line %+v", l)
		}
	}

	var sent struct {
		Messages       []openai.ChatMessage  `json:"messages"`
		ResponseFormat openai.ResponseFormat `json:"response_format"`
		Temperature    float64               `json:"temperature"`
	}
	if err := fake.Requests()[0].DecodeJSON(&sent); err != nil {
		t.Fatal(err)
	}
	if sent.ResponseFormat.Type != "json_schema" || sent.ResponseFormat.JSONSchema.Name != "subject_lines" {
		t.Errorf("response_format = %+v", sent.ResponseFormat)
	}
	if user := sent.Messages[1].Content.Text; !strings.Contains(user, "Write 3 subject lines announcing Trailblazer 2 to trail runners") {
		t.Errorf("the template was not rendered: %q", user)
	}
	if sent.Temperature != 0.9 {
		t.Errorf("temperature %v, want the template's 0.9", sent.Temperature)
	}
}

func TestModerationWithholdsFlaggedLines(t *testing.T) {
	fake := scripted(t)
	fake.Enqueue("chat/completions", chatReply(t, SubjectLines{Lines: []SubjectLine{
		{Text: "Only an idiot would miss this sale", OpenRate: "high", Reason: "Provocation gets clicks."},
		{Text: "Your trails are calling: 15% off", OpenRate: "medium", Reason: "Personal and concrete."},
	}}))
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	got := out.String()
	if strings.Contains(got, "idiot") || strings.Contains(got, "Provocation") {
		t.Errorf("a flagged line was shown:\n%s", got)
	}
	if !strings.Contains(got, "[withheld: flagged by moderation for harassment]") {
		t.Errorf("no withheld notice:\n%s", got)
	}
	if !strings.Contains(got, " 1. Your trails are calling: 15% off") {
		t.Errorf("the clean line is missing:\n%s", got)
	}
	if !strings.Contains(got, "cost: $0.000054 for 120 prompt + 60 completion tokens") {
		t.Errorf("cost line wrong:\n%s", got)
	}
	if n := fake.RequestCount("moderations"); n != 1 {
		t.Errorf("%d moderation calls, want 1", n)
	}
}

func TestModerationWithholdsEverything(t *testing.T) {
	fake := scripted(t)
	fake.Enqueue("chat/completions", chatReply(t, SubjectLines{Lines: []SubjectLine{
		{Text: "We hate slow shoes", OpenRate: "low", Reason: "Strong words."},
	}}))
	var out, errOut bytes.Buffer
	err := run(context.Background(), nil, &out, &errOut)
	if !errors.Is(err, errWithheld) {
		t.Fatalf("err = %v, want errWithheld", err)
	}
	if strings.Contains(out.String(), "slow shoes") {
		t.Errorf("a flagged line was shown:\n%s", out.String())
	}
}

func TestTokenLimitStopsTheRequest(t *testing.T) {
	fake := scripted(t)
	path := filepath.Join(t.TempDir(), "tight.yaml")
	config := strings.Replace(defaultTemplates, "max_tokens_per_request: 1200", "max_tokens_per_request: 300", 1)
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-config", path}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "exceed limits.max_tokens_per_request 300") {
		t.Fatalf("err = %v", err)
	}
	if n := fake.RequestCount(""); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestConfigRejectsUnknownKeys(t *testing.T) {
	_, err := templates.LoadConfig(strings.NewReader("defaults:\n  model: gpt-4o-mini\n  temprature: 0.5\n"))
	if err == nil || !strings.Contains(err.Error(), "temprature") {
		t.Fatalf("err = %v, want one naming the unknown key", err)
	}
}

func TestEveryTemplateRenders(t *testing.T) {
	cfg, err := templates.LoadFile("", defaultTemplates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range cfg.Templates {
		if _, err := tmpl.Request(Brief{Product: "p", Audience: "a", Offer: "o", Count: 5}); err != nil {
			t.Errorf("%s: %v", tmpl.Name, err)
		}
	}
}
