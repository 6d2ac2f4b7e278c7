package brevo_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
)

func TestListsAndMembers(t *testing.T) {
	srv := brevotest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	_, err := c.Lists.Create(ctx, brevo.CreateListRequest{Name: "No folder"})
	assert.ErrorIs(t, err, brevo.ErrInvalidRequest)

	folder, err := c.Folders.Create(ctx, "Workflows")
	require.NoError(t, err)
	list, err := c.Lists.Create(ctx, brevo.CreateListRequest{Name: "At risk", FolderID: folder.ID})
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, list.Meta.StatusCode)
	_, err = c.Lists.Create(ctx, brevo.CreateListRequest{Name: "Orphan", FolderID: 999})
	assert.Equal(t, brevo.CodeInvalidParameter, brevo.ErrorCode(err))

	var emails []string
	for i := range 160 {
		e := fmt.Sprintf("m%03d@example.com", i)
		emails = append(emails, e)
		if i < 155 {
			_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: e})
			require.NoError(t, err)
		}
	}
	res, err := c.Lists.AddContacts(ctx, list.ID, brevo.ListMembers{Emails: emails})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Calls, "160 members: 150 + 10")
	assert.Len(t, res.Success.Emails, 155)
	assert.Equal(t, []string{"m155@example.com", "m156@example.com", "m157@example.com", "m158@example.com", "m159@example.com"}, res.Failure.Emails)
	assert.Len(t, srv.ListMembers(list.ID), 155)
	assert.Equal(t, 2, srv.RequestCount(fmt.Sprintf("contacts/lists/%d/contacts/add", list.ID)))

	first, _ := srv.Contact("m000@example.com")
	res, err = c.Lists.RemoveContacts(ctx, list.ID, brevo.ListMembers{IDs: []int64{first.ID, 9999}})
	require.NoError(t, err)
	assert.Equal(t, []int64{first.ID}, res.Success.IDs)
	assert.Equal(t, []int64{9999}, res.Failure.IDs)
	assert.Len(t, srv.ListMembers(list.ID), 154)

	got, err := c.Lists.Get(ctx, list.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 154, got.TotalSubscribers)
	assert.Equal(t, folder.ID, got.FolderID)
	assert.NotEmpty(t, got.CreatedAt)

	for _, bad := range []brevo.ListMembers{{}, {Emails: []string{"a@example.com"}, IDs: []int64{1}}, {Emails: []string{"nope"}}, {IDs: []int64{0}}} {
		_, err := c.Lists.AddContacts(ctx, list.ID, bad)
		assert.ErrorIs(t, err, brevo.ErrInvalidRequest, "%+v", bad)
	}
	_, err = c.Lists.AddContacts(ctx, 999, brevo.ListMembers{Emails: []string{"m001@example.com"}})
	var be *brevo.BatchError
	require.ErrorAs(t, err, &be)
	assert.True(t, brevo.IsNotFound(err))
	assert.Equal(t, "m001@example.com", be.FailedContacts()[0].String())

	for i := range 12 {
		_, err := c.Lists.Create(ctx, brevo.CreateListRequest{Name: fmt.Sprintf("L%d", i), FolderID: folder.ID})
		require.NoError(t, err)
	}
	n := 0
	for l, err := range c.Lists.List(ctx, brevo.PageParams{Limit: 5, Sort: "asc"}) {
		require.NoError(t, err)
		if n == 0 {
			assert.Equal(t, "At risk", l.Name)
		}
		n++
	}
	assert.Equal(t, 13, n)
	page, err := c.Lists.ListPage(ctx, brevo.PageParams{})
	require.NoError(t, err)
	assert.Len(t, page.Lists, 10)
	assert.EqualValues(t, 13, page.Count)
	_, err = c.Lists.ListPage(ctx, brevo.PageParams{Limit: 51})
	assert.ErrorIs(t, err, brevo.ErrInvalidRequest)

	folders := 0
	for f, err := range c.Folders.List(ctx, brevo.PageParams{}) {
		require.NoError(t, err)
		assert.EqualValues(t, 154, f.UniqueSubscribers)
		folders++
	}
	assert.Equal(t, 1, folders)

	_, err = c.Lists.Delete(ctx, list.ID)
	require.NoError(t, err)
	_, err = c.Lists.Get(ctx, list.ID)
	assert.True(t, brevo.IsNotFound(err))
	assert.Empty(t, srv.ListMembers(list.ID))
}
