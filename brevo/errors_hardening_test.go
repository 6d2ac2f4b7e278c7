package brevo_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/internal/transport"
)

// The details of a refused test send come from the error body, which must
// not be able to change what the *APIError says about the reply.
func TestSendTestErrorKeepsTheReply(t *testing.T) {
	body := `{"code":"invalid_parameter","message":"Emails are not valid","unexistingEmails":["ada@example.com"],` +
		`"statusCode":200,"method":"DELETE","path":"elsewhere","header":{"X-Injected":["1"]}}`
	rt := &memoryTransport{status: 400, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(body)}
	_, err := memoryClient(t, rt).Campaigns.SendTest(context.Background(), 7, []string{"ada@example.com"})
	var ste *brevo.SendTestError
	if !errors.As(err, &ste) {
		t.Fatalf("err %v, want a *SendTestError", err)
	}
	if ste.StatusCode != 400 || ste.Method != http.MethodPost || ste.Path != "emailCampaigns/7/sendTest" || ste.Header.Get("X-Injected") != "" {
		t.Errorf("the body rewrote the error: status %d, method %s, path %s, header %v", ste.StatusCode, ste.Method, ste.Path, ste.Header)
	}
}

// redirecting answers the first request with a redirect to location and
// records every request.
type redirecting struct {
	location string
	mu       sync.Mutex
	seen     []*http.Request
}

func (r *redirecting) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = append(r.seen, req)
	first := len(r.seen) == 1
	r.mu.Unlock()
	if first {
		return (&memoryTransport{status: http.StatusTemporaryRedirect, header: http.Header{"Location": {r.location}}}).RoundTrip(req)
	}
	return (&memoryTransport{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"id":1}`)}).RoundTrip(req)
}

// net/http drops Authorization on a redirect to another host, but not
// Brevo's api-key header: the client must not follow redirects.
func TestRedirectDoesNotCarryTheKey(t *testing.T) {
	for _, location := range []string{"http://203.0.113.7/v3/contacts/1", "https://attacker.example/v3/contacts/1"} {
		rt := &redirecting{location: location}
		c, err := brevo.NewClient(brevo.WithAPIKey("xkeysib-SECRET"), brevo.WithBaseURL("http://127.0.0.1:9/v3"),
			brevo.WithHTTPClient(&http.Client{Transport: rt}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Contacts.Get(context.Background(), brevo.ByID(1))
		for _, r := range rt.seen {
			if !transport.IsLoopback(r.URL.Hostname()) && r.Header.Get("Api-Key") != "" {
				t.Errorf("the api-key went to %s", r.URL)
			}
		}
		var e *brevo.APIError
		if !errors.As(err, &e) || e.StatusCode != http.StatusTemporaryRedirect {
			t.Errorf("redirect to %s: err %v, want an *APIError 307", location, err)
		}
	}
}
