package main

import (
	"context"
	"fmt"
	"io"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
)

// writeScores sends every recorded score, this run's and earlier runs', to
// Brevo in batches of 100. Writing a score twice is harmless, so a run
// interrupted after scoring but before writing needs nothing special.
func writeScores(ctx context.Context, bv *brevo.Client, items []Feedback, scores map[string]Scored, skipped int, stdout io.Writer) error {
	var batch []brevo.BatchContact
	counts := map[string]int{}
	for _, fb := range items {
		s, ok := scores[fb.Email]
		if !ok {
			continue
		}
		counts[s.Label]++
		batch = append(batch, brevo.BatchContact{Email: s.Email, Attributes: brevo.Attributes{
			"SENTIMENT_SCORE": brevo.Number(s.Score),
			"SENTIMENT_LABEL": brevo.Text(s.Label),
		}})
	}
	if len(batch) == 0 {
		fmt.Fprintln(stdout, "nothing to write")
		return nil
	}
	res, err := bv.Contacts.UpdateMany(ctx, batch)
	if err != nil {
		return fmt.Errorf("writing scores to Brevo: %w", err)
	}
	fmt.Fprintf(stdout, "wrote SENTIMENT_SCORE to %d Brevo contacts in %d batch call(s)\n", res.Contacts, res.Calls)
	fmt.Fprintf(stdout, "%d positive, %d negative, %d neutral, %d mixed; %d skipped\n",
		counts["positive"], counts["negative"], counts["neutral"], counts["mixed"], skipped)
	return nil
}

// seedContacts gives the in-process fake the contacts a real account would
// already hold: a batch update only changes existing contacts.
func seedContacts(ctx context.Context, fake *brevotest.Server, items []Feedback) error {
	contacts := make([]brevo.ImportContact, len(items))
	for i, fb := range items {
		contacts[i] = brevo.ImportContact{Email: fb.Email}
	}
	_, err := fake.Client().Contacts.Import(ctx, brevo.ImportContactsRequest{Contacts: contacts, NewList: &brevo.NewList{ListName: "Customers"}})
	return err
}
