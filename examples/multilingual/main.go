// Command multilingual renders one campaign brief in several languages,
// concurrently, and prints a table of the prompt and completion tokens and
// the cost of each. The prompt carries earlier conversation as context;
// tokens.FitMessages drops its oldest turns to keep every prompt inside a
// token budget (-budget).
//
//	go run ./multilingual -langs zh,hi,es,de,ja -budget 150
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/tokens"
)

// languages are the locales this example knows, by ISO 639-1 code.
var languages = map[string]string{
	"zh": "Chinese (Simplified)", "hi": "Hindi", "es": "Spanish", "de": "German", "ja": "Japanese",
	"fr": "French", "pt": "Portuguese (Brazil)", "it": "Italian", "ko": "Korean", "ar": "Arabic",
}

const brief = "Spring trail week: the Trailblazer 2 trail-running shoe launches on 1 April " +
	"with 15% off for members until Sunday. Lighter, grippier, made from 40% recycled materials. " +
	"Write a headline (max 8 words) and two sentences of body copy."

// conversation is the prompt before the request: a system message and
// earlier turns that give context, oldest first.
var conversation = []tokens.Message{
	{Role: "system", Content: "You are the localisation copywriter of Northpeak, an outdoor sports retailer. " +
		"Adapt, do not translate word for word: idioms and tone must feel native. Keep product names in English."},
	{Role: "user", Content: "For reference, last autumn's approved English copy: \"Gear up for the first frost. " +
		"Our Summit jacket keeps you warm on every ridge, now 20% off for members.\""},
	{Role: "assistant", Content: "Noted: short, warm sentences, a concrete benefit, the member offer at the end."},
	{Role: "user", Content: "Regional notes: Germany prefers understatement, Japan polite forms, " +
		"Spain and Latin America an informal 'tú', India Hindi with English product terms."},
	{Role: "assistant", Content: "Understood. I will follow the regional notes."},
}

// result is one language's row.
type result struct {
	code, text     string
	kept, turns    int
	prompt, output int
	usd            float64
	cost           string
	err            error
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "multilingual:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("multilingual", flag.ContinueOnError)
	fs.SetOutput(stderr)
	langs := fs.String("langs", "zh,hi,es,de,ja", "comma-separated language codes")
	model := fs.String("model", "gpt-4o-mini", "chat model")
	budget := fs.Int("budget", 1000, "prompt token budget per language; older context turns are dropped to fit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	codes := strings.Split(*langs, ",")
	for _, code := range codes {
		if languages[code] == "" {
			return fmt.Errorf("unknown language %q (known: %s)", code, strings.Join(slices.Sorted(maps.Keys(languages)), ", "))
		}
	}

	// Fit every prompt first: a budget that is too small fails before
	// anything is sent.
	results := make([]result, len(codes))
	fits := make([]tokens.FitResult, len(codes))
	for i, code := range codes {
		var err error
		if fits[i], err = fitPrompt(*model, code, *budget); err != nil {
			return err
		}
		results[i] = result{code: code, turns: turns(conversation), prompt: fits[i].Tokens}
		results[i].kept = results[i].turns - fits[i].DroppedTurns
	}

	client, _, closeFn, err := env.OpenAI(stderr, nil)
	if err != nil {
		return err
	}
	defer closeFn()
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			localise(ctx, client, *model, fits[i].Messages, &results[i])
		}()
	}
	wg.Wait()

	fmt.Fprintf(stdout, "Brief: %s\nPrompt budget: %d tokens per language (%s)\n\n", brief, *budget, *model)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LANG\tLANGUAGE\tCONTEXT TURNS\tPROMPT\tCOMPLETION\tCOST")
	var total float64
	var errs []error
	for _, r := range results {
		if r.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.code, r.err))
			continue
		}
		total += r.usd
		fmt.Fprintf(tw, "%s\t%s\t%d of %d\t%d\t%d\t%s\n", r.code, languages[r.code], r.kept, r.turns, r.prompt, r.output, r.cost)
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t$%.6f\n", total)
	tw.Flush()
	for _, r := range results {
		if r.err == nil {
			fmt.Fprintf(stdout, "\n[%s]\n%s\n", r.code, r.text)
		}
	}
	return errors.Join(errs...)
}

// fitPrompt appends the request for one language to the conversation and
// drops the oldest context turns until the prompt fits the budget.
func fitPrompt(model, code string, budget int) (tokens.FitResult, error) {
	msgs := append(conversation[:len(conversation):len(conversation)], tokens.Message{Role: "user",
		Content: fmt.Sprintf("Render this campaign brief in %s (%s):\n%s", languages[code], code, brief)})
	enc, err := tokens.ForModel(model, tokens.WithFallback(tokens.O200kBase)) // an approximation for models it does not know
	if err != nil {
		return tokens.FitResult{}, err
	}
	fit, err := enc.FitMessages(msgs, budget)
	if small := (*tokens.BudgetError)(nil); errors.As(err, &small) {
		return fit, fmt.Errorf("-budget %d is too small: the system message and the request for %s alone need %d tokens",
			budget, code, small.Required)
	}
	return fit, err
}

// localise asks for the copy and prices the reply from its usage.
func localise(ctx context.Context, client *openai.Client, model string, msgs []tokens.Message, r *result) {
	req := openai.ChatRequest{Model: model, MaxCompletionTokens: 400, Temperature: openai.Ptr(0.7)}
	for _, m := range msgs {
		req.Messages = append(req.Messages, openai.ChatMessage{Role: openai.Role(m.Role), Content: openai.Content{Text: m.Content}})
	}
	resp, err := client.Chat.New(ctx, req)
	if err != nil {
		r.err = err
		return
	}
	r.text, r.cost = resp.Text(), "no usage"
	if u := resp.Usage; u != nil {
		r.output = u.CompletionTokens
		usd, err := tokens.Cost(model, u.Tokens())
		r.cost = fmt.Sprintf("$%.6f", usd)
		if err != nil {
			r.cost = "no price" // add it with tokens.DefaultPrices().With
		}
		r.usd = usd
	}
}

// turns counts the context turns of msgs: each starts at a user message.
func turns(msgs []tokens.Message) int {
	n := 0
	for _, m := range msgs {
		if m.Role == "user" {
			n++
		}
	}
	return n
}
