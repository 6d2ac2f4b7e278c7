// Command cache-redis answers repeated deterministic OpenAI requests from
// Redis: RedisCache implements openai.Cache with go-redis and plugs in with
// openai.WithCache, so every replica of a service shares the replies.
//
// It makes the same request (temperature 0) twice; the second is served
// from Redis without an HTTP request. Without a Redis at -redis (and no
// REDIS_URL) it says so and uses the in-memory openai.NewLRUCache instead.
//
//	go run ./cache-redis
//	go run ./cache-redis -redis redis://localhost:6379/0 -ttl 24h
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cache-redis:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cache-redis", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("redis", os.Getenv("REDIS_URL"), "Redis URL, redis://host:port/db or unix:///path/redis.sock (default $REDIS_URL, else localhost:6379)")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long a reply is kept")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cache, closeCache, err := openCache(ctx, *url, stderr)
	if err != nil {
		return err
	}
	defer closeCache()

	client, fake, closeFake, err := env.OpenAI(stderr, nil, openai.WithCache(cache, *ttl))
	if err != nil {
		return err
	}
	defer closeFake()
	req := openai.ChatRequest{
		Model: "gpt-4o-mini",
		Messages: []openai.ChatMessage{
			openai.SystemMessage("You write short, friendly email subject lines."),
			openai.UserMessage("One subject line for our spring sale on running shoes."),
		},
		Temperature:         openai.Ptr(0.0), // deterministic, so cacheable
		MaxCompletionTokens: 40,
	}
	for i := 1; i <= 2; i++ {
		start := time.Now()
		resp, err := client.Chat.New(ctx, req)
		if err != nil {
			return err
		}
		from := "the API"
		if resp.Meta.Cached {
			from = "the cache"
		}
		fmt.Fprintf(stdout, "call %d: %q from %s in %v\n", i, resp.Text(), from, time.Since(start).Round(time.Microsecond))
	}
	if fake != nil {
		fmt.Fprintf(stdout, "HTTP requests the server received: %d\n", fake.RequestCount("chat/completions"))
	}
	return nil
}

// openCache connects to Redis. With no URL at all it tries localhost and,
// when nothing listens there, falls back to an in-memory cache.
func openCache(ctx context.Context, url string, stderr io.Writer) (openai.Cache, func(), error) {
	if url == "" {
		conn, err := net.DialTimeout("tcp", "localhost:6379", 300*time.Millisecond)
		if err != nil {
			fmt.Fprintln(stderr, "no Redis at localhost:6379 and REDIS_URL is not set: using the in-memory openai.NewLRUCache instead.")
			return openai.NewLRUCache(64 << 20), func() {}, nil
		}
		conn.Close()
		url = "redis://localhost:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, err
	}
	rdb := redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		rdb.Close()
		return nil, nil, fmt.Errorf("redis at %s: %w", url, err)
	}
	cache := NewRedisCache(rdb)
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cache.OnError = func(err error) { logger.Warn("redis cache", "err", err) }
	fmt.Fprintf(stderr, "caching replies in Redis at %s\n", opts.Addr)
	return cache, func() { rdb.Close() }, nil
}
