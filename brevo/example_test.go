package brevo_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
)

func ExampleContactsService_Create() {
	srv := brevotest.NewServer(nil)
	defer srv.Close()
	client := srv.Client() // in production: brevo.NewClient() with BREVO_API_KEY set
	ctx := context.Background()

	created, err := client.Contacts.Create(ctx, brevo.CreateContactRequest{
		Email:      "ada@example.com",
		Attributes: brevo.Attributes{"FIRSTNAME": brevo.Text("Ada")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created contact", created.ID)

	// Without UpdateEnabled a second create is a duplicate; with it, an upsert.
	_, err = client.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com"})
	fmt.Println(brevo.ErrorCode(err))
	up, _ := client.Contacts.Create(ctx, brevo.CreateContactRequest{
		Email:         "ada@example.com",
		Attributes:    brevo.Attributes{"LASTNAME": brevo.Text("Lovelace")},
		UpdateEnabled: true,
	})
	fmt.Println("updated:", up.Updated)

	got, _ := client.Contacts.Get(ctx, brevo.ByEmail("ada@example.com"))
	fmt.Println(got.Attributes["FIRSTNAME"], got.Attributes["LASTNAME"])
	// Output:
	// created contact 1
	// duplicate_parameter
	// updated: true
	// Ada Lovelace
}

func ExampleAttributesService_Ensure() {
	srv := brevotest.NewServer(nil)
	defer srv.Close()
	client := srv.Client()

	// Make sure the attributes a scoring workflow writes exist; only the
	// missing ones are created, so this is safe to run at every start.
	res, err := client.Attributes.Ensure(context.Background(), []brevo.AttributeSpec{
		{Name: "SENTIMENT_SCORE", Type: brevo.AttributeFloat},
		{Name: "CHURN_RISK", Type: brevo.AttributeFloat},
		{Name: "PREDICTED_LTV", Type: brevo.AttributeFloat},
		{Name: "SEGMENT", Type: brevo.AttributeText},
		{Name: "FIRSTNAME", Type: brevo.AttributeText},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", res.Created)
	fmt.Println("existing:", res.Existing)
	// Output:
	// created: [SENTIMENT_SCORE CHURN_RISK PREDICTED_LTV SEGMENT]
	// existing: [FIRSTNAME]
}

func ExampleContactsService_UpdateMany() {
	srv := brevotest.NewServer(nil)
	defer srv.Close()
	// In production, pace each endpoint group:
	// brevo.NewClient(brevo.WithMiddleware(brevo.Throttle()))
	client := srv.Client()
	ctx := context.Background()
	_, _ = client.Attributes.Ensure(ctx, []brevo.AttributeSpec{{Name: "CHURN_RISK", Type: brevo.AttributeFloat}})
	folder, _ := client.Folders.Create(ctx, "Leads")
	list, _ := client.Lists.Create(ctx, brevo.CreateListRequest{Name: "Leads", FolderID: folder.ID})

	var leads []brevo.ImportContact
	var updates []brevo.BatchContact
	for i := range 250 {
		email := fmt.Sprintf("lead%d@example.com", i)
		leads = append(leads, brevo.ImportContact{Email: email})
		updates = append(updates, brevo.BatchContact{
			Email:      email,
			Attributes: brevo.Attributes{"CHURN_RISK": brevo.Number(float64(i%10) / 10)},
		})
	}
	_, _ = client.Contacts.Import(ctx, brevo.ImportContactsRequest{Contacts: leads, ListIDs: []int64{list.ID}})
	updates[120].Attributes["CHURN_RISK"] = brevo.Text("high") // wrong type: its chunk is rejected

	res, err := client.Contacts.UpdateMany(ctx, updates)
	fmt.Println(res.Calls, "calls,", res.Contacts, "contacts updated")
	var batchErr *brevo.BatchError
	if errors.As(err, &batchErr) {
		for _, f := range batchErr.Failed {
			fmt.Printf("chunk %d (contacts %d to %d) failed: %s\n", f.Chunk, f.Start, f.End-1, brevo.ErrorCode(f.Err))
		}
	}
	// Output:
	// 3 calls, 150 contacts updated
	// chunk 1 (contacts 100 to 199) failed: invalid_parameter
}

func ExampleEmailService_Send() {
	srv := brevotest.NewServer(nil)
	defer srv.Close()
	client := srv.Client()

	sent, err := client.Email.Send(context.Background(), brevo.SendEmailRequest{
		Sender:      &brevo.Sender{Email: "news@example.com", Name: "News"},
		To:          []brevo.Address{{Email: "ada@example.com", Name: "Ada"}},
		Subject:     "Your offer",
		HTMLContent: "<p>Hi {{params.name}}, here is {{params.discount}}% off.</p>",
		Params:      map[string]any{"name": "Ada", "discount": 20},
		Tags:        []string{"winback"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sent.MessageID != "")

	_, err = client.Email.Send(context.Background(), brevo.SendEmailRequest{
		To: []brevo.Address{{Email: "ada@example.com"}}, Subject: "No sender", TextContent: "x",
	})
	var apiErr *brevo.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}
	fmt.Println(len(srv.SentEmails()), "email sent")
	// Output:
	// true
	// 400 missing_parameter sender is missing
	// 1 email sent
}
