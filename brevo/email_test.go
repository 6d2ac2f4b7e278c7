package brevo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
)

func TestSendEmail(t *testing.T) {
	srv := brevotest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	sender := &brevo.Sender{Email: "news@example.com", Name: "News"}

	sent, err := c.Email.Send(ctx, brevo.SendEmailRequest{
		Sender: sender, To: []brevo.Address{{Email: "ada@example.com", Name: "Ada"}}, ReplyTo: &brevo.Address{Email: "help@example.com"},
		Subject: "Your score", HTMLContent: "<p>{{params.score}}</p>", Params: map[string]any{"score": 0.9},
		Tags: []string{"score"}, Headers: map[string]string{"X-Mailin-custom": "k"},
		Attachments: []brevo.Attachment{{Content: []byte("a,b\n1,2\n"), Name: "data.csv"}, {URL: "https://example.com/t.pdf"}},
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, sent.Meta.StatusCode)
	assert.NotEmpty(t, sent.MessageID)
	assert.False(t, sent.Scheduled)

	var body map[string]json.RawMessage
	require.NoError(t, srv.Requests()[0].DecodeJSON(&body))
	assert.JSONEq(t, `[{"content":"YSxiCjEsMgo=","name":"data.csv"},{"url":"https://example.com/t.pdf"}]`, string(body["attachment"]), "content goes base64")

	versions, err := c.Email.Send(ctx, brevo.SendEmailRequest{
		Sender: sender, Subject: "Hello", TextContent: "Hello {{params.name}}", Params: map[string]any{"team": "growth"},
		MessageVersions: []brevo.MessageVersion{
			{To: []brevo.Address{{Email: "a@example.com"}}, Params: map[string]any{"name": "A"}},
			{To: []brevo.Address{{Email: "b@example.com"}}, Subject: "Hi B", Params: map[string]any{"name": "B"}},
		},
	})
	require.NoError(t, err)
	assert.Len(t, versions.MessageIDs, 2)

	at := time.Now().Add(time.Hour)
	later, err := c.Email.Send(ctx, brevo.SendEmailRequest{TemplateID: 4, To: []brevo.Address{{Email: "ada@example.com"}}, ScheduledAt: at})
	require.NoError(t, err)
	assert.True(t, later.Scheduled)
	assert.Equal(t, http.StatusAccepted, later.Meta.StatusCode)
	assert.NotEmpty(t, later.BatchID)

	mails := srv.SentEmails()
	require.Len(t, mails, 4)
	assert.Equal(t, "Your score", mails[0].Subject)
	assert.Equal(t, []byte("a,b\n1,2\n"), mails[0].Attachments[0].Content)
	assert.Equal(t, "Hi B", mails[2].Subject)
	assert.Equal(t, map[string]any{"team": "growth", "name": "B"}, mails[2].Params)
	assert.True(t, mails[3].ScheduledAt.Equal(at.Truncate(0)))
	assert.Len(t, srv.SentTo("ADA@example.com"), 2)
}

func TestSendEmailBadInput(t *testing.T) {
	srv := brevotest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	sender := &brevo.Sender{Email: "news@example.com"}
	to := []brevo.Address{{Email: "ada@example.com"}}

	local := []brevo.SendEmailRequest{
		{Sender: sender, To: []brevo.Address{{Email: "ada"}}, Subject: "s", TextContent: "t"},
		{Sender: &brevo.Sender{Email: "news@"}, To: to, Subject: "s", TextContent: "t"},
		{Sender: sender, To: to, CC: []brevo.Address{{Email: "a b@example.com"}}, Subject: "s", TextContent: "t"},
		{Sender: sender, To: to, ReplyTo: &brevo.Address{}, Subject: "s", TextContent: "t"},
		{Sender: sender, MessageVersions: []brevo.MessageVersion{{}}, Subject: "s", TextContent: "t"},
		{Sender: sender, To: to, Subject: "s", TextContent: "t", Attachments: []brevo.Attachment{{Name: "empty.txt"}}},
	}
	for i, req := range local {
		_, err := c.Email.Send(ctx, req)
		assert.ErrorIs(t, err, brevo.ErrInvalidRequest, "request %d", i)
	}
	assert.Zero(t, srv.RequestCount(""))

	remote := []struct {
		name string
		req  brevo.SendEmailRequest
		code string
	}{
		{"missing sender", brevo.SendEmailRequest{To: to, Subject: "s", TextContent: "t"}, brevo.CodeMissingParameter},
		{"missing recipients", brevo.SendEmailRequest{Sender: sender, Subject: "s", TextContent: "t"}, brevo.CodeMissingParameter},
		{"missing subject", brevo.SendEmailRequest{Sender: sender, To: to, TextContent: "t"}, brevo.CodeMissingParameter},
		{"missing content", brevo.SendEmailRequest{Sender: sender, To: to, Subject: "s"}, brevo.CodeMissingParameter},
		{"scheduled in the past", brevo.SendEmailRequest{Sender: sender, To: to, Subject: "s", TextContent: "t", ScheduledAt: time.Now().Add(-time.Hour)}, brevo.CodeInvalidParameter},
		{"invalid address through Extra", brevo.SendEmailRequest{Sender: sender, To: to, Subject: "s", TextContent: "t", Extra: map[string]any{"bcc": []map[string]string{{"email": "nope"}}}}, brevo.CodeInvalidParameter},
	}
	for _, tt := range remote {
		_, err := c.Email.Send(ctx, tt.req)
		var apiErr *brevo.APIError
		require.ErrorAs(t, err, &apiErr, tt.name)
		assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode, tt.name)
		assert.Equal(t, tt.code, apiErr.Code, tt.name)
	}
	assert.Empty(t, srv.SentEmails())
}
