package brevotest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/ratelimit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// call sends a raw request, bypassing the client's own checks, and returns
// the status and the decoded error model.
func call(t *testing.T, srv *brevotest.Server, method, path, body string, key bool) (int, map[string]string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key {
		req.Header.Set("api-key", brevotest.APIKey)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]string
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m, resp.Header
}

func TestValidationRules(t *testing.T) {
	srv := brevotest.NewServer(t)
	st, _, _ := call(t, srv, "POST", "/contacts", `{"email":"ada@example.com"}`, true)
	require.Equal(t, 201, st)
	tests := []struct {
		name, method, path, body string
		key                      bool
		status                   int
		code                     string
	}{
		{"no key", "GET", "/contacts/attributes", "", false, 401, "unauthorized"},
		{"invalid email", "POST", "/contacts", `{"email":"ada(at)example.com"}`, true, 400, "invalid_parameter"},
		{"no identifier", "POST", "/contacts", `{"attributes":{"FIRSTNAME":"x"}}`, true, 400, "missing_parameter"},
		{"duplicate", "POST", "/contacts", `{"email":"ADA@example.com"}`, true, 400, "duplicate_parameter"},
		{"unknown attribute", "PUT", "/contacts/ada@example.com", `{"attributes":{"MOOD":"happy"}}`, true, 400, "invalid_parameter"},
		{"text for text is fine", "PUT", "/contacts/ada@example.com", `{"attributes":{"FIRSTNAME":"Ada"}}`, true, 204, ""},
		{"number for text", "PUT", "/contacts/ada@example.com", `{"attributes":{"FIRSTNAME":7}}`, true, 400, "invalid_parameter"},
		{"bad identifier", "GET", "/contacts/ada", "", true, 400, "invalid_parameter"},
		{"missing contact", "GET", "/contacts/404", "", true, 404, "document_not_found"},
		{"bad JSON", "POST", "/contacts", `{"email":`, true, 400, "bad_request"},
		{"missing sender", "POST", "/smtp/email", `{"to":[{"email":"ada@example.com"}],"subject":"s","textContent":"t"}`, true, 400, "missing_parameter"},
		{"invalid recipient", "POST", "/smtp/email", `{"sender":{"email":"n@example.com"},"to":[{"email":"ada"}],"subject":"s","textContent":"t"}`, true, 400, "invalid_parameter"},
		{"template needs no sender", "POST", "/smtp/email", `{"templateId":3,"to":[{"email":"ada@example.com"}]}`, true, 201, ""},
		{"attachment without name", "POST", "/smtp/email", `{"sender":{"email":"n@example.com"},"to":[{"email":"ada@example.com"}],"subject":"s","textContent":"t","attachment":[{"content":"aGk="}]}`, true, 400, "missing_parameter"},
		{"empty batch", "POST", "/contacts/batch", `{"contacts":[]}`, true, 400, "missing_parameter"},
		{"101-contact batch", "POST", "/contacts/batch", `{"contacts":[` + strings.Repeat(`{"email":"ada@example.com"},`, 100) + `{"email":"ada@example.com"}]}`, true, 400, "out_of_range"},
		{"folders need limit", "GET", "/contacts/folders", "", true, 400, "missing_parameter"},
		{"page too large", "GET", "/contacts/lists?limit=51", "", true, 400, "out_of_range"},
		{"151 list members", "POST", "/contacts/lists/1/contacts/add", `{"ids":[` + strings.Repeat("1,", 150) + `1]}`, true, 400, "out_of_range"},
		{"bad attribute category", "POST", "/contacts/attributes/odd/X", `{"type":"text"}`, true, 400, "invalid_parameter"},
		{"unknown route", "GET", "/account", "", true, 404, "document_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body, _ := call(t, srv, tt.method, tt.path, tt.body, tt.key)
			assert.Equal(t, tt.status, st)
			if tt.code != "" {
				assert.Equal(t, tt.code, body["code"])
				assert.NotEmpty(t, body["message"])
			}
		})
	}
	got, _ := srv.Contact("ada@example.com")
	assert.Equal(t, "Ada", got.Attributes["FIRSTNAME"].String(), "only the valid update was applied")
}

func TestScriptedRepliesAndRecording(t *testing.T) {
	srv := brevotest.NewServer(t)
	c := srv.Client(brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	ctx := context.Background()
	srv.Enqueue("/v3/contacts/attributes",
		brevotest.Error(http.StatusTooManyRequests, brevo.CodeTooManyRequests, "slow down"),
		brevotest.Raw(http.StatusBadGateway, "text/html", "<html>bad gateway</html>"),
		brevotest.JSON(map[string]any{"attributes": []map[string]string{{"name": "SCRIPTED", "category": "normal", "type": "text"}}}),
	)
	_, err := c.Attributes.List(ctx)
	assert.True(t, brevo.IsRateLimit(err))
	_, err = c.Attributes.List(ctx)
	var apiErr *brevo.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	list, err := c.Attributes.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, "SCRIPTED", list.Attributes[0].Name)
	list, err = c.Attributes.List(ctx)
	require.NoError(t, err)
	assert.Len(t, list.Attributes, 3, "the fake answers once the queue is empty")

	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, "/contacts/attributes", reqs[0].Path)
	assert.Equal(t, brevotest.APIKey, reqs[0].Header.Get("api-key"))
	assert.Equal(t, []int{429, 502, 200, 200}, []int{reqs[0].Status, reqs[1].Status, reqs[2].Status, reqs[3].Status})
	assert.Equal(t, 4, srv.RequestCount("contacts/attributes"))
	assert.Equal(t, 0, srv.RequestCount("contacts"))
}

func TestRateLimitHeadersAndEnforcement(t *testing.T) {
	srv := brevotest.NewServer(t, brevotest.WithRouteLimits(map[string]float64{brevo.GroupTransactional: 2}))
	send := `{"sender":{"email":"n@example.com"},"to":[{"email":"ada@example.com"}],"subject":"s","textContent":"t"}`
	var remaining []string
	for range 2 {
		st, _, h := call(t, srv, "POST", "/smtp/email", send, true)
		require.Equal(t, 201, st)
		assert.Equal(t, "2", h.Get("x-sib-ratelimit-limit"))
		assert.Equal(t, "1", h.Get("x-sib-ratelimit-reset"))
		remaining = append(remaining, h.Get("x-sib-ratelimit-remaining"))
	}
	assert.Equal(t, []string{"1", "0"}, remaining)
	st, body, h := call(t, srv, "POST", "/smtp/email", send, true)
	assert.Equal(t, 429, st)
	assert.Equal(t, "too_many_requests", body["code"])
	assert.Equal(t, "0", h.Get("x-sib-ratelimit-remaining"))
	assert.Len(t, srv.SentEmails(), 2, "a rejected request changes nothing")

	st, _, h = call(t, srv, "GET", "/contacts/attributes", "", true)
	assert.Equal(t, 200, st, "other groups have their own budget")
	assert.Equal(t, "10", h.Get("x-sib-ratelimit-limit"), "and report Brevo's default")
	for range 12 {
		st, _, _ = call(t, srv, "GET", "/contacts/attributes", "", true)
		assert.Equal(t, 200, st, "a default budget is reported, not enforced")
	}

	time.Sleep(time.Second)
	st, _, _ = call(t, srv, "POST", "/smtp/email", send, true)
	assert.Equal(t, 201, st, "the budget comes back when the window closes")
}

func TestDelayHonoursContext(t *testing.T) {
	srv := brevotest.NewServer(t)
	srv.Enqueue("contacts/attributes", brevotest.Reply{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := srv.Client().Attributes.List(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestAccessorsReturnCopies(t *testing.T) {
	srv := brevotest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	_, err := c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com", ExtID: "crm-1", Attributes: brevo.Attributes{"FIRSTNAME": brevo.Text("Ada")}})
	require.NoError(t, err)
	got, ok := srv.Contact("ada@example.com")
	require.True(t, ok)
	got.Attributes["FIRSTNAME"] = brevo.Text("changed")
	again, _ := srv.ContactByID(got.ID)
	assert.Equal(t, "Ada", again.Attributes["FIRSTNAME"].String())
	assert.Equal(t, "crm-1", srv.ContactExtID("ada@example.com"))
	_, ok = srv.Contact("nobody@example.com")
	assert.False(t, ok)
	_, ok = srv.List(1)
	assert.False(t, ok)
	_, ok = srv.Campaign(1)
	assert.False(t, ok)
	assert.Nil(t, srv.CampaignRecipients(1))
	assert.Empty(t, srv.Folders())
	attrs := srv.Attributes()
	attrs[0].Name = "CHANGED"
	assert.Equal(t, "FIRSTNAME", srv.Attributes()[0].Name)
}

func ExampleNewServer() {
	srv := brevotest.NewServer(nil) // in a test: brevotest.NewServer(t)
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	_, _ = c.Attributes.Ensure(ctx, []brevo.AttributeSpec{{Name: "CHURN_RISK", Type: brevo.AttributeFloat}})
	_, _ = c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com", Attributes: brevo.Attributes{"CHURN_RISK": brevo.Number(0.7)}})
	_, err := c.Contacts.Update(ctx, brevo.ByEmail("ada@example.com"), brevo.UpdateContactRequest{Attributes: brevo.Attributes{"MOOD": brevo.Text("happy")}})
	fmt.Println(err)

	got, _ := srv.Contact("ada@example.com")
	fmt.Println(got.Attributes["CHURN_RISK"])
	fmt.Println(srv.RequestCount("contacts/attributes"), srv.RequestCount("contacts"))
	// Output:
	// brevo: HTTP 400 invalid_parameter: Attribute MOOD does not exist (PUT /contacts/{email})
	// 0.7
	// 1 1
}
