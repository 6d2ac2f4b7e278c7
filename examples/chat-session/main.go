// Command chat-session is a multi-turn marketing assistant on stdin and
// stdout. Replies are streamed as they are generated; the history is trimmed
// to a token budget (oldest turns first, the system message kept); and the
// session can be saved to and resumed from a JSON file.
//
//	go run ./chat-session -save session.json
//	go run ./chat-session -load session.json -budget 500
//
// Type a message and press Enter; /quit or end of input (Ctrl-D) ends the
// session, saving it when -save is set.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/tokens"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "chat-session:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chat-session", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "gpt-4o-mini", "chat model")
	system := fs.String("system", "You are a concise marketing assistant for Northpeak, an outdoor sports retailer.", "system message of a new session")
	budget := fs.Int("budget", 3000, "prompt token budget; the oldest turns are dropped to stay within it")
	load := fs.String("load", "", "resume the session saved in this JSON file")
	save := fs.String("save", "", "save the session to this JSON file at the end")
	if err := fs.Parse(args); err != nil {
		return err
	}

	s := &Session{Model: *model, Messages: []openai.ChatMessage{openai.SystemMessage(*system)}}
	if *load != "" {
		loaded, err := loadSession(*load)
		if err != nil {
			return err
		}
		if loaded.Model == "" || flagSet(fs, "model") {
			loaded.Model = *model
		}
		s = loaded
		fmt.Fprintf(stderr, "resumed %s: %d messages\n", *load, len(s.Messages))
	}
	enc, err := tokens.ForModel(s.Model, tokens.WithFallback(tokens.O200kBase))
	if err != nil {
		return err
	}

	client, _, closeFn, err := env.OpenAI(stderr, nil)
	if err != nil {
		return err
	}
	defer closeFn()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the reader
	lines := readLines(ctx, stdin)
	for {
		fmt.Fprint(stdout, "you> ")
		var line string
		var ok bool
		select {
		case line, ok = <-lines:
		case <-ctx.Done():
		}
		if !ok || strings.TrimSpace(line) == "/quit" {
			fmt.Fprintln(stdout)
			break
		}
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if err := s.turn(ctx, client, enc, *budget, line, stdout, stderr); err != nil {
			if ctx.Err() != nil {
				break
			}
			fmt.Fprintln(stderr, "error:", err)
		}
	}
	if *save != "" {
		return s.saveTo(*save)
	}
	return nil
}

// readLines delivers the lines of r until it ends or ctx is done, so that an
// interrupt is noticed while waiting for input.
func readLines(ctx context.Context, r io.Reader) <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return lines
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
