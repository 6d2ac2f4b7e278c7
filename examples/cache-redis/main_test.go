package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

// startRedis runs a private redis-server on a Unix socket in a temporary
// directory, without persistence, and stops it when the test ends. Without
// redis-server the test is skipped, except under CI=true, where the missing
// install is a failure.
func startRedis(t *testing.T) (url string, rdb *redis.Client) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed; CI must install it: apt-get install -y redis-server")
		}
		t.Skip("redis-server is not installed (apt-get install -y redis-server); skipping the Redis tests")
	}
	dir, err := os.MkdirTemp("", "redis") // short: a socket path is limited to about 100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	url = "unix://" + sock
	opts, _ := redis.ParseURL(url)
	rdb = redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return url, rdb
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not answer PING: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSecondIdenticalCallIsServedFromRedis(t *testing.T) {
	_, rdb := startRedis(t)
	fake := openaitest.NewServer(t)
	client := fake.Client(openai.WithCache(NewRedisCache(rdb), time.Hour))
	ctx := context.Background()
	req := openai.ChatRequest{
		Model:       "gpt-4o-mini",
		Messages:    []openai.ChatMessage{openai.UserMessage("A subject line for our spring sale.")},
		Temperature: openai.Ptr(0.0),
	}
	first, err := client.Chat.New(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	second, err := client.Chat.New(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.RequestCount("chat/completions"); n != 1 {
		t.Fatalf("the server received %d requests, want 1: the second call must come from Redis", n)
	}
	if first.Meta.Cached || !second.Meta.Cached || second.Text() != first.Text() {
		t.Fatalf("first cached=%v, second cached=%v, texts %q and %q", first.Meta.Cached, second.Meta.Cached, first.Text(), second.Text())
	}

	keys, err := rdb.Keys(ctx, "reachkit:openai:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys in Redis: %v, %v; want one", keys, err)
	}
	val, err := rdb.Get(ctx, keys[0]).Bytes()
	if err != nil || !bytes.Contains(val, []byte(first.Text())) {
		t.Fatalf("Redis holds %q (%v), want the reply", val, err)
	}
	if ttl := rdb.TTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("TTL %v, want at most an hour", ttl)
	}

	// A non-deterministic request is not cached.
	req.Temperature = openai.Ptr(0.8)
	client.Chat.New(ctx, req)
	client.Chat.New(ctx, req)
	if n := fake.RequestCount("chat/completions"); n != 3 {
		t.Fatalf("%d requests, want 3: temperature 0.8 must not be cached", n)
	}
}

func TestRedisCacheGetSet(t *testing.T) {
	_, rdb := startRedis(t)
	c := NewRedisCache(rdb)
	ctx := context.Background()
	if _, ok := c.Get(ctx, "k"); ok {
		t.Fatal("hit on an empty cache")
	}
	c.Set(ctx, "k", []byte("v"), 0)
	if v, ok := c.Get(ctx, "k"); !ok || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
	if ttl := rdb.TTL(ctx, "k").Val(); ttl != -1 {
		t.Fatalf("ttl 0 must mean no expiry, got %v", ttl)
	}
	c.Set(ctx, "short", []byte("v"), 50*time.Millisecond)
	time.Sleep(150 * time.Millisecond)
	if _, ok := c.Get(ctx, "short"); ok {
		t.Fatal("an expired entry was returned")
	}
}

func TestRedisDownIsAMissNotAFailure(t *testing.T) {
	opts, _ := redis.ParseURL("unix://" + filepath.Join(t.TempDir(), "nothing.sock"))
	opts.DialerRetries, opts.MaxRetries = 1, -1
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	c := NewRedisCache(rdb)
	var errs int
	c.OnError = func(error) { errs++ }
	fake := openaitest.NewServer(t)
	client := fake.Client(openai.WithCache(c, time.Hour))
	req := openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage("hi")}, Temperature: openai.Ptr(0.0)}
	for range 2 {
		if _, err := client.Chat.New(context.Background(), req); err != nil {
			t.Fatalf("a Redis outage failed the call: %v", err)
		}
	}
	if fake.RequestCount("chat/completions") != 2 || errs == 0 {
		t.Fatalf("requests %d, errors reported %d", fake.RequestCount("chat/completions"), errs)
	}
}

func TestRunUsesRedis(t *testing.T) {
	url, rdb := startRedis(t)
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-redis", url}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "call 2:") || !strings.Contains(out.String(), "from the cache") ||
		!strings.Contains(out.String(), "HTTP requests the server received: 1") {
		t.Fatalf("output:\n%s\n%s", out.String(), errOut.String())
	}
	if n := rdb.DBSize(context.Background()).Val(); n != 1 {
		t.Fatalf("%d keys in Redis, want 1", n)
	}
}
