package faults_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
	"github.com/reachkit/reachkit/ratelimit"
)

// op is one kind of call; it checks that the reply is the one for its own
// request, so that replies crossing between goroutines (a shared buffer,
// a reused decoder) are caught, not only races.
type op struct {
	name string
	run  func(ctx context.Context, oc *openai.Client, bc *brevo.Client, g, i int) error
}

func prompt(g, i int) string { return fmt.Sprintf("subject line %d-%d", g, i) }

func wantReply(got, p string) error {
	if !strings.Contains(got, p) {
		return fmt.Errorf("the reply %q is not for %q", got, p)
	}
	return nil
}

var ops = []op{
	{"chat", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		p := prompt(g, i)
		resp, err := oc.Chat.New(ctx, openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage(p)}})
		if err != nil {
			return err
		}
		return wantReply(resp.Text(), p)
	}},
	{"chat stream", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		p := prompt(g, i)
		st := oc.Chat.Stream(ctx, openai.ChatRequest{Model: "gpt-4o-mini", Messages: []openai.ChatMessage{openai.UserMessage(p)}})
		defer st.Close()
		var text strings.Builder
		for st.Next() {
			for _, ch := range st.Current().Choices {
				text.WriteString(ch.Delta.Content)
			}
		}
		if err := st.Err(); err != nil {
			return err
		}
		if text.String() != st.Completion().Text() {
			return fmt.Errorf("deltas %q, completion %q", text.String(), st.Completion().Text())
		}
		return wantReply(text.String(), p)
	}},
	{"responses", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		p := prompt(g, i)
		resp, err := oc.Responses.New(ctx, openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput(p)})
		if err != nil {
			return err
		}
		return wantReply(resp.OutputText(), p)
	}},
	{"responses stream", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		p := prompt(g, i)
		st := oc.Responses.Stream(ctx, openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput(p)})
		defer st.Close()
		for st.Next() {
		}
		if err := st.Err(); err != nil {
			return err
		}
		return wantReply(st.OutputText(), p)
	}},
	{"embeddings", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		p := prompt(g, i)
		resp, err := oc.Embeddings.New(ctx, openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: []string{p, "shoes"}, Dimensions: 32})
		if err != nil {
			return err
		}
		if v := resp.Vectors(); len(v) != 2 || !slices.Equal(v[0], openaitest.Embed(p, 32)) {
			return fmt.Errorf("the vectors are not those of %q", p)
		}
		return nil
	}},
	{"images", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		resp, err := oc.Images.Generate(ctx, openai.ImageGenerateRequest{Model: "gpt-image-1", Prompt: prompt(g, i)})
		if err != nil {
			return err
		}
		if len(resp.Data) == 0 {
			return fmt.Errorf("no image")
		}
		b, err := resp.Data[0].Bytes()
		if err == nil && !bytes.Equal(b, openaitest.PNG()) {
			err = fmt.Errorf("not the fake's PNG")
		}
		return err
	}},
	{"speech", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		sp, err := oc.Audio.Speech(ctx, openai.SpeechRequest{Model: "gpt-4o-mini-tts", Input: prompt(g, i), Voice: "alloy"})
		if err != nil {
			return err
		}
		defer sp.Close()
		n, err := io.Copy(io.Discard, sp)
		if err == nil && n == 0 {
			err = fmt.Errorf("no audio")
		}
		return err
	}},
	{"transcription", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		tr, err := oc.Audio.Transcribe(ctx, openai.TranscriptionRequest{File: bytes.NewReader(openaitest.WAV()), Filename: "call.wav", Model: "whisper-1"})
		if err != nil {
			return err
		}
		if tr.Text != openaitest.Transcript {
			return fmt.Errorf("transcript %q", tr.Text)
		}
		return nil
	}},
	{"moderations", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		m, err := oc.Moderations.New(ctx, openai.ModerationRequest{Input: []string{prompt(g, i)}})
		if err == nil && len(m.Results) != 1 {
			err = fmt.Errorf("%d results", len(m.Results))
		}
		return err
	}},
	{"models", func(ctx context.Context, oc *openai.Client, _ *brevo.Client, g, i int) error {
		l, err := oc.Models.List(ctx)
		if err == nil && len(l.Data) == 0 {
			err = fmt.Errorf("no models")
		}
		return err
	}},
	{"brevo contacts", func(ctx context.Context, _ *openai.Client, bc *brevo.Client, g, i int) error {
		email := fmt.Sprintf("c%d-%d@example.com", g, i)
		if _, err := bc.Contacts.Create(ctx, brevo.CreateContactRequest{Email: email, UpdateEnabled: true}); err != nil {
			return err
		}
		c, err := bc.Contacts.Get(ctx, brevo.ByEmail(email))
		if err == nil && c.Email != email {
			err = fmt.Errorf("got contact %q, want %q", c.Email, email)
		}
		return err
	}},
	{"brevo lists", func(ctx context.Context, _ *openai.Client, bc *brevo.Client, g, i int) error {
		email := fmt.Sprintf("l%d-%d@example.com", g, i)
		if _, err := bc.Contacts.Create(ctx, brevo.CreateContactRequest{Email: email, UpdateEnabled: true}); err != nil {
			return err
		}
		_, err := bc.Lists.AddContacts(ctx, sharedList.Load(), brevo.ListMembers{Emails: []string{email}})
		return err
	}},
	{"brevo email", func(ctx context.Context, _ *openai.Client, bc *brevo.Client, g, i int) error {
		sent, err := bc.Email.Send(ctx, brevo.SendEmailRequest{Sender: &brevo.Sender{Email: "shop@example.com"},
			To: []brevo.Address{{Email: fmt.Sprintf("e%d-%d@example.com", g, i)}}, Subject: prompt(g, i), HTMLContent: "<p>Hi</p>"})
		if err == nil && sent.MessageID == "" {
			err = fmt.Errorf("no message id")
		}
		return err
	}},
}

// retryable reports an *APIError that sending again might cure.
func retryable(err error) bool {
	var oe *openai.APIError
	var be *brevo.APIError
	return errors.As(err, &oe) && oe.IsRetryable() || errors.As(err, &be) && be.IsRetryable()
}

// sharedList is the list every "brevo lists" op adds to.
var sharedList atomic.Int64

// TestSharedClients shares one openai and one brevo client, with retries,
// throttles, a cache, a usage hook and debug logging, between 500
// goroutines that mix every kind of call. Run it with -race. By default each
// goroutine makes one call; REACHKIT_SOAK=2m keeps them calling for that
// long. No call may fail or get another call's reply, and no goroutine may
// outlive the test.
func TestSharedClients(t *testing.T) {
	const goroutines = 500
	soak := time.Duration(0)
	if v := os.Getenv("REACHKIT_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("REACHKIT_SOAK=%q: %v", v, err)
		}
		soak = d
	}
	leakOpt := goleak.IgnoreCurrent()
	// A simulated rate limit (per second, with hidden co-tenant traffic) so
	// that the throttle waits, 429s happen and are retried under load.
	osrv := openaitest.NewServer(nil, openaitest.WithRateLimits(openaitest.RateLimits{
		Window: time.Second, Default: openaitest.Limits{RPM: 300, TPM: 2_000_000}, CoTenant: 0.05,
		Latency: time.Millisecond, LatencyJitter: 4 * time.Millisecond,
	}))
	bsrv := brevotest.NewServer(nil, brevotest.WithRouteLimits(map[string]float64{
		brevo.GroupContacts: 1e6, brevo.GroupTransactional: 1e6, brevo.GroupCampaigns: 1e6, brevo.GroupDefault: 1e6}))
	defer func() {
		osrv.Close()
		bsrv.Close()
		if err := goroutinesLeft(leakOpt); err != nil {
			t.Errorf("leaked goroutines: %v", err)
		}
	}()
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var usage atomic.Int64
	retry := ratelimit.RetryPolicy{MaxRetries: 3, InitialInterval: time.Millisecond, MaxInterval: 10 * time.Millisecond}
	oc := osrv.Client(openai.WithRetry(retry), openai.WithMiddleware(ratelimit.Throttle(ratelimit.NewLimiter(ratelimit.LimiterConfig{}))),
		openai.WithLogger(quiet), openai.WithCache(openai.NewLRUCache(8<<20), time.Minute),
		openai.WithUsageHook(func(context.Context, openai.UsageEvent) { usage.Add(1) }))
	bc := bsrv.Client(brevo.WithRetry(retry), brevo.WithMiddleware(brevo.Throttle()), brevo.WithLogger(quiet))

	ctx := context.Background()
	folder, err := bc.Folders.Create(ctx, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	list, err := bc.Lists.Create(ctx, brevo.CreateListRequest{Name: "Shared", FolderID: folder.ID})
	if err != nil {
		t.Fatal(err)
	}
	sharedList.Store(list.ID)

	// Chaos: transient errors scripted into the servers' queues while the
	// calls run, so that retries (and the throttle's 429 pauses) happen
	// concurrently too. A call that still fails after its retries gets a
	// retryable *APIError: a typed outcome, counted.
	stopChaos := make(chan struct{})
	chaosDone := make(chan struct{})
	var injected atomic.Int64
	go func() {
		defer close(chaosDone)
		paths := []string{"chat/completions", "responses", "embeddings", "moderations", "models", "images/generations", "audio/speech", "audio/transcriptions"}
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stopChaos:
				return
			case <-tick.C:
			}
			switch i % 4 {
			case 0:
				r := openaitest.Error(429, "rate_limit_exceeded", "chaos")
				r.Header = http.Header{"Retry-After-Ms": {"1"}}
				osrv.Enqueue(paths[i%len(paths)], r)
			case 1, 2:
				osrv.Enqueue(paths[i%len(paths)], openaitest.Error(503, "overloaded", "chaos"))
			case 3:
				bsrv.Enqueue([]string{"contacts", "smtp/email"}[i/4%2], brevotest.Error(502, "bad_gateway", "chaos"))
			}
			injected.Add(1)
		}
	}()

	deadline := time.Now().Add(soak)
	var calls, limited, gaveUp atomic.Int64
	counts := make([]atomic.Int64, len(ops))
	errs := make(chan error, goroutines)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; ; i++ {
				k := (g + i) % len(ops)
				cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				err := ops[k].run(cctx, oc, bc, g, i)
				cancel()
				calls.Add(1)
				counts[k].Add(1)
				if openai.IsRateLimit(err) {
					// Still limited after the retries: a typed outcome
					// the caller can act on, under a load meant to cause it.
					limited.Add(1)
					err = nil
				} else if retryable(err) {
					gaveUp.Add(1)
					err = nil
				}
				if err != nil {
					errs <- fmt.Errorf("goroutine %d, %s: %w", g, ops[k].name, err)
					return
				}
				if !time.Now().Before(deadline) {
					return
				}
			}
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	close(stopChaos)
	<-chaosDone
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 10 {
			t.Error(err)
		}
	}
	if n > 10 {
		t.Errorf("... and %d more failures", n-10)
	}
	var mix []string
	for k := range ops {
		mix = append(mix, fmt.Sprintf("%s %d", ops[k].name, counts[k].Load()))
	}
	stats := osrv.RateLimitStats()
	t.Logf("%d calls by %d goroutines in %v (%s); usage events %d; simulator admitted %d, answered 429 to %d; "+
		"%d transient errors injected; still failing after retries: %d rate limited, %d other retryable",
		calls.Load(), goroutines, time.Since(began).Round(time.Millisecond), strings.Join(mix, ", "), usage.Load(),
		stats.Admitted, stats.Rejected, injected.Load(), limited.Load(), gaveUp.Load())
}
