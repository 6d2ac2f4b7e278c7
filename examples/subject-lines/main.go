// Command subject-lines writes email subject lines from a template in a YAML
// prompt file. The model answers in a JSON schema built from a Go type, every
// line passes a moderation gate before it is shown, and the cost of the call
// is printed from its usage.
//
//	go run ./subject-lines -template launch -product "Trailblazer 2 trail shoes"
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
	Product, Audience, Offer string
	Count                    int
}

// SubjectLines is the answer's shape; its JSON schema is sent with the request.
type SubjectLines struct {
	Lines []SubjectLine `json:"lines"`
}

// SubjectLine is one candidate with the model's open-rate prediction.
type SubjectLine struct {
	Text     string `json:"text" jsonschema:"the subject line, at most 60 characters"`
	OpenRate string `json:"predicted_open_rate" enum:"high,medium,low" jsonschema:"the open rate this line should earn, relative to the others"`
	Reason   string `json:"reason" jsonschema:"one sentence: why this line should earn opens"`
}

// errWithheld is returned when moderation leaves nothing to show.
var errWithheld = errors.New("every subject line was withheld by moderation")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "subject-lines:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("subject-lines", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "prompt file (default: the templates.yaml built into the binary)")
	name := fs.String("template", "launch", "template to use")
	var b Brief
	fs.StringVar(&b.Product, "product", "Trailblazer 2 trail-running shoes", "the product")
	fs.StringVar(&b.Audience, "audience", "runners who bought road shoes last spring", "who receives the email")
	fs.StringVar(&b.Offer, "offer", "15% off until Sunday", "the offer")
	fs.IntVar(&b.Count, "n", 5, "how many subject lines to ask for")
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

	lines, err := generate(ctx, client, req)
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return errors.New("the model returned no subject lines")
	}

	// The gate: nothing is shown before moderation has seen it.
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text + "\n" + l.Reason
	}
	mod, err := client.Moderations.New(ctx, openai.ModerationRequest{Input: texts})
	if err != nil {
		return fmt.Errorf("moderation: %w", err)
	}
	if len(mod.Results) != len(texts) {
		return fmt.Errorf("moderation: %d results for %d inputs", len(mod.Results), len(texts))
	}

	fmt.Fprintf(stdout, "Subject lines for %s (template %q, %s):\n", b.Product, tmpl.Name, req.Model)
	shown := 0
	for i, l := range lines {
		if r := mod.Results[i]; r.Flagged {
			fmt.Fprintf(stdout, "    [withheld: flagged by moderation for %s]\n", strings.Join(r.FlaggedCategories(), ", "))
			continue
		}
		shown++
		fmt.Fprintf(stdout, "%2d. %s\n    %s open rate: %s\n", shown, l.Text, l.OpenRate, l.Reason)
	}
	fmt.Fprintln(stdout, spent.String())
	if shown == 0 {
		return errWithheld
	}
	return nil
}

// generate asks for subject lines in the SubjectLines schema and decodes
// them; a refusal, a truncated answer or JSON of another shape is an error.
func generate(ctx context.Context, client *openai.Client, req openai.ChatRequest) ([]SubjectLine, error) {
	var err error
	if req.ResponseFormat, err = openai.JSONSchemaFormat[SubjectLines]("subject_lines"); err != nil {
		return nil, err
	}
	resp, err := client.Chat.New(ctx, req)
	if err != nil {
		return nil, err
	}
	out, err := openai.ParseChat[SubjectLines](resp)
	return out.Lines, err
}
