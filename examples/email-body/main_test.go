package main

import (
	"github.com/reachkit/reachkit/examples/internal/templates"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

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
		Usage:   &openai.Usage{PromptTokens: 200, CompletionTokens: 150, TotalTokens: 350}})
}

var goodEmail = Email{
	Subject:      "New trails, new grip: meet Trailblazer 2",
	Preheader:    "15% off until Sunday for runners ready to leave the road.",
	HTMLBody:     "<p>Meet <strong>Trailblazer 2</strong>, built for mud and rock.</p>",
	CallToAction: CallToAction{Text: "Shop Trailblazer 2", URL: "https://shop.example.com/trailblazer-2"},
}

func TestOffline(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "in-process fake") {
		t.Errorf("the offline run must say so; stderr: %q", errOut.String())
	}
	for _, want := range []string{"Subject:", "Preheader:", "Button:", "html body", "cost: $0.0000"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestShowsTheParsedEmail(t *testing.T) {
	fake := scripted(t)
	fake.Enqueue("chat/completions", chatReply(t, goodEmail))
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-template", "abandoned-cart", "-url", "https://shop.example.com/cart/42"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	want := "Subject:   New trails, new grip: meet Trailblazer 2\n" +
		"Preheader: 15% off until Sunday for runners ready to leave the road.\n" +
		"Button:    Shop Trailblazer 2 -> https://shop.example.com/trailblazer-2\n\n" +
		"<p>Meet <strong>Trailblazer 2</strong>, built for mud and rock.</p>\n\n" +
		"cost: $0.000120 for 200 prompt + 150 completion tokens\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}

	var sent struct {
		Messages       []openai.ChatMessage  `json:"messages"`
		ResponseFormat openai.ResponseFormat `json:"response_format"`
		MaxTokens      int                   `json:"max_completion_tokens"`
	}
	if err := fake.Requests()[0].DecodeJSON(&sent); err != nil {
		t.Fatal(err)
	}
	if sent.ResponseFormat.JSONSchema == nil || sent.ResponseFormat.JSONSchema.Name != "marketing_email" {
		t.Errorf("response_format = %+v", sent.ResponseFormat)
	}
	if !strings.Contains(sent.Messages[1].Content.Text, "Cart link: https://shop.example.com/cart/42") {
		t.Errorf("the template was not rendered: %q", sent.Messages[1].Content.Text)
	}
	if sent.MaxTokens != 900 {
		t.Errorf("max_completion_tokens %d, want the default 900", sent.MaxTokens)
	}
}

func TestModerationWithholdsTheEmail(t *testing.T) {
	fake := scripted(t)
	bad := goodEmail
	bad.HTMLBody = "<p>Our rivals' shoes are for idiots. We'd kill for grip like this.</p>"
	fake.Enqueue("chat/completions", chatReply(t, bad))
	var out, errOut bytes.Buffer
	err := run(context.Background(), nil, &out, &errOut)
	if !errors.Is(err, errWithheld) {
		t.Fatalf("err = %v, want errWithheld", err)
	}
	got := out.String()
	for _, leaked := range []string{bad.Subject, bad.HTMLBody, bad.CallToAction.Text} {
		if strings.Contains(got, leaked) {
			t.Errorf("withheld content was shown: %q in\n%s", leaked, got)
		}
	}
	if !strings.Contains(got, "[withheld: the generated email was flagged by moderation for harassment, violence in the body]") {
		t.Errorf("no clear withheld message:\n%s", got)
	}
}

func TestTruncatedAnswerIsAnError(t *testing.T) {
	fake := scripted(t)
	reply := openai.ChatCompletion{Model: "gpt-4o-mini", Choices: []openai.ChatChoice{{
		Message: openai.ChatCompletionMessage{Role: openai.RoleAssistant, Content: `{"subject":"New tr`}, FinishReason: "length"}}}
	fake.Enqueue("chat/completions", openaitest.JSON(reply))
	var out, errOut bytes.Buffer
	err := run(context.Background(), nil, &out, &errOut)
	var truncated *openai.TruncatedError
	if !errors.As(err, &truncated) {
		t.Fatalf("err = %v, want *openai.TruncatedError", err)
	}
	if out.Len() != 0 {
		t.Errorf("output for a truncated answer: %q", out.String())
	}
}

func TestUnknownPlaceholderFails(t *testing.T) {
	cfg, err := templates.LoadConfig(strings.NewReader(`
defaults: {model: gpt-4o-mini, max_tokens: 100}
templates:
  - name: typo
    user: "Announce {{.Prodcut}}"
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Templates[0].Request(Brief{Product: "shoes"})
	if err == nil || !strings.Contains(err.Error(), "Prodcut") {
		t.Fatalf("err = %v, want one naming the placeholder", err)
	}
}
