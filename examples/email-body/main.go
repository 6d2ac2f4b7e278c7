// Command email-body writes a marketing email from a template in a YAML
// prompt file: subject, preheader, HTML body and call to action, answered in
// a JSON schema built from a Go type. The whole email passes a moderation
// gate before it is shown, and the cost of the call is printed from its usage.
//
//	go run ./email-body -template announcement -product "Trailblazer 2 trail shoes"
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/examples/internal/templates"
	"github.com/reachkit/reachkit/openai"
)

//go:embed templates.yaml
var defaultTemplates string

// Brief fills the placeholders of the templates.
type Brief struct {
	Product, Audience, Offer, URL string
}

// Email is the answer's shape; its JSON schema is sent with the request.
type Email struct {
	Subject      string       `json:"subject" jsonschema:"the subject line, at most 60 characters"`
	Preheader    string       `json:"preheader" jsonschema:"the preview text shown after the subject, 40 to 90 characters"`
	HTMLBody     string       `json:"html_body" jsonschema:"the body as an HTML fragment using only p, ul, li and strong"`
	CallToAction CallToAction `json:"call_to_action"`
}

// CallToAction is the email's button.
type CallToAction struct {
	Text string `json:"text" jsonschema:"the button label, 2 to 5 words"`
	URL  string `json:"url" jsonschema:"the landing page URL from the brief, unchanged"`
}

// errWithheld is returned when moderation flags the email.
var errWithheld = errors.New("the email was withheld by moderation")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "email-body:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("email-body", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "prompt file (default: the templates.yaml built into the binary)")
	name := fs.String("template", "announcement", "template to use")
	var b Brief
	fs.StringVar(&b.Product, "product", "Trailblazer 2 trail-running shoes", "the product")
	fs.StringVar(&b.Audience, "audience", "runners who bought road shoes last spring", "who receives the email")
	fs.StringVar(&b.Offer, "offer", "15% off until Sunday", "the offer")
	fs.StringVar(&b.URL, "url", "https://shop.example.com/trailblazer-2", "the landing page")
	if err := fs.Parse(args); err != nil {
		return err
	}

	cfg, err := templates.LoadFile(*configPath, defaultTemplates)
	if err != nil {
		return err
	}
	tmpl, err := cfg.Template(*name)
	if err != nil {
		return err
	}
	req, err := tmpl.Request(b)
	if err != nil {
		return err
	}

	var spent templates.Meter
	client, _, closeFn, err := env.OpenAI(stderr, nil,
		openai.WithMiddleware(cfg.Throttle()),
		openai.WithUsageHook(spent.Record))
	if err != nil {
		return err
	}
	defer closeFn()

	email, err := generate(ctx, client, req)
	if err != nil {
		return err
	}

	// The gate: every part of the email is moderated before any is shown.
	parts := []string{"subject", "preheader", "body", "call to action"}
	mod, err := client.Moderations.New(ctx, openai.ModerationRequest{
		Input: []string{email.Subject, email.Preheader, email.HTMLBody, email.CallToAction.Text},
	})
	if err != nil {
		return fmt.Errorf("moderation: %w", err)
	}
	if len(mod.Results) != len(parts) {
		return fmt.Errorf("moderation: %d results for %d inputs", len(mod.Results), len(parts))
	}
	var reasons []string
	for i, r := range mod.Results {
		if r.Flagged {
			reasons = append(reasons, fmt.Sprintf("%s in the %s", strings.Join(r.FlaggedCategories(), ", "), parts[i]))
		}
	}
	if len(reasons) > 0 {
		fmt.Fprintf(stdout, "[withheld: the generated email was flagged by moderation for %s]\n", strings.Join(reasons, "; "))
		fmt.Fprintln(stdout, spent.String())
		return errWithheld
	}

	fmt.Fprintf(stdout, "Subject:   %s\nPreheader: %s\nButton:    %s -> %s\n\n%s\n\n",
		email.Subject, email.Preheader, email.CallToAction.Text, email.CallToAction.URL, email.HTMLBody)
	fmt.Fprintln(stdout, spent.String())
	return nil
}

// generate asks for an email in the Email schema and decodes it; a refusal,
// a truncated answer or JSON of another shape is an error.
func generate(ctx context.Context, client *openai.Client, req openai.ChatRequest) (Email, error) {
	var err error
	if req.ResponseFormat, err = openai.JSONSchemaFormat[Email]("marketing_email"); err != nil {
		return Email{}, err
	}
	resp, err := client.Chat.New(ctx, req)
	if err != nil {
		return Email{}, err
	}
	return openai.ParseChat[Email](resp)
}
