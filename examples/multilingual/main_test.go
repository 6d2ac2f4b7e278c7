package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

// scripted points run at fake, a server the test scripts.
func scripted(t *testing.T) *openaitest.Server {
	fake := openaitest.NewServer(t)
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", fake.URL())
	return fake
}

// rows returns the table's rows by their first column.
func rows(out string) map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			m[f[0]] = f
		}
	}
	return m
}

func TestOfflineTableHasARowPerLanguage(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "in-process fake") {
		t.Errorf("the offline run must say so; stderr: %q", errOut.String())
	}
	table := rows(out.String())
	for _, code := range []string{"zh", "hi", "es", "de", "ja"} {
		row := table[code]
		if len(row) < 6 || !strings.HasPrefix(row[len(row)-1], "$0.0000") {
			t.Errorf("row %s = %q", code, row)
		}
		if !strings.Contains(out.String(), "["+code+"]\nReply from openaitest to: Render this campaign brief in") {
			t.Errorf("no copy for %s", code)
		}
	}
	if !strings.Contains(out.String(), "2 of 2") {
		t.Errorf("the default budget should keep all context:\n%s", out.String())
	}
	if table["total"] == nil {
		t.Errorf("no total row:\n%s", out.String())
	}
}

func TestCostComesFromUsage(t *testing.T) {
	fake := scripted(t)
	reply := openaitest.JSON(openai.ChatCompletion{Model: "gpt-4o-mini",
		Choices: []openai.ChatChoice{{Message: openai.ChatCompletionMessage{Role: openai.RoleAssistant, Content: "Frühling auf dem Trail"}, FinishReason: "stop"}},
		Usage:   &openai.Usage{PromptTokens: 1000, CompletionTokens: 500, TotalTokens: 1500}})
	fake.Enqueue("chat/completions", reply, reply)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-langs", "de,es"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	table := rows(out.String())
	for _, code := range []string{"de", "es"} {
		if row := table[code]; row[len(row)-1] != "$0.000450" || row[len(row)-2] != "500" {
			t.Errorf("row %s = %q, want 500 completion tokens costing $0.000450", code, row)
		}
	}
	if got := table["total"]; got[len(got)-1] != "$0.000900" {
		t.Errorf("total = %q", got)
	}
	if len(table) == 0 || table["zh"] != nil {
		t.Errorf("unexpected rows:\n%s", out.String())
	}
}

func TestSmallBudgetDropsOldContext(t *testing.T) {
	fake := scripted(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-langs", "ja", "-budget", "200"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	row := rows(out.String())["ja"]
	if strings.Join(row[2:5], " ") != "1 of 2" {
		t.Errorf("row = %q, want 1 of 2 context turns kept", row)
	}
	var sent struct {
		Messages []openai.ChatMessage `json:"messages"`
	}
	if err := fake.Requests()[0].DecodeJSON(&sent); err != nil {
		t.Fatal(err)
	}
	body := ""
	for _, m := range sent.Messages {
		body += string(m.Role) + ": " + m.Content.Text + "\n"
	}
	if strings.Contains(body, "last autumn's approved English copy") {
		t.Errorf("the oldest turn was sent:\n%s", body)
	}
	for _, kept := range []string{"system: You are the localisation copywriter", "Regional notes", "in Japanese (ja)"} {
		if !strings.Contains(body, kept) {
			t.Errorf("%q was dropped:\n%s", kept, body)
		}
	}
}

func TestBudgetTooSmallSendsNothing(t *testing.T) {
	fake := scripted(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-budget", "50"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "-budget 50 is too small") {
		t.Fatalf("err = %v", err)
	}
	if n := fake.RequestCount(""); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestUnknownLanguage(t *testing.T) {
	err := run(context.Background(), []string{"-langs", "de,xx"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `unknown language "xx"`) {
		t.Fatalf("err = %v", err)
	}
}
