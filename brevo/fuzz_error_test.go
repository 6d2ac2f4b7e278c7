package brevo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/ratelimit"
)

// memoryTransport answers every request with one reply, without a network.
type memoryTransport struct {
	status int
	header http.Header
	body   []byte
}

func (m *memoryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: m.status, Status: fmt.Sprintf("%d %s", m.status, http.StatusText(m.status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: m.header.Clone(),
		Body: io.NopCloser(bytes.NewReader(m.body)), ContentLength: int64(len(m.body)), Request: r}, nil
}

func memoryClient(tb testing.TB, rt http.RoundTripper) *brevo.Client {
	tb.Helper()
	c, err := brevo.NewClient(brevo.WithAPIKey("xkeysib-fuzz"), brevo.WithBaseURL("http://127.0.0.1:9/v3"),
		brevo.WithHTTPClient(&http.Client{Transport: rt}), brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// fuzzCalls are calls whose errors are built differently: plain, from a
// POST, with the send-test details, and through the batch helpers.
var fuzzCalls = []struct {
	name string
	call func(ctx context.Context, c *brevo.Client) error
}{
	{"Contacts.Get", func(ctx context.Context, c *brevo.Client) error {
		_, err := c.Contacts.Get(ctx, brevo.ByEmail("ada@example.com"))
		return err
	}},
	{"Email.Send", func(ctx context.Context, c *brevo.Client) error {
		_, err := c.Email.Send(ctx, brevo.SendEmailRequest{Sender: &brevo.Sender{Email: "shop@example.com"},
			To: []brevo.Address{{Email: "ada@example.com"}}, Subject: "Hi", HTMLContent: "<p>Hi</p>"})
		return err
	}},
	{"Campaigns.SendTest", func(ctx context.Context, c *brevo.Client) error {
		_, err := c.Campaigns.SendTest(ctx, 1, []string{"ada@example.com"})
		return err
	}},
	{"Lists.AddContacts", func(ctx context.Context, c *brevo.Client) error {
		_, err := c.Lists.AddContacts(ctx, 1, brevo.ListMembers{Emails: []string{"ada@example.com"}})
		return err
	}},
	{"Contacts.UpdateMany", func(ctx context.Context, c *brevo.Client) error {
		_, err := c.Contacts.UpdateMany(ctx, []brevo.BatchContact{{Email: "ada@example.com"}})
		return err
	}},
	{"Contacts.Create", func(ctx context.Context, c *brevo.Client) error {
		_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com", UpdateEnabled: true})
		return err
	}},
}

var brevoErrorSeeds = []struct {
	status int
	ctype  string
	body   string
}{
	{400, "application/json", `{"code":"invalid_parameter","message":"email is not valid"}`},
	{400, "application/json", `{"code":"duplicate_parameter","message":"Contact already exist"}`},
	{404, "application/json", `{"code":"document_not_found","message":"Contact does not exist"}`},
	{401, "application/json", `{"code":"unauthorized","message":"Key not found"}`},
	{429, "application/json", `{"code":"too_many_requests","message":"The expected rate limit is exceeded."}`},
	{400, "application/json", `{"code":"invalid_parameter","message":"Some emails are not valid","unexistingEmails":["ada@example.com"],"withoutListEmails":[],"blackListedEmails":["bob@example.com"]}`},
	{502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"},
	{500, "", ""},
	{400, "application/json", "{\"code\":\"\xff\xfe\",\"message\":\"\\ud800 \xc3\"}"},
	{400, "application/json", `{"code":400,"message":["not","a","string"]}`},
	{400, "application/json", `{"code":null,"message":null}`},
	{201, "application/json", `{"id":42}`},
	{204, "", ""},
	{200, "application/json", `{"contacts":{"success":["ada@example.com"],"failure":[]}}`},
}

// FuzzAPIError sends any body with any status to calls of each kind. A
// non-2xx reply must give a *brevo.APIError of that status whose fields and
// message are valid UTF-8 and whose predicates agree with the status; a 2xx
// reply gives a result or a *DecodeError. Nothing panics.
func FuzzAPIError(f *testing.F) {
	for i, s := range brevoErrorSeeds {
		f.Add(uint16(s.status), uint8(i), s.ctype, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, code uint16, which uint8, ctype string, body []byte) {
		status := int(code)
		if status < 100 || status > 599 {
			status = 100 + status%500
		}
		if status == http.StatusSwitchingProtocols {
			return
		}
		h := http.Header{}
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		fc := fuzzCalls[int(which)%len(fuzzCalls)]
		err := fc.call(context.Background(), memoryClient(t, &memoryTransport{status: status, header: h, body: body}))
		if status >= 200 && status <= 299 {
			var de *brevo.DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Fatalf("%s, HTTP %d: %T %v, want a result or a *DecodeError", fc.name, status, err, err)
			}
			return
		}
		var e *brevo.APIError
		if !errors.As(err, &e) {
			t.Fatalf("%s, HTTP %d: %T %v, want an *APIError", fc.name, status, err, err)
		}
		if e.StatusCode != status {
			t.Fatalf("%s: StatusCode %d, want %d", fc.name, e.StatusCode, status)
		}
		strs := map[string]string{"Code": e.Code, "Message": e.Message, "Method": e.Method, "Path": e.Path, "Error()": err.Error()}
		var ste *brevo.SendTestError
		if errors.As(err, &ste) {
			for _, list := range [][]string{ste.UnexistingEmails, ste.WithoutListEmails, ste.BlacklistedEmails} {
				for _, s := range list {
					strs["SendTestError email"] = s
				}
			}
		}
		for name, s := range strs {
			if !utf8.ValidString(s) {
				t.Fatalf("%s: %s is not valid UTF-8: %q", fc.name, name, s)
			}
		}
		if e.IsRateLimit() != (status == 429) || e.IsNotFound() != (status == 404) || e.IsAuth() != (status == 401 || status == 403) {
			t.Fatalf("%s: predicates disagree with HTTP %d", fc.name, status)
		}
		if brevo.ErrorCode(err) != e.Code || brevo.IsRateLimit(err) != e.IsRateLimit() {
			t.Fatalf("%s: the package helpers disagree with the error", fc.name)
		}
	})
}
