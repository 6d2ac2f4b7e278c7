package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
	"github.com/reachkit/reachkit/tokens"
)

// scripted points run at fake, a server the test scripts and inspects.
func scripted(t *testing.T) *openaitest.Server {
	fake := openaitest.NewServer(t)
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", fake.URL())
	return fake
}

// sentMessages returns the messages of every chat request the fake received.
func sentMessages(t *testing.T, fake *openaitest.Server) [][]openai.ChatMessage {
	var all [][]openai.ChatMessage
	for _, r := range fake.Requests() {
		var body struct {
			Messages []openai.ChatMessage `json:"messages"`
			Stream   bool                 `json:"stream"`
		}
		if err := r.DecodeJSON(&body); err != nil {
			t.Fatal(err)
		}
		if !body.Stream {
			t.Errorf("request not streamed")
		}
		all = append(all, body.Messages)
	}
	return all
}

// writes records each Write separately, to see streaming happen.
type writes struct {
	mu    sync.Mutex
	parts []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.parts = append(w.parts, string(p))
	return len(p), nil
}

func TestOfflineStreamsEachReply(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	var out writes
	var errOut bytes.Buffer
	in := strings.NewReader("Hello there\nWrite a tagline for our spring sale\n")
	if err := run(context.Background(), nil, in, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "in-process fake") {
		t.Errorf("the offline run must say so; stderr: %q", errOut.String())
	}
	all := strings.Join(out.parts, "")
	for _, want := range []string{
		"you> assistant> Reply from openaitest to: Hello there\n",
		"you> assistant> Reply from openaitest to: Write a tagline for our spring sale\n",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q:\n%s", want, all)
		}
	}
	// The fake streams a word per chunk: each must reach the writer on its own.
	deltas := 0
	for _, p := range out.parts {
		if p == " tagline" || p == " spring" {
			deltas++
		}
	}
	if deltas != 2 {
		t.Errorf("the reply was not written delta by delta: %q", out.parts)
	}
}

func TestSessionRoundTripsThroughJSON(t *testing.T) {
	fake := scripted(t)
	path := filepath.Join(t.TempDir(), "session.json")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-save", path, "-model", "gpt-4.1-mini"}, strings.NewReader("first\nsecond\n/quit\nnever sent\n"), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	saved, err := loadSession(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Model != "gpt-4.1-mini" || len(saved.Messages) != 5 || saved.Messages[0].Role != openai.RoleSystem ||
		saved.Messages[3].Content.Text != "second" || saved.Messages[4].Content.Text != "Reply from openaitest to: second" {
		t.Fatalf("saved session: %+v", saved)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("session file mode: %v %v", fi.Mode(), err)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"role": "assistant",`) {
		t.Errorf("not in the API's message format:\n%s", raw)
	}

	out.Reset()
	if err := run(context.Background(), []string{"-load", path, "-save", path}, strings.NewReader("third\n"), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	sent := sentMessages(t, fake)
	if len(sent) != 3 {
		t.Fatalf("%d requests, want 3", len(sent))
	}
	last := sent[2]
	if len(last) != 6 || last[1].Content.Text != "first" || last[4].Content.Text != "Reply from openaitest to: second" || last[5].Content.Text != "third" {
		t.Errorf("the resumed session did not send the loaded history: %+v", last)
	}
	resumed, err := loadSession(path)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Model != "gpt-4.1-mini" || len(resumed.Messages) != 7 {
		t.Errorf("resaved session: model %s, %d messages", resumed.Model, len(resumed.Messages))
	}
}

func TestHistoryIsTrimmedToTheBudget(t *testing.T) {
	fake := scripted(t)
	const budget = 80
	path := filepath.Join(t.TempDir(), "session.json")
	input := strings.Repeat("Give me one more idea for the spring trail campaign, please\n", 6)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-budget", "80", "-save", path}, strings.NewReader(input), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "[history trimmed: dropped the 1 oldest turn(s) to stay within 80 tokens]") {
		t.Errorf("no trimming notice:\n%s", errOut.String())
	}
	sent := sentMessages(t, fake)
	if len(sent) != 6 {
		t.Fatalf("%d requests, want 6", len(sent))
	}
	for i, msgs := range sent {
		conv := make([]tokens.Message, len(msgs))
		for j, m := range msgs {
			conv[j] = tokens.Message{Role: string(m.Role), Content: m.Content.Text}
		}
		n, err := tokens.CountMessages("gpt-4o-mini", conv)
		if err != nil {
			t.Fatal(err)
		}
		if n > budget || msgs[0].Role != openai.RoleSystem || msgs[len(msgs)-1].Role != openai.RoleUser {
			t.Errorf("request %d: %d tokens, roles %v", i, n, conv)
		}
	}
	if len(sent[5]) >= 12 {
		t.Errorf("the last request carries the whole history (%d messages)", len(sent[5]))
	}
	saved, err := loadSession(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Messages) >= 13 {
		t.Errorf("the saved history was not trimmed: %d messages", len(saved.Messages))
	}
}

func TestTooLongAndFailedTurnsLeaveTheHistoryIntact(t *testing.T) {
	fake := scripted(t)
	fake.Enqueue("chat/completions", openaitest.Error(400, "context_length_exceeded", "This model's maximum context length is 128000 tokens"))
	path := filepath.Join(t.TempDir(), "session.json")
	input := "this one fails\n" + strings.Repeat("very long ", 100) + "\nshort\n"
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-budget", "100", "-save", path}, strings.NewReader(input), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	for _, want := range []string{"error: ", "maximum context length", "error: the message does not fit the -budget of 100 tokens"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	saved, err := loadSession(path)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range saved.Messages[1:] {
		texts = append(texts, m.Content.Text)
	}
	if want := []string{"short", "Reply from openaitest to: short"}; strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("history = %q, want %q", texts, want)
	}
	b, _ := json.Marshal(saved)
	if strings.Contains(string(b), "fails") {
		t.Errorf("the failed turn stayed in the history")
	}
}
