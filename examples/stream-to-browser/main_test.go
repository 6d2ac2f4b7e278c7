package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

// words is the scripted reply, streamed a piece per event.
var words = []string{"Grip", " that", " bites", " into", " mud,", " a", " sole", " that", " shrugs", " off", " rock."}

// scriptedSSE is a chat completion stream carrying pieces, as the API sends it.
func scriptedSSE(pieces []string) openaitest.Reply {
	var b strings.Builder
	chunk := func(delta, finish string) {
		fin := "null"
		if finish != "" {
			fin = `"` + finish + `"`
		}
		fmt.Fprintf(&b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":%s,"finish_reason":%s}]}`+"\n\n", delta, fin)
	}
	chunk(`{"role":"assistant","content":""}`, "")
	for _, p := range pieces {
		d, _ := json.Marshal(map[string]string{"content": p})
		chunk(string(d), "")
	}
	chunk(`{}`, "stop")
	b.WriteString("data: [DONE]\n\n")
	return openaitest.Raw(http.StatusOK, "text/event-stream", b.String())
}

// serve starts the handler against a fake whose stream arrives one event
// per delay.
func serve(t *testing.T, delay time.Duration, replies ...openaitest.Reply) (*httptest.Server, *openaitest.Server) {
	fake := openaitest.NewServer(t)
	fake.Enqueue("chat/completions", replies...)
	client := fake.Client(openai.WithMiddleware(paceEvents(delay)))
	srv := httptest.NewServer(newHandler(client, "gpt-4o-mini", slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return srv, fake
}

type event struct {
	name, data string
	at         time.Time
}

// readEvents reads the server-sent events of body until it ends.
func readEvents(t *testing.T, body io.Reader) []event {
	var out []event
	var cur event
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		case line == "":
			cur.at = time.Now()
			out = append(out, cur)
			cur = event{}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func text(t *testing.T, e event) string {
	var v struct{ Text, Message string }
	if err := json.Unmarshal([]byte(e.data), &v); err != nil {
		t.Fatalf("event %s: %v", e.name, err)
	}
	return v.Text + v.Message
}

func TestStreamSendsFlushedDeltasThenDone(t *testing.T) {
	srv, fake := serve(t, 30*time.Millisecond, scriptedSSE(words))
	resp, err := http.Get(srv.URL + "/stream?product=Trailblazer+2&audience=mud+lovers")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	events := readEvents(t, resp.Body)
	if len(events) != len(words)+1 {
		t.Fatalf("%d events, want %d deltas and done: %+v", len(events), len(words), events)
	}
	var got strings.Builder
	for i, e := range events[:len(words)] {
		if e.name != "delta" || text(t, e) != words[i] {
			t.Errorf("event %d = %+v, want delta %q", i, e, words[i])
		}
		got.WriteString(text(t, e))
	}
	if spread := events[len(words)-1].at.Sub(events[0].at); spread < 150*time.Millisecond {
		t.Errorf("the deltas arrived together (within %v): not flushed one by one", spread)
	}
	last := events[len(events)-1]
	if last.name != "done" || text(t, last) != got.String() {
		t.Errorf("last event %+v, want done with %q", last, got.String())
	}

	var sent struct {
		Messages []openai.ChatMessage `json:"messages"`
	}
	if err := fake.Requests()[0].DecodeJSON(&sent); err != nil {
		t.Fatal(err)
	}
	if user := sent.Messages[1].Content.Text; user != "Write a 60-word product description of Trailblazer 2 for mud lovers." {
		t.Errorf("prompt %q", user)
	}
}

func TestStreamReportsAFailure(t *testing.T) {
	srv, _ := serve(t, 0, openaitest.Error(http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided"))
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := readEvents(t, resp.Body)
	if len(events) != 1 || events[0].name != "failed" || !strings.Contains(text(t, events[0]), "could not be generated") {
		t.Fatalf("events %+v, want one failed event", events)
	}
	if strings.Contains(events[0].data, "API key") {
		t.Errorf("the API's error reached the browser: %s", events[0].data)
	}
}

func TestRunServesThePage(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, pw, io.Discard) }()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "serving on "))
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `new EventSource("stream?"`) || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("unexpected page (%s)", resp.Header.Get("Content-Type"))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

const chromium = "/usr/bin/chromium"

// TestBrowserShowsTextAsItArrives loads the page in headless Chromium,
// submits the form, and watches the text grow until the done event.
func TestBrowserShowsTextAsItArrives(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing, and CI must run the browser test: apt-get update && apt-get install -y chromium", chromium)
		}
		t.Skipf("%s not found: skipping the browser test (install it with: apt-get install -y chromium)", chromium)
	}
	srv, _ := serve(t, 150*time.Millisecond, scriptedSSE(words))
	full := strings.Join(words, "")

	start := time.Now()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profileDir(t)),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true))
	ctx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	if err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible("#generate", chromedp.ByID),
		chromedp.Click("#generate", chromedp.ByID),
	); err != nil {
		t.Fatal(err)
	}
	t.Logf("browser up and form submitted in %v", time.Since(start).Round(time.Millisecond))

	var partial []string // the distinct non-empty texts seen before the end
	var final string
	for {
		var seen struct{ Text, State string }
		if err := chromedp.Run(ctx, chromedp.Evaluate(
			`({text: document.getElementById("copy").textContent, state: document.body.dataset.state})`, &seen)); err != nil {
			t.Fatalf("after %d states %q: %v", len(partial), partial, err)
		}
		if seen.State == "done" || seen.State == "failed" {
			if seen.State == "failed" {
				t.Fatalf("the page reports a failure; text %q", seen.Text)
			}
			final = seen.Text
			break
		}
		if seen.Text != "" && (len(partial) == 0 || partial[len(partial)-1] != seen.Text) {
			partial = append(partial, seen.Text)
		}
		time.Sleep(20 * time.Millisecond)
	}

	if final != full {
		t.Errorf("final text %q, want %q", final, full)
	}
	for i, p := range partial {
		if !strings.HasPrefix(full, p) || i > 0 && !strings.HasPrefix(p, partial[i-1]) {
			t.Errorf("state %d %q does not grow towards the full text", i, p)
		}
	}
	if len(partial) < 3 {
		t.Errorf("saw %d partial states %q, want at least 3 before the end", len(partial), partial)
	}
	t.Logf("%d partial states before the end; first %q", len(partial), partial[0])
}

// profileDir returns a fresh --user-data-dir, removed after the test. The
// browser's helper processes may write to it for a moment after the browser
// has exited, so the removal is repeated until the folder stays gone.
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "chromium-profile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			_ = os.RemoveAll(dir)
			time.Sleep(200 * time.Millisecond)
			if _, err := os.Stat(dir); os.IsNotExist(err) {
				return
			}
		}
		t.Logf("could not remove the browser profile %s", dir)
	})
	return dir
}
