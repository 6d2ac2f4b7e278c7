package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

// fakes points the example at fakes the test owns, so that they outlive a
// run: the OpenAI fake sits behind a proxy that calls onChat for every chat
// request, and the Brevo fake holds the sample's contacts.
func fakes(t *testing.T, onChat func(n int64)) (*openaitest.Server, *brevotest.Server) {
	t.Helper()
	oa := openaitest.NewServer(t)
	target, _ := url.Parse(oa.URL())
	target.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(target)
	var chats atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") {
			onChat(chats.Add(1))
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	bv := brevotest.NewServer(t)
	items, err := loadFeedback("")
	if err != nil {
		t.Fatal(err)
	}
	if err := seedContacts(context.Background(), bv, items); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", front.URL+"/v1")
	t.Setenv("BREVO_API_KEY", "")
	t.Setenv("BREVO_BASE_URL", bv.URL())
	return oa, bv
}

func lines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestInterruptAndResumeScoresEachContactOnce(t *testing.T) {
	items, _ := loadFeedback("")
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	const n = 12
	oa, bv := fakes(t, func(got int64) {
		if got == n {
			interrupt()
		}
	})
	cp := filepath.Join(t.TempDir(), "checkpoint.jsonl")
	args := []string{"-checkpoint", cp, "-workers", "4"}

	var out, errOut bytes.Buffer
	err := run(ctx, args, &out, &errOut)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v, want context.Canceled\n%s", err, errOut.String())
	}
	first := lines(t, cp)
	if first < n || first >= len(items) {
		t.Fatalf("the interrupted run recorded %d scores, want %d to %d", first, n, len(items)-1)
	}
	if bv.RequestCount("contacts/batch") != 0 {
		t.Fatal("an interrupted run must not write to Brevo")
	}

	out.Reset()
	errOut.Reset()
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("resumed run: %v\n%s", err, errOut.String())
	}
	if lines(t, cp) != len(items) {
		t.Fatalf("checkpoint has %d lines, want %d", lines(t, cp), len(items))
	}
	t.Logf("first run scored %d, second %d; stdout: %s", first, len(items)-first, out.String())

	// Every contact was scored exactly once across both runs.
	perText := map[string]int{}
	for _, r := range oa.Requests() {
		if r.Path != "/chat/completions" {
			continue
		}
		var req openai.ChatRequest
		if err := r.DecodeJSON(&req); err != nil {
			t.Fatal(err)
		}
		perText[req.Messages[len(req.Messages)-1].Content.Text]++
	}
	for _, fb := range items {
		if perText[fb.Text] != 1 {
			t.Errorf("%s was scored %d times, want once", fb.Email, perText[fb.Text])
		}
	}
	if len(perText) != len(items) {
		t.Errorf("%d distinct texts scored, want %d", len(perText), len(items))
	}

	// And the Brevo contacts hold the scores.
	for _, fb := range items {
		c, ok := bv.Contact(fb.Email)
		if !ok {
			t.Fatalf("contact %s is missing", fb.Email)
		}
		score, ok := c.Attributes["SENTIMENT_SCORE"].Number()
		if !ok || score < -1 || score > 1 {
			t.Errorf("%s: SENTIMENT_SCORE = %v", fb.Email, c.Attributes["SENTIMENT_SCORE"])
		}
		if label, _ := c.Attributes["SENTIMENT_LABEL"].Text(); label == "" {
			t.Errorf("%s: no SENTIMENT_LABEL", fb.Email)
		}
	}
	if !hasAttr(bv, "SENTIMENT_SCORE", brevo.AttributeFloat) {
		t.Error("SENTIMENT_SCORE was not created as a float attribute")
	}
}

func hasAttr(bv *brevotest.Server, name string, typ brevo.AttributeType) bool {
	for _, a := range bv.Attributes() {
		if a.Name == name && a.Type == typ {
			return true
		}
	}
	return false
}

func TestOutOfRangeScoreIsSkippedAndRetriedNextRun(t *testing.T) {
	oa, bv := fakes(t, func(int64) {})
	oa.Enqueue("chat/completions", openaitest.JSON(openai.ChatCompletion{
		Object:  "chat.completion",
		Model:   "gpt-4o-mini",
		Choices: []openai.ChatChoice{{Message: openai.ChatCompletionMessage{Role: openai.RoleAssistant, Content: `{"score":3.5,"label":"positive","topics":[]}`}, FinishReason: "stop"}},
	}))
	cp := filepath.Join(t.TempDir(), "checkpoint.jsonl")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-checkpoint", cp, "-workers", "1"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "outside -1..1") || !strings.Contains(out.String(), "1 skipped") {
		t.Fatalf("the out-of-range score was not reported:\n%s\n%s", out.String(), errOut.String())
	}
	items, _ := loadFeedback("")
	if got := lines(t, cp); got != len(items)-1 {
		t.Fatalf("checkpoint has %d scores, want %d", got, len(items)-1)
	}
	if _, ok := mustContact(t, bv, items[0].Email).Attributes["SENTIMENT_SCORE"]; ok {
		t.Fatal("the rejected score reached Brevo")
	}
	out.Reset()
	if err := run(context.Background(), []string{"-checkpoint", cp}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if got := lines(t, cp); got != len(items) {
		t.Fatalf("after the rerun the checkpoint has %d scores, want %d", got, len(items))
	}
}

func mustContact(t *testing.T, bv *brevotest.Server, email string) brevo.Contact {
	t.Helper()
	c, ok := bv.Contact(email)
	if !ok {
		t.Fatalf("no contact %s", email)
	}
	return c
}

func TestLoadFeedbackJSONLGroupsByEmail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.jsonl")
	os.WriteFile(path, []byte(`{"email":"Ada@Example.com","text":"Great shoes."}
{"email":"bob@example.com","text":"Late again."}
{"email":"ada@example.com","text":"And fast delivery."}
`), 0o644)
	got, err := loadFeedback(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Text != "Great shoes.\nAnd fast delivery." || got[1].Email != "bob@example.com" {
		t.Fatalf("got %+v", got)
	}
}

func TestOfflineRunSaysSo(t *testing.T) {
	for _, k := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "BREVO_API_KEY", "BREVO_BASE_URL"} {
		t.Setenv(k, "")
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-checkpoint", filepath.Join(t.TempDir(), "cp.jsonl")}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "in-process fake OpenAI") || !strings.Contains(out.String(), "wrote SENTIMENT_SCORE to 40 Brevo contacts") {
		t.Fatalf("stdout %q\nstderr %q", out.String(), errOut.String())
	}
}
