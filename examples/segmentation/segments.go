package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/openai"
)

// Segment is the structured output that names a cluster.
type Segment struct {
	Name        string `json:"name" jsonschema:"two to four words in title case, e.g. Weekend Trail Runners"`
	Description string `json:"description" jsonschema:"one sentence telling a marketer who these customers are"`
}

// maxShown bounds the descriptions sent to name a segment: a sample is
// enough, and a big segment would otherwise cost many tokens.
const maxShown = 40

func nameSegment(ctx context.Context, oa *openai.Client, model string, members []Customer) (Segment, error) {
	format, err := openai.JSONSchemaFormat[Segment]("segment")
	if err != nil {
		return Segment{}, err
	}
	var list strings.Builder
	for i, c := range members[:min(len(members), maxShown)] {
		fmt.Fprintf(&list, "%d. %s\n", i+1, c.Description)
	}
	resp, err := oa.Chat.New(ctx, openai.ChatRequest{
		Model: model,
		Messages: []openai.ChatMessage{
			openai.SystemMessage("You name customer segments for a marketing team. Name what the customers below have in common."),
			openai.UserMessage(list.String()),
		},
		ResponseFormat:      format,
		Temperature:         openai.Ptr(0.0),
		MaxCompletionTokens: 120,
	})
	if err != nil {
		return Segment{}, err
	}
	return openai.ParseChat[Segment](resp)
}

// createLists makes one list per segment, in the folder "AI segments", and
// adds the segment's contacts to it. Contacts Brevo does not know are
// reported.
func createLists(ctx context.Context, bv *brevo.Client, names []string, members [][]Customer, stdout io.Writer) error {
	folderID, err := folder(ctx, bv, "AI segments")
	if err != nil {
		return err
	}
	for g, name := range names {
		list, err := bv.Lists.Create(ctx, brevo.CreateListRequest{Name: fmt.Sprintf("Segment %d: %s", g+1, name), FolderID: folderID})
		if err != nil {
			return err
		}
		emails := make([]string, len(members[g]))
		for i, c := range members[g] {
			emails[i] = c.Email
		}
		m, err := bv.Lists.AddContacts(ctx, list.ID, brevo.ListMembers{Emails: emails})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  Brevo list %d: %d contacts added", list.ID, len(m.Success.Emails))
		if n := len(m.Failure.Emails); n > 0 {
			fmt.Fprintf(stdout, ", %d unknown to Brevo: %s", n, strings.Join(m.Failure.Emails, ", "))
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// folder returns the id of the folder with the given name, creating it when
// the account has none.
func folder(ctx context.Context, bv *brevo.Client, name string) (int64, error) {
	for f, err := range bv.Folders.List(ctx, brevo.PageParams{Limit: brevo.MaxListPage}) {
		if err != nil {
			return 0, err
		}
		if f.Name == name {
			return f.ID, nil
		}
	}
	created, err := bv.Folders.Create(ctx, name)
	if err != nil {
		return 0, err
	}
	return created.ID, nil
}

// seedContacts gives the in-process fake the contacts a real account would
// already hold: a list only takes existing contacts.
func seedContacts(ctx context.Context, bv *brevo.Client, customers []Customer) error {
	contacts := make([]brevo.ImportContact, len(customers))
	for i, c := range customers {
		contacts[i] = brevo.ImportContact{Email: c.Email}
	}
	_, err := bv.Contacts.Import(ctx, brevo.ImportContactsRequest{Contacts: contacts, NewList: &brevo.NewList{ListName: "Customers"}})
	return err
}
