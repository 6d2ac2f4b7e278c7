// Command quickstart makes one chat completion call.
//
// With OPENAI_API_KEY set it calls the real API; without it, it starts the
// in-process fake server from openaitest and says so.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer) error {
	client, closeFn, err := newClient(stderr)
	if err != nil {
		return err
	}
	defer closeFn()

	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	resp, err := client.Chat.New(ctx, openai.ChatRequest{
		Model: "gpt-4o-mini",
		Messages: []openai.ChatMessage{
			openai.SystemMessage("You write short, friendly email subject lines."),
			openai.UserMessage("Write one subject line for our spring sale on running shoes."),
		},
		Temperature:         openai.Ptr(0.7),
		MaxCompletionTokens: 60,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, resp.Text())
	if resp.Usage != nil {
		fmt.Fprintf(stderr, "tokens: %d prompt + %d completion (request %s)\n",
			resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Meta.RequestID)
	}
	return nil
}

// newClient calls the real API when OPENAI_API_KEY is set, and an in-process
// fake otherwise.
func newClient(stderr io.Writer) (*openai.Client, func(), error) {
	if os.Getenv("OPENAI_API_KEY") != "" {
		c, err := openai.NewClient()
		return c, func() {}, err
	}
	srv := openaitest.NewServer(nil)
	fmt.Fprintln(stderr, "OPENAI_API_KEY is not set: using the in-process fake server (openaitest).")
	return srv.Client(), srv.Close, nil
}
