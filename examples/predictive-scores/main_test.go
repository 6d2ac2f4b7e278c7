package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

func fakes(t *testing.T) (*openaitest.Server, *brevotest.Server, Input) {
	t.Helper()
	oa, bv := openaitest.NewServer(t), brevotest.NewServer(t)
	input, err := loadInput("")
	if err != nil {
		t.Fatal(err)
	}
	if err := seedContacts(context.Background(), bv.Client(), input.Contacts); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", oa.URL())
	t.Setenv("BREVO_API_KEY", "")
	t.Setenv("BREVO_BASE_URL", bv.URL())
	return oa, bv, input
}

// scores returns a contact's three attributes, and whether it has them.
func scores(bv *brevotest.Server, email string) (churn, ltv, propensity float64, ok bool) {
	c, found := bv.Contact(email)
	if !found {
		return 0, 0, 0, false
	}
	churn, ok1 := c.Attributes["CHURN_RISK"].Number()
	ltv, ok2 := c.Attributes["PREDICTED_LTV"].Number()
	propensity, ok3 := c.Attributes["PURCHASE_PROPENSITY"].Number()
	return churn, ltv, propensity, ok1 && ok2 && ok3
}

func TestEveryContactGetsValidScores(t *testing.T) {
	oa, bv, input := fakes(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	t.Log(out.String())
	for _, c := range input.Contacts {
		churn, ltv, propensity, ok := scores(bv, c.Email)
		if !ok {
			t.Errorf("%s: scores missing", c.Email)
			continue
		}
		if churn < 0 || churn > 1 || ltv < 0 || propensity < 0 || propensity > 1 {
			t.Errorf("%s: churn %v, LTV %v, propensity %v", c.Email, churn, ltv, propensity)
		}
	}
	// The schema asks for the ranges and puts each reasoning first.
	var req struct {
		ResponseFormat struct {
			JSONSchema struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	if err := oa.Requests()[0].DecodeJSON(&req); err != nil {
		t.Fatal(err)
	}
	schema := string(req.ResponseFormat.JSONSchema.Schema)
	for _, want := range []string{`"churn_risk":{"type":"number","minimum":0,"maximum":1`, `"predicted_ltv":{"type":"number","minimum":0`, `"purchase_propensity":{"type":"number","minimum":0,"maximum":1`} {
		if !strings.Contains(schema, want) {
			t.Errorf("schema lacks %s: %s", want, schema)
		}
	}
	if strings.Index(schema, "churn_reasoning") > strings.Index(schema, `"churn_risk"`) {
		t.Errorf("the reasoning must come before the score: %s", schema)
	}
}

func TestOutOfRangeReplyIsRejected(t *testing.T) {
	oa, bv, input := fakes(t)
	oa.Enqueue("chat/completions", openaitest.JSON(openai.ChatCompletion{
		Object: "chat.completion",
		Model:  "gpt-4o-mini",
		Choices: []openai.ChatChoice{{FinishReason: "stop", Message: openai.ChatCompletionMessage{Role: openai.RoleAssistant,
			Content: `{"churn_reasoning":"no orders in a year","churn_risk":1.7,"ltv_reasoning":"none","predicted_ltv":-20,"propensity_reasoning":"none","purchase_propensity":0.1}`}}},
	}))
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-workers", "1"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	first := input.Contacts[0].Email
	report := out.String()
	if !strings.Contains(report, "not written: "+first) || !strings.Contains(report, "churn_risk 1.7 is outside 0..1") ||
		!strings.Contains(report, "predicted_ltv -20") || !strings.Contains(report, "1 rejected") {
		t.Fatalf("the out-of-range reply was not reported:\n%s", report)
	}
	c, _ := bv.Contact(first)
	for _, name := range []string{"CHURN_RISK", "PREDICTED_LTV", "PURCHASE_PROPENSITY"} {
		if _, ok := c.Attributes[name]; ok {
			t.Errorf("%s of the rejected contact was written", name)
		}
	}
	for _, c := range input.Contacts[1:] {
		if _, _, _, ok := scores(bv, c.Email); !ok {
			t.Errorf("%s: scores missing", c.Email)
		}
	}
}
