package brevo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
)

func TestCampaignFlow(t *testing.T) {
	srv := brevotest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	folder, err := c.Folders.Create(ctx, "Campaigns")
	require.NoError(t, err)
	audience, err := c.Lists.Create(ctx, brevo.CreateListRequest{Name: "Audience", FolderID: folder.ID})
	require.NoError(t, err)
	optOut, err := c.Lists.Create(ctx, brevo.CreateListRequest{Name: "Opted out", FolderID: folder.ID})
	require.NoError(t, err)
	for _, e := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: e, ListIDs: []int64{audience.ID}})
		require.NoError(t, err)
	}
	_, err = c.Lists.AddContacts(ctx, optOut.ID, brevo.ListMembers{Emails: []string{"c@example.com"}})
	require.NoError(t, err)

	_, err = c.Campaigns.Create(ctx, brevo.CreateCampaignRequest{Name: "No sender", HTMLContent: "<p>x</p>"})
	assert.ErrorIs(t, err, brevo.ErrInvalidRequest)
	_, err = c.Campaigns.Create(ctx, brevo.CreateCampaignRequest{Name: "No content", Sender: brevo.Sender{Email: "news@example.com"}})
	assert.Equal(t, brevo.CodeMissingParameter, brevo.ErrorCode(err))

	created, err := c.Campaigns.Create(ctx, brevo.CreateCampaignRequest{
		Name: "Win-back", Sender: brevo.Sender{Email: "news@example.com", Name: "News"}, HTMLContent: "<p>Come back</p>",
		Recipients: &brevo.Recipients{ListIDs: []int64{audience.ID}, ExclusionListIDs: []int64{optOut.ID}}, PreviewText: "A gift",
	})
	require.NoError(t, err)
	_, err = c.Campaigns.SendNow(ctx, created.ID)
	assert.Equal(t, brevo.CodeMissingParameter, brevo.ErrorCode(err), "no subject yet")

	_, err = c.Campaigns.Update(ctx, created.ID, brevo.UpdateCampaignRequest{Subject: "We miss you", MirrorActive: brevo.Ptr(true)})
	require.NoError(t, err)
	_, err = c.Campaigns.Schedule(ctx, created.ID, time.Now().Add(time.Hour))
	require.NoError(t, err)
	got, err := c.Campaigns.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, "queued", got.Status)
	assert.Equal(t, "We miss you", got.Subject)
	assert.True(t, got.MirrorActive)

	_, err = c.Campaigns.SendTest(ctx, created.ID, []string{"a@example.com"})
	require.NoError(t, err)
	_, err = c.Campaigns.SendTest(ctx, created.ID, []string{"a@example.com", "stranger@example.com"})
	var ste *brevo.SendTestError
	require.True(t, errors.As(err, &ste), "%v", err)
	assert.Equal(t, []string{"stranger@example.com"}, ste.UnexistingEmails)
	var apiErr *brevo.APIError
	assert.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 400, apiErr.StatusCode)

	_, err = c.Campaigns.SendNow(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"a@example.com", "b@example.com"}, srv.CampaignRecipients(created.ID))
	report, err := c.Campaigns.Report(ctx, created.ID, brevo.StatsGlobal)
	require.NoError(t, err)
	assert.Equal(t, "sent", report.Status)
	assert.True(t, report.TestSent)
	assert.EqualValues(t, 2, report.Statistics.GlobalStats.Sent)
	require.Len(t, report.Statistics.CampaignStats, 1)
	assert.Equal(t, audience.ID, report.Statistics.CampaignStats[0].ListID)
	assert.Equal(t, []int64{optOut.ID}, report.Recipients.ExclusionLists)

	_, err = c.Campaigns.SendNow(ctx, created.ID)
	assert.Equal(t, brevo.CodeCampaignSent, brevo.ErrorCode(err))
	_, err = c.Campaigns.Update(ctx, created.ID, brevo.UpdateCampaignRequest{Subject: "late"})
	assert.Equal(t, brevo.CodeCampaignSent, brevo.ErrorCode(err))
	l, _ := c.Lists.Get(ctx, audience.ID)
	require.Len(t, l.CampaignStats, 1)
	assert.EqualValues(t, 2, l.CampaignStats[0].Stats.Sent)

	assert.Len(t, srv.Campaigns(), 1)
	_, err = c.Campaigns.Delete(ctx, created.ID)
	require.NoError(t, err)
	_, err = c.Campaigns.Get(ctx, created.ID)
	assert.True(t, brevo.IsNotFound(err))
	_, err = c.Campaigns.Get(ctx, 0)
	assert.ErrorIs(t, err, brevo.ErrInvalidRequest)
}

func TestLinkClicksDecodesBothShapes(t *testing.T) {
	srv := brevotest.NewServer(t)
	srv.Enqueue("emailCampaigns/1", brevotest.JSON(map[string]any{
		"id": 1, "name": "n", "type": "classic", "status": "sent",
		"statistics": map[string]any{"linksStats": map[string]any{"https://a": 3, "https://b": map[string]any{"nbClick": 5}, "https://c": "x"}},
	}))
	got, err := srv.Client().Campaigns.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, map[string]brevo.LinkClicks{"https://a": 3, "https://b": 5, "https://c": 0}, got.Statistics.LinksStats)
}
