package brevo_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/ratelimit"
)

// withScores starts a fake whose account defines the attributes a scoring
// workflow writes.
func withScores(t *testing.T, opts ...brevotest.Option) (*brevotest.Server, *brevo.Client) {
	t.Helper()
	srv := brevotest.NewServer(t, opts...)
	c := srv.Client()
	_, err := c.Attributes.Ensure(context.Background(), []brevo.AttributeSpec{
		{Name: "SENTIMENT_SCORE", Type: brevo.AttributeFloat},
		{Name: "CHURN_RISK", Type: brevo.AttributeFloat},
		{Name: "VIP", Type: brevo.AttributeBoolean},
		{Name: "LAST_PURCHASE", Type: brevo.AttributeDate},
		{Name: "SEGMENT", Type: brevo.AttributeCategorical, Enumeration: []brevo.EnumOption{{Value: 1, Label: "champion"}, {Value: 2, Label: "at risk"}}},
	})
	require.NoError(t, err)
	return srv, c
}

func TestContactLifecycle(t *testing.T) {
	srv, c := withScores(t)
	ctx := context.Background()
	day := time.Date(2024, 5, 17, 0, 0, 0, 0, time.UTC)
	created, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{
		Email: "Ada@Example.com", ExtID: "crm-1",
		Attributes: brevo.Attributes{"FIRSTNAME": brevo.Text("Ada"), "SENTIMENT_SCORE": brevo.Number(0.8), "VIP": brevo.Bool(true),
			"LAST_PURCHASE": brevo.Date(day), "SEGMENT": brevo.Category(2)},
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, created.Meta.StatusCode)
	assert.False(t, created.Updated)
	assert.Positive(t, created.ID)

	for _, ref := range []brevo.ContactRef{brevo.ByEmail("ada@example.com"), brevo.ByID(created.ID), brevo.ByExtID("crm-1")} {
		got, err := c.Contacts.Get(ctx, ref)
		require.NoError(t, err, ref.String())
		assert.Equal(t, created.ID, got.ID)
		assert.Equal(t, "ada@example.com", got.Email)
		score, _ := got.Attributes["SENTIMENT_SCORE"].Number()
		assert.Equal(t, 0.8, score)
		when, ok := got.Attributes["LAST_PURCHASE"].Date()
		assert.True(t, ok)
		assert.True(t, when.Equal(day))
		seg, _ := got.Attributes["SEGMENT"].Category()
		assert.EqualValues(t, 2, seg)
		vip, _ := got.Attributes["VIP"].Bool()
		assert.True(t, vip)
		assert.NotNil(t, got.Statistics)
	}

	_, err = c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com"})
	assert.Equal(t, brevo.CodeDuplicateParameter, brevo.ErrorCode(err), "a duplicate without updateEnabled")

	up, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com", UpdateEnabled: true, Attributes: brevo.Attributes{"CHURN_RISK": brevo.Number(0.2)}})
	require.NoError(t, err)
	assert.True(t, up.Updated)
	assert.Equal(t, http.StatusNoContent, up.Meta.StatusCode)

	_, err = c.Contacts.Update(ctx, brevo.ByExtID("crm-1"), brevo.UpdateContactRequest{Attributes: brevo.Attributes{"SENTIMENT_SCORE": brevo.Number(-0.4)}, EmailBlacklisted: brevo.Ptr(true)})
	require.NoError(t, err)
	got, ok := srv.Contact("ada@example.com")
	require.True(t, ok)
	assert.True(t, got.EmailBlacklisted)
	assert.True(t, got.Attributes["SENTIMENT_SCORE"].Equal(brevo.Number(-0.4)))
	assert.True(t, got.Attributes["CHURN_RISK"].Equal(brevo.Number(0.2)))

	del, err := c.Contacts.Delete(ctx, brevo.ByID(created.ID))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, del.Meta.StatusCode)
	_, err = c.Contacts.Get(ctx, brevo.ByID(created.ID))
	assert.True(t, brevo.IsNotFound(err))
	assert.Empty(t, srv.Contacts())
}

func TestContactBadInput(t *testing.T) {
	srv, c := withScores(t)
	ctx := context.Background()
	_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com"})
	require.NoError(t, err)
	before := srv.RequestCount("")

	local := []struct {
		name string
		call func() error
	}{
		{"invalid email", func() error {
			_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada.example.com"})
			return err
		}},
		{"invalid email lookup", func() error { _, err := c.Contacts.Get(ctx, brevo.ByEmail("ada@")); return err }},
		{"no identifier", func() error { _, err := c.Contacts.Delete(ctx, brevo.ContactRef{}); return err }},
		{"NaN", func() error {
			_, err := c.Contacts.Update(ctx, brevo.ByEmail("ada@example.com"), brevo.UpdateContactRequest{Attributes: brevo.Attributes{"SENTIMENT_SCORE": brevo.Number(nan())}})
			return err
		}},
		{"empty batch", func() error { _, err := c.Contacts.BatchUpdate(ctx, nil); return err }},
		{"empty UpdateMany", func() error { _, err := c.Contacts.UpdateMany(ctx, []brevo.BatchContact{}); return err }},
		{"101-contact batch", func() error { _, err := c.Contacts.BatchUpdate(ctx, make([]brevo.BatchContact, 101)); return err }},
		{"batch item without identifier", func() error {
			_, err := c.Contacts.UpdateMany(ctx, []brevo.BatchContact{{Email: "ada@example.com"}, {Attributes: brevo.Attributes{"VIP": brevo.Bool(true)}}})
			return err
		}},
		{"bad page", func() error { _, err := c.Contacts.ListPage(ctx, brevo.ContactListParams{Limit: 1001}); return err }},
		{"import without list", func() error {
			_, err := c.Contacts.Import(ctx, brevo.ImportContactsRequest{Contacts: []brevo.ImportContact{{Email: "x@example.com"}}})
			return err
		}},
	}
	for _, tt := range local {
		err := tt.call()
		assert.ErrorIs(t, err, brevo.ErrInvalidRequest, tt.name)
	}
	assert.Equal(t, before, srv.RequestCount(""), "input rejected locally sends nothing")
	assert.ErrorIs(t, func() error { _, err := c.Contacts.UpdateMany(ctx, nil); return err }(), brevo.ErrEmptyBatch)

	remote := []struct {
		name   string
		req    brevo.UpdateContactRequest
		ref    brevo.ContactRef
		status int
		code   string
	}{
		{"unknown attribute", brevo.UpdateContactRequest{Attributes: brevo.Attributes{"MOOD": brevo.Text("happy")}}, brevo.ByEmail("ada@example.com"), 400, brevo.CodeInvalidParameter},
		{"text for a float", brevo.UpdateContactRequest{Attributes: brevo.Attributes{"SENTIMENT_SCORE": brevo.Text("high")}}, brevo.ByEmail("ada@example.com"), 400, brevo.CodeInvalidParameter},
		{"number for a boolean", brevo.UpdateContactRequest{Attributes: brevo.Attributes{"VIP": brevo.Number(1)}}, brevo.ByEmail("ada@example.com"), 400, brevo.CodeInvalidParameter},
		{"text for a date", brevo.UpdateContactRequest{Attributes: brevo.Attributes{"LAST_PURCHASE": brevo.Text("last week")}}, brevo.ByEmail("ada@example.com"), 400, brevo.CodeInvalidParameter},
		{"unknown category option", brevo.UpdateContactRequest{Attributes: brevo.Attributes{"SEGMENT": brevo.Category(9)}}, brevo.ByEmail("ada@example.com"), 400, brevo.CodeInvalidParameter},
		{"unknown list", brevo.UpdateContactRequest{ListIDs: []int64{99}}, brevo.ByEmail("ada@example.com"), 400, brevo.CodeInvalidParameter},
		{"404 contact", brevo.UpdateContactRequest{Attributes: brevo.Attributes{"VIP": brevo.Bool(true)}}, brevo.ByEmail("nobody@example.com"), 404, brevo.CodeDocumentNotFound},
	}
	for _, tt := range remote {
		_, err := c.Contacts.Update(ctx, tt.ref, tt.req)
		var apiErr *brevo.APIError
		require.ErrorAs(t, err, &apiErr, tt.name)
		assert.Equal(t, tt.status, apiErr.StatusCode, tt.name)
		assert.Equal(t, tt.code, apiErr.Code, tt.name)
		assert.NotEmpty(t, apiErr.Message, tt.name)
	}
	got, _ := srv.Contact("ada@example.com")
	assert.Empty(t, got.Attributes, "rejected updates wrote nothing")
	assert.Empty(t, got.ListIDs)
}

func TestListIsLazy(t *testing.T) {
	srv, c := withScores(t)
	ctx := context.Background()
	for i := range 25 {
		_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: fmt.Sprintf("c%02d@example.com", i)})
		require.NoError(t, err)
	}
	before := srv.RequestCount("contacts")
	var seen []string
	for ct, err := range c.Contacts.List(ctx, brevo.ContactListParams{Limit: 10, Sort: "asc"}) {
		require.NoError(t, err)
		seen = append(seen, ct.Email)
		if len(seen) == 12 {
			break
		}
	}
	assert.Equal(t, 2, srv.RequestCount("contacts")-before, "two pages for twelve contacts")
	assert.Equal(t, "c00@example.com", seen[0])
	assert.Equal(t, "c11@example.com", seen[11])

	seen = seen[:0]
	for ct, err := range c.Contacts.List(ctx, brevo.ContactListParams{Limit: 10, ModifiedSince: time.Now().Add(-time.Hour)}) {
		require.NoError(t, err)
		seen = append(seen, ct.Email)
	}
	assert.Len(t, seen, 25)
	assert.Equal(t, "c24@example.com", seen[0], "newest first by default")

	srv.Enqueue("contacts", brevotest.Error(500, "", "boom"))
	n := 0
	noRetry := srv.Client(brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	for _, err := range noRetry.Contacts.List(ctx, brevo.ContactListParams{}, brevo.WithRequestHeader("X-Test", "1")) {
		n++
		assert.Error(t, err)
	}
	assert.Equal(t, 1, n, "an error is yielded once and ends the loop")
}

func TestUpdateManyChunksAndReportsFailures(t *testing.T) {
	srv, c := withScores(t)
	ctx := context.Background()
	var batch []brevo.BatchContact
	for i := range 250 {
		email := fmt.Sprintf("lead%03d@example.com", i)
		_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: email})
		require.NoError(t, err)
		batch = append(batch, brevo.BatchContact{Email: email, Attributes: brevo.Attributes{"CHURN_RISK": brevo.Number(float64(i) / 250)}})
	}

	res, err := c.Contacts.UpdateMany(ctx, batch[:101])
	require.NoError(t, err)
	assert.Equal(t, 2, res.Calls, "101 contacts: 100 + 1")
	assert.Equal(t, 101, res.Contacts)

	// A bad value in the second chunk: that chunk fails as a whole, the
	// others are applied.
	batch[150].Attributes = brevo.Attributes{"CHURN_RISK": brevo.Text("high")}
	res, err = c.Contacts.UpdateMany(ctx, batch)
	var be *brevo.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 3, res.Calls)
	assert.Equal(t, 150, res.Contacts)
	assert.Equal(t, 250, be.Total)
	assert.Equal(t, 150, be.Applied)
	require.Len(t, be.Failed, 1)
	assert.Equal(t, 1, be.Failed[0].Chunk)
	assert.Equal(t, 100, be.Failed[0].Start)
	assert.Equal(t, 200, be.Failed[0].End)
	assert.Len(t, be.FailedContacts(), 100)
	assert.Equal(t, "lead100@example.com", be.FailedContacts()[0].Email())
	assert.Equal(t, brevo.CodeInvalidParameter, brevo.ErrorCode(err), "errors.As reaches the chunk's *APIError")
	assert.Contains(t, err.Error(), "100 of 250 items in 1 chunk(s) failed")
	for i, want := range map[int]bool{99: true, 101: false, 199: false, 200: true, 249: true} {
		got, _ := srv.Contact(batch[i].Email)
		_, has := got.Attributes["CHURN_RISK"]
		assert.Equal(t, want, has, "contact %d", i)
	}

	// An auth failure stops the run; the chunks not sent are listed.
	srv.Enqueue("contacts/batch", brevotest.Error(401, brevo.CodeUnauthorized, "Key not found"))
	_, err = c.Contacts.UpdateMany(ctx, batch[:250])
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Failed, 3)
	assert.True(t, brevo.IsAuth(be.Failed[0].Err))
	assert.ErrorIs(t, be.Failed[1].Err, brevo.ErrNotAttempted)
	assert.ErrorIs(t, be.Failed[2].Err, brevo.ErrNotAttempted)
	assert.Zero(t, be.Applied)
}

func TestBatchUpdateIdentifiers(t *testing.T) {
	srv, c := withScores(t)
	ctx := context.Background()
	a, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "a@example.com"})
	require.NoError(t, err)
	_, err = c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "b@example.com", ExtID: "crm-b"})
	require.NoError(t, err)
	_, err = c.Contacts.BatchUpdate(ctx, []brevo.BatchContact{
		{ID: a.ID, Attributes: brevo.Attributes{"VIP": brevo.Bool(true)}},
		{ExtID: "crm-b", Attributes: brevo.Attributes{"VIP": brevo.Bool(false)}, EmailBlacklisted: brevo.Ptr(true)},
	})
	require.NoError(t, err)
	got, _ := srv.Contact("a@example.com")
	assert.True(t, got.Attributes["VIP"].Equal(brevo.Bool(true)))
	got, _ = srv.Contact("b@example.com")
	assert.True(t, got.EmailBlacklisted)

	_, err = c.Contacts.BatchUpdate(ctx, []brevo.BatchContact{{Email: "a@example.com"}, {Email: "ghost@example.com"}})
	assert.Equal(t, brevo.CodeInvalidParameter, brevo.ErrorCode(err), "an unknown contact fails the call")
}

func TestImport(t *testing.T) {
	srv, c := withScores(t)
	ctx := context.Background()
	folder, err := c.Folders.Create(ctx, "Imports")
	require.NoError(t, err)
	res, err := c.Contacts.Import(ctx, brevo.ImportContactsRequest{
		Contacts: []brevo.ImportContact{{Email: "x@example.com", Attributes: brevo.Attributes{"CHURN_RISK": brevo.Number(0.9)}}, {Email: "y@example.com"}},
		NewList:  &brevo.NewList{ListName: "June import", FolderID: folder.ID},
	})
	require.NoError(t, err)
	assert.Positive(t, res.ProcessID)
	assert.Equal(t, http.StatusAccepted, res.Meta.StatusCode)
	lists := srv.Lists()
	require.Len(t, lists, 1)
	assert.Equal(t, []string{"x@example.com", "y@example.com"}, srv.ListMembers(lists[0].ID))
	x, _ := srv.Contact("x@example.com")
	assert.True(t, x.Attributes["CHURN_RISK"].Equal(brevo.Number(0.9)))

	_, err = c.Contacts.Import(ctx, brevo.ImportContactsRequest{Contacts: []brevo.ImportContact{{Email: "z@example.com", Attributes: brevo.Attributes{"NOPE": brevo.Text("x")}}}, ListIDs: []int64{lists[0].ID}})
	assert.Equal(t, brevo.CodeInvalidParameter, brevo.ErrorCode(err))
	_, ok := srv.Contact("z@example.com")
	assert.False(t, ok, "a rejected import writes nothing")
}

func TestRateLimitedWithoutRetry(t *testing.T) {
	srv := brevotest.NewServer(t, brevotest.WithRateLimit(brevo.GroupContacts, 2, time.Minute))
	c := srv.Client(brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	ctx := context.Background()
	for range 2 {
		_, err := c.Attributes.List(ctx)
		require.NoError(t, err)
	}
	_, err := c.Attributes.List(ctx)
	require.True(t, brevo.IsRateLimit(err), "%v", err)
	var apiErr *brevo.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, brevo.CodeTooManyRequests, apiErr.Code)
	assert.Zero(t, apiErr.RateLimit.Requests.Remaining)
	assert.Greater(t, apiErr.RateLimit.Requests.Reset, 50*time.Second)
	_, err = c.Email.Send(ctx, brevo.SendEmailRequest{Sender: &brevo.Sender{Email: "a@example.com"}, To: []brevo.Address{{Email: "b@example.com"}}, Subject: "s", TextContent: "t"})
	assert.NoError(t, err, "other groups keep their own budget")
}
