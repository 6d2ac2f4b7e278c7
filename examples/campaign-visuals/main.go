// Command campaign-visuals generates a campaign image: the prompt passes
// moderation first (a flagged prompt is refused before any image is paid
// for), gpt-image-1 draws it, and the PNG is saved in a folder (-out).
//
//	go run ./campaign-visuals -out ./visuals -prompt "A trail runner at sunrise, bold flat colours"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
)

// errRefused is returned when moderation flags the prompt.
var errRefused = errors.New("the prompt was refused by moderation")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "campaign-visuals:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("campaign-visuals", flag.ContinueOnError)
	fs.SetOutput(stderr)
	prompt := fs.String("prompt", "A trail runner cresting a ridge at sunrise, bold flat colours, "+
		"space at the top for a headline, no text in the image", "what to draw")
	out := fs.String("out", filepath.Join(os.TempDir(), "campaign-visuals"), "folder the PNG files are saved in")
	model := fs.String("model", "gpt-image-1", "image model")
	size := fs.String("size", "1024x1024", `"1024x1024", "1536x1024" (landscape), "1024x1536" (portrait) or "auto"`)
	quality := fs.String("quality", "low", `"low", "medium", "high" or "auto"; higher costs more`)
	n := fs.Int("n", 1, "how many images")
	if err := fs.Parse(args); err != nil {
		return err
	}

	client, _, closeFn, err := env.OpenAI(stderr, nil, openai.WithTimeout(3*time.Minute))
	if err != nil {
		return err
	}
	defer closeFn()

	// Refuse a flagged prompt before paying for an image.
	mod, err := client.Moderations.New(ctx, openai.ModerationRequest{Input: []string{*prompt}})
	if err != nil {
		return fmt.Errorf("moderation: %w", err)
	}
	if mod.Flagged() {
		fmt.Fprintf(stdout, "[refused: the prompt was flagged by moderation for %s; nothing was generated]\n",
			strings.Join(mod.Results[0].FlaggedCategories(), ", "))
		return errRefused
	}

	req := openai.ImageGenerateRequest{Model: *model, Prompt: *prompt, N: *n, Size: *size, Quality: *quality}
	if strings.HasPrefix(*model, "gpt-image") {
		req.OutputFormat = "png" // gpt-image models always answer in base64
	} else {
		req.ResponseFormat = "b64_json" // dall-e answers with a URL unless asked
		req.Quality = ""                // dall-e-3 knows "standard" and "hd" only
	}
	resp, err := client.Images.Generate(ctx, req)
	if err != nil {
		return err
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	stamp := time.Now().Format("20060102-150405")
	for i, img := range resp.Data {
		path := filepath.Join(*out, fmt.Sprintf("%s-%s-%d.png", slug(*prompt), stamp, i+1))
		if err := img.WriteFile(path); err != nil {
			return fmt.Errorf("saving image %d: %w", i+1, err)
		}
		fmt.Fprintln(stdout, path)
		if img.RevisedPrompt != "" {
			fmt.Fprintf(stderr, "revised prompt: %s\n", img.RevisedPrompt)
		}
	}
	if u := resp.Usage; u != nil {
		fmt.Fprintf(stderr, "usage: %d input + %d output tokens\n", u.InputTokens, u.OutputTokens)
	}
	return nil
}

// slug makes a file name from the first words of the prompt.
func slug(prompt string) string {
	words := strings.FieldsFunc(strings.ToLower(prompt), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) > 5 {
		words = words[:5]
	}
	if len(words) == 0 {
		return "visual"
	}
	return strings.Join(words, "-")
}
