package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/reachkit/reachkit/openai"
)

// Prediction is the structured output asked of the model. Each number comes
// after the reasoning behind it: the model writes the fields in this order,
// so it commits to a number only once it has weighed the evidence, and the
// reasoning is there to audit.
type Prediction struct {
	ChurnReasoning      string  `json:"churn_reasoning" jsonschema:"the evidence for the churn risk: recency, frequency, engagement, complaints"`
	ChurnRisk           float64 `json:"churn_risk" jsonschema:"probability from 0 to 1 that the customer buys nothing in the next 180 days"`
	LTVReasoning        string  `json:"ltv_reasoning" jsonschema:"how the order history and churn risk lead to the predicted value"`
	PredictedLTV        float64 `json:"predicted_ltv" jsonschema:"expected revenue from the customer in the next 12 months, in the given currency"`
	PropensityReasoning string  `json:"propensity_reasoning" jsonschema:"the signals of an imminent purchase, or their absence"`
	PurchasePropensity  float64 `json:"purchase_propensity" jsonschema:"probability from 0 to 1 of a purchase in the next 30 days"`
}

// validate reports every score out of its range. The schema asks for the
// ranges, but a reply is checked before it reaches the CRM all the same.
func (p Prediction) validate() error {
	var errs []error
	check := func(name string, v, lo, hi float64) {
		if math.IsNaN(v) || v < lo || v > hi {
			errs = append(errs, fmt.Errorf("%s %v is outside %g..%g", name, v, lo, hi))
		}
	}
	check("churn_risk", p.ChurnRisk, 0, 1)
	check("predicted_ltv", p.PredictedLTV, 0, math.MaxFloat64)
	check("purchase_propensity", p.PurchasePropensity, 0, 1)
	if len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	return nil
}

const instructions = `You are a customer analytics model for an online shop. From a customer's history,
estimate churn risk, the revenue they will bring in the next 12 months, and the chance they buy in the next 30 days.
Reason from the evidence first, then give each number. Be calibrated: most customers are neither 0 nor 1.`

type predictor struct {
	client   *openai.Client
	model    string
	format   *openai.ResponseFormat
	asOf     string
	currency string
}

func newPredictor(client *openai.Client, model, asOf, currency string) (*predictor, error) {
	rf, err := openai.JSONSchemaFormat[Prediction]("prediction")
	if err != nil {
		return nil, err
	}
	schema, _ := rf.JSONSchema.Schema.(json.RawMessage)
	for _, b := range []struct {
		prop  string
		bound string
	}{
		{"churn_risk", `"minimum":0,"maximum":1`},
		{"predicted_ltv", `"minimum":0`},
		{"purchase_propensity", `"minimum":0,"maximum":1`},
	} {
		if schema, err = withBounds(schema, b.prop, b.bound); err != nil {
			return nil, err
		}
	}
	rf.JSONSchema.Schema = schema
	return &predictor{client: client, model: model, format: rf, asOf: asOf, currency: currency}, nil
}

// withBounds adds minimum and maximum to a number property of a schema made
// by SchemaFor: strict structured outputs accept them, but SchemaFor has no
// tag for them yet. The JSON is edited as text to keep the property order.
func withBounds(schema json.RawMessage, prop, bounds string) (json.RawMessage, error) {
	field := `"` + prop + `":{"type":"number"`
	if strings.Count(string(schema), field) != 1 {
		return nil, fmt.Errorf("schema: no number property %q", prop)
	}
	return json.RawMessage(strings.Replace(string(schema), field, field+","+bounds, 1)), nil
}

func (p *predictor) predict(ctx context.Context, c Contact) (Prediction, error) {
	prompt := fmt.Sprintf("Today is %s. Amounts are in %s.\nCustomer history:\n%s", p.asOf, p.currency, c.History)
	resp, err := p.client.Chat.New(ctx, openai.ChatRequest{
		Model:               p.model,
		Messages:            []openai.ChatMessage{openai.SystemMessage(instructions), openai.UserMessage(prompt)},
		ResponseFormat:      p.format,
		Temperature:         openai.Ptr(0.0),
		MaxCompletionTokens: 600,
	})
	if err != nil {
		return Prediction{}, err
	}
	return openai.ParseChat[Prediction](resp)
}

// isUnusable tells an answer that cannot be trusted (refused, cut short,
// not the schema's shape) from a failed call.
func isUnusable(err error) bool {
	var refusal *openai.RefusalError
	var truncated *openai.TruncatedError
	var mismatch *openai.SchemaMismatchError
	var filtered *openai.ContentFilterError
	return errors.As(err, &refusal) || errors.As(err, &truncated) || errors.As(err, &mismatch) || errors.As(err, &filtered)
}
