// Command stream-to-browser serves a page that streams generated product
// copy into the browser as the model writes it: the handler relays each
// delta of a chat stream as a server-sent event and flushes it at once,
// and ends with a "done" event the page recognises.
//
//	go run ./stream-to-browser -addr 127.0.0.1:8080
//	open http://127.0.0.1:8080
package main

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
)

//go:embed index.html
var page []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "stream-to-browser:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stream-to-browser", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve on")
	model := fs.String("model", "gpt-4o-mini", "chat model")
	if err := fs.Parse(args); err != nil {
		return err
	}

	client, fake, closeFn, err := env.OpenAI(stderr, nil)
	if err != nil {
		return err
	}
	defer closeFn()
	if fake != nil {
		client = fake.Client(openai.WithMiddleware(paceEvents(60 * time.Millisecond)))
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newHandler(client, *model, slog.New(slog.NewTextHandler(stderr, nil))),
		ReadHeaderTimeout: 10 * time.Second,
		// No WriteTimeout: it would cut long streams. Requests inherit ctx,
		// so an interrupt ends open streams and Shutdown returns promptly.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	fmt.Fprintf(stdout, "serving on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// newHandler serves the page at / and the copy stream at /stream.
func newHandler(client *openai.Client, model string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		streamCopy(w, r, client, model, log)
	})
	return mux
}

// streamCopy relays a chat stream as server-sent events: "delta" events
// carrying {"text": piece}, then "done" with the whole text, or "failed"
// with a message fit for the page. Each event is flushed as it is written.
func streamCopy(w http.ResponseWriter, r *http.Request, client *openai.Client, model string, log *slog.Logger) {
	q := r.URL.Query()
	product := cmp.Or(q.Get("product"), "Trailblazer 2 trail-running shoes")
	audience := cmp.Or(q.Get("audience"), "weekend trail runners")
	if len(product) > 200 || len(audience) > 200 {
		http.Error(w, "product and audience are limited to 200 bytes", http.StatusBadRequest)
		return
	}

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // tells nginx not to buffer the stream
	rc := http.NewResponseController(w)
	send := func(event string, v any) error {
		data, err := json.Marshal(v) // JSON keeps newlines in the text from ending the event
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return err
		}
		return rc.Flush()
	}

	// r.Context ends when the browser goes away, which stops the generation.
	stream := client.Chat.Stream(r.Context(), openai.ChatRequest{
		Model: model,
		Messages: []openai.ChatMessage{
			openai.SystemMessage("You write vivid, concrete product copy for Northpeak, an outdoor sports retailer. Plain text, no markdown."),
			openai.UserMessage(fmt.Sprintf("Write a 60-word product description of %s for %s.", product, audience)),
		},
		MaxCompletionTokens: 300,
	})
	defer stream.Close()
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			if ch.Delta.Content == "" {
				continue
			}
			if err := send("delta", map[string]string{"text": ch.Delta.Content}); err != nil {
				return // the browser is gone
			}
		}
	}
	if err := stream.Err(); err != nil {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			return
		}
		log.Error("stream failed", "err", err)
		_ = send("failed", map[string]string{"message": "The copy could not be generated. Please try again."})
		return
	}
	_ = send("done", map[string]string{"text": stream.Text()})
}
