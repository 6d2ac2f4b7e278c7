// Command predictive-scores estimates churn risk, predicted lifetime value
// and purchase propensity for each contact from its history, and writes them
// to Brevo contact attributes.
//
// Each estimate comes from one structured-output call whose schema puts the
// reasoning before each number. Every score is checked against its range
// before anything is written: an out-of-range reply is reported, and that
// contact is left as it was.
//
//	go run ./predictive-scores                   # the bundled sample
//	go run ./predictive-scores -in history.json  # your own data
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/examples/internal/env"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

//go:embed history.json
var sampleHistory []byte

// Input is the file the command reads: contacts with free-form histories,
// passed to the model as they are.
type Input struct {
	AsOf     string    `json:"as_of"`    // the date the histories run to; default today
	Currency string    `json:"currency"` // of the amounts in the histories
	Contacts []Contact `json:"contacts"`
}

// Contact is one customer and whatever history the shop keeps.
type Contact struct {
	Email   string          `json:"email"`
	History json.RawMessage `json:"history"`
}

// The Brevo attributes the scores are written to.
var attributes = []brevo.AttributeSpec{
	{Name: "CHURN_RISK", Type: brevo.AttributeFloat},
	{Name: "PREDICTED_LTV", Type: brevo.AttributeFloat},
	{Name: "PURCHASE_PROPENSITY", Type: brevo.AttributeFloat},
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "predictive-scores:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("predictive-scores", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "contact histories as JSON {as_of, currency, contacts: [{email, history}]}; default: the bundled sample")
	model := fs.String("model", "gpt-4o-mini", "chat model")
	workers := fs.Int("workers", 4, "concurrent calls")
	if err := fs.Parse(args); err != nil {
		return err
	}
	input, err := loadInput(*in)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()

	oa, _, closeOA, err := env.OpenAI(stderr, nil,
		openai.WithMiddleware(ratelimit.Throttle(ratelimit.NewLimiter(ratelimit.LimiterConfig{}))))
	if err != nil {
		return err
	}
	defer closeOA()
	bv, bfake, closeBV, err := env.Brevo(stderr, nil, brevo.WithMiddleware(brevo.Throttle()))
	if err != nil {
		return err
	}
	defer closeBV()
	if bfake != nil { // a real account already holds its customers
		if err := seedContacts(ctx, bfake.Client(), input.Contacts); err != nil {
			return err
		}
	}
	if _, err := bv.Attributes.Ensure(ctx, attributes); err != nil {
		return err
	}

	p, err := newPredictor(oa, *model, input.AsOf, input.Currency)
	if err != nil {
		return err
	}
	preds := make([]*Prediction, len(input.Contacts))
	var mu sync.Mutex
	var rejected []error
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(*workers)
	for i, c := range input.Contacts {
		g.Go(func() error {
			pred, err := p.predict(gctx, c)
			if err != nil && !isUnusable(err) {
				return fmt.Errorf("%s: %w", c.Email, err) // a failed call stops the run
			}
			if err == nil {
				err = pred.validate()
			}
			if err != nil {
				mu.Lock()
				rejected = append(rejected, fmt.Errorf("%s: %w", c.Email, err))
				mu.Unlock()
				return nil
			}
			preds[i] = &pred
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}

	var batch []brevo.BatchContact
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "contact\tchurn risk\tLTV (%s)\tpropensity\t\n", input.Currency)
	for i, pred := range preds {
		if pred == nil {
			continue
		}
		email := input.Contacts[i].Email
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t\n", email, pred.ChurnRisk, pred.PredictedLTV, pred.PurchasePropensity)
		batch = append(batch, brevo.BatchContact{Email: email, Attributes: brevo.Attributes{
			"CHURN_RISK":          brevo.Number(pred.ChurnRisk),
			"PREDICTED_LTV":       brevo.Number(pred.PredictedLTV),
			"PURCHASE_PROPENSITY": brevo.Number(pred.PurchasePropensity),
		}})
	}
	tw.Flush()
	for _, err := range rejected {
		fmt.Fprintln(stdout, "not written:", err)
	}
	if len(batch) > 0 {
		res, err := bv.Contacts.UpdateMany(ctx, batch)
		if err != nil {
			return fmt.Errorf("writing to Brevo: %w", err)
		}
		fmt.Fprintf(stdout, "wrote 3 scores to %d Brevo contacts; %d rejected\n", res.Contacts, len(rejected))
	}
	return nil
}
