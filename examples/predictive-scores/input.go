package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/reachkit/reachkit/brevo"
)

// loadInput reads path, or the bundled sample when it is empty.
func loadInput(path string) (Input, error) {
	data := sampleHistory
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return Input{}, err
		}
	}
	var in Input
	if err := json.Unmarshal(data, &in); err != nil {
		return in, fmt.Errorf("reading %s: %w", cmp.Or(path, "the sample"), err)
	}
	in.AsOf = cmp.Or(in.AsOf, time.Now().Format(time.DateOnly))
	in.Currency = cmp.Or(in.Currency, "EUR")
	return in, nil
}

// seedContacts gives the in-process fake the contacts a real account would
// already hold: a batch update only changes existing contacts.
func seedContacts(ctx context.Context, bv *brevo.Client, contacts []Contact) error {
	imports := make([]brevo.ImportContact, len(contacts))
	for i, c := range contacts {
		imports[i] = brevo.ImportContact{Email: c.Email}
	}
	_, err := bv.Contacts.Import(ctx, brevo.ImportContactsRequest{Contacts: imports, NewList: &brevo.NewList{ListName: "Customers"}})
	return err
}
