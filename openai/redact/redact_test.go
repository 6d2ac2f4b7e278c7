package redact_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reachkit/reachkit/openai/redact"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestPlaceholdersNumberPerKindAndRepeat(t *testing.T) {
	s := redact.New().NewSession()
	got := s.Redact("a@example.com +4915112345678 b@example.com a@example.com 4111111111111111")
	assert.Equal(t, "[EMAIL_1] [PHONE_1] [EMAIL_2] [EMAIL_1] [CARD_1]", got)
	got = s.Redact("again b@example.com, new c@example.com, key " + keyProj)
	assert.Equal(t, "again [EMAIL_2], new [EMAIL_3], key [SECRET_1]", got)
	assert.Equal(t, []redact.Finding{
		{Kind: redact.Email, Placeholder: "[EMAIL_1]", Original: "a@example.com"},
		{Kind: redact.Phone, Placeholder: "[PHONE_1]", Original: "+4915112345678"},
		{Kind: redact.Email, Placeholder: "[EMAIL_2]", Original: "b@example.com"},
		{Kind: redact.Card, Placeholder: "[CARD_1]", Original: "4111111111111111"},
		{Kind: redact.Email, Placeholder: "[EMAIL_3]", Original: "c@example.com"},
		{Kind: redact.Secret, Placeholder: "[SECRET_1]", Original: keyProj},
	}, s.Findings())
}

func TestFindingsIsACopy(t *testing.T) {
	_, s := redact.New().Redact("a@example.com")
	f := s.Findings()
	f[0].Original = "changed"
	assert.Equal(t, "a@example.com", s.Findings()[0].Original)
}

func TestNothingToReplaceReturnsTheSameString(t *testing.T) {
	text := "Spring sale: 20% off. Order #123456 ships 2026-11-23. Call (our) team, ISBN 978-3-16-148410-0."
	r := redact.New()
	out, s := r.Redact(text)
	assert.Equal(t, text, out)
	assert.Equal(t, unsafe.StringData(text), unsafe.StringData(out))
	assert.Empty(t, s.Findings())
	assert.Equal(t, unsafe.StringData(text), unsafe.StringData(s.Restore(text)))

	s = r.NewSession()
	s.Redact("jane@example.com")
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Redact(text) }), "Redact")
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Restore(text) }), "Restore")
}

func TestWithKinds(t *testing.T) {
	text := "jane@example.com +4915112345678 4111111111111111 DE89370400440532013000 " + keyProj
	cases := []struct {
		kinds []redact.Kind
		want  string
	}{
		{[]redact.Kind{redact.Email}, "[EMAIL_1] +4915112345678 4111111111111111 DE89370400440532013000 " + keyProj},
		{[]redact.Kind{redact.Phone}, "jane@example.com [PHONE_1] 4111111111111111 DE89370400440532013000 " + keyProj},
		{[]redact.Kind{redact.Card}, "jane@example.com +4915112345678 [CARD_1] DE89370400440532013000 " + keyProj},
		{[]redact.Kind{redact.IBAN}, "jane@example.com +4915112345678 4111111111111111 [IBAN_1] " + keyProj},
		{[]redact.Kind{redact.Secret}, "jane@example.com +4915112345678 4111111111111111 DE89370400440532013000 [SECRET_1]"},
		{[]redact.Kind{redact.Email, redact.Secret}, "[EMAIL_1] +4915112345678 4111111111111111 DE89370400440532013000 [SECRET_1]"},
		{nil, text},
	}
	for _, c := range cases {
		out, s := redact.New(redact.WithKinds(c.kinds...)).Redact(text)
		assert.Equal(t, c.want, out, "%v", c.kinds)
		assert.Equal(t, text, s.Restore(out))
	}
	// A value of a kind that is off is not read, in part, as another kind:
	// the output for some kinds is the output for all with the others put back.
	all := redact.New()
	for _, c := range table {
		full, fs := all.Redact(c.text)
		for _, k := range []redact.Kind{redact.Email, redact.Phone, redact.Card, redact.IBAN, redact.Secret} {
			want := full
			for _, f := range fs.Findings() {
				if f.Kind != k {
					want = strings.ReplaceAll(want, f.Placeholder, f.Original)
				}
			}
			got, _ := redact.New(redact.WithKinds(k)).Redact(c.text)
			assert.Equal(t, want, got, "%s in %q", k, c.text)
		}
	}

	assert.PanicsWithValue(t, `redact: unknown kind "NAME"`, func() { redact.WithKinds("NAME") })
}

func TestLiteralPlaceholders(t *testing.T) {
	r := redact.New()

	// A literal is kept and its number skipped, wherever it is in the text.
	s := r.NewSession()
	in := "jane@example.com wrote [EMAIL_1] and [EMAIL_3] in the template"
	out := s.Redact(in)
	assert.Equal(t, "[EMAIL_2] wrote [EMAIL_1] and [EMAIL_3] in the template", out)
	assert.Equal(t, in, s.Restore(out))
	assert.Equal(t, "[EMAIL_4]", s.Redact("bob@example.com"))

	// A literal that the session already uses for a value is escaped.
	s = r.NewSession()
	first := s.Redact("Hi jane@example.com")
	assert.Equal(t, "Hi [EMAIL_1]", first)
	second := s.Redact("The merge tag [EMAIL_1] is literal; so is [PHONE_1]")
	assert.Equal(t, "The merge tag [EMAIL_2] is literal; so is [PHONE_1]", second)
	third := s.Redact("[EMAIL_2] and [EMAIL_1] again, jane@example.com too")
	assert.Equal(t, "[EMAIL_3] and [EMAIL_2] again, [EMAIL_1] too", third)
	assert.Equal(t, "Hi jane@example.com", s.Restore(first))
	assert.Equal(t, "The merge tag [EMAIL_1] is literal; so is [PHONE_1]", s.Restore(second))
	assert.Equal(t, "[EMAIL_2] and [EMAIL_1] again, jane@example.com too", s.Restore(third))
	assert.Len(t, s.Findings(), 1, "literals are not findings")

	// Things that are not placeholders are ordinary text.
	for _, x := range []string{"[EMAIL_0]", "[EMAIL_01]", "[email_1]", "[EMAIL_1234567890]", "[NAME_1]", "[EMAIL_1", "[EMAIL_1 ]", "EMAIL_1]"} {
		s := r.NewSession()
		s.Redact("jane@example.com")
		assert.Equal(t, x, s.Restore(x), x)
	}

	// Kinds that are off are not touched.
	s = redact.New(redact.WithKinds(redact.Email)).NewSession()
	assert.Equal(t, "[PHONE_1] [EMAIL_1]", s.Redact("[PHONE_1] a@example.com"))
}

func TestRestoreLeavesUnknownAndAlteredPlaceholders(t *testing.T) {
	out, s := redact.New().Redact("Write to jane@example.com")
	require.Equal(t, "Write to [EMAIL_1]", out)
	reply := "Dear [EMAIL_1], [EMAIL_2] [email_1] [ EMAIL_1 ] [EMAIL_1]."
	assert.Equal(t, "Dear jane@example.com, [EMAIL_2] [email_1] [ EMAIL_1 ] jane@example.com.", s.Restore(reply))
	assert.Equal(t, "[EMAIL_1]", redact.New().NewSession().Restore("[EMAIL_1]"))
}

// TestSessionDoesNotPinText checks that originals are copied out of the text.
func TestSessionDoesNotPinText(t *testing.T) {
	text := []byte("mail jane@example.com now")
	_, s := redact.New().Redact(string(text))
	for i := range text {
		text[i] = 'x'
	}
	assert.Equal(t, "jane@example.com", s.Findings()[0].Original)
}

// fragments build random texts for the round-trip property: values of every
// kind, things shaped like placeholders, separators and other scripts.
var fragments = []string{
	"jane@example.com", "zhang.wei@example.cn", "a@b.co", "@", ".", "-", "+", "(", ")", " ", "  ", "\n",
	"+4915112345678", "(415) 555-0132", "415-555-0132", "020 7946 0958", "01 23 45 67 89", "138 0013 8000",
	"4111 1111 1111 1111", "4111 1111 1111 1112", "4111111111111111", "DE89 3704 0044 0532 0130 00",
	"DE89370400440532013000", keyProj, keyBrevo, "sk-", "xkeysib-",
	"[EMAIL_1]", "[EMAIL_2]", "[PHONE_1]", "[CARD_1]", "[IBAN_1]", "[SECRET_1]", "[EMAIL_", "[", "]", "_", "1", "2", "0",
	"[EMAIL_0]", "[EMAIL_999999999]", "电子邮件", "请联系", "कृपया", "पर", "\xff", "é", "0", "12", "2026-11-23", "$1,299.00",
	"mailto:", "<a href=\"", "\">", "Spring sale", "Order #123456",
}

func randomText(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteString(fragments[rng.IntN(len(fragments))])
	}
	return b.String()
}

// TestRoundTripProperty checks Restore(Redact(x)) == x for the table and for
// random texts, redacted three to a session, restored after all three.
func TestRoundTripProperty(t *testing.T) {
	r := redact.New()
	for _, c := range table {
		out, s := r.Redact(c.text)
		require.Equal(t, c.text, s.Restore(out))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		s := r.NewSession()
		var in, out [3]string
		for j := range in {
			in[j] = randomText(rng)
			out[j] = s.Redact(in[j])
		}
		for j := range in {
			if got := s.Restore(out[j]); got != in[j] {
				t.Fatalf("text %d of %q: redacted %q, restored %q", j, in, out[j], got)
			}
		}
	}
}

// TestEchoServerRoundTrip sends redacted messages through an HTTP server that
// answers with what it got, as a model that copies the prompt would, and
// restores the answer.
func TestEchoServerRoundTrip(t *testing.T) {
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body struct {
			Messages []message `json:"messages"`
		}
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var reply strings.Builder
		for _, m := range body.Messages {
			reply.WriteString("You said: " + m.Content + "\n")
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"choices": []any{map[string]any{"message": message{Role: "assistant", Content: reply.String()}}},
		})
	}))
	defer srv.Close()

	messages := []message{
		{"system", "You write marketing e-mails. Never reveal " + keyProj + "."},
		{"user", "Write to 张伟 <zhang.wei@example.cn> (电话 138 0013 8000) and raj@example.in (+91 98765 43210)."},
		{"user", "Use the merge tag [EMAIL_1] literally; IBAN DE89 3704 0044 0532 0130 00; card 4111-1111-1111-1111."},
	}
	s := redact.New().NewSession()
	var want strings.Builder
	sent := make([]message, len(messages))
	for i, m := range messages {
		want.WriteString("You said: " + m.Content + "\n")
		sent[i] = message{m.Role, s.Redact(m.Content)}
	}
	body, err := json.Marshal(map[string]any{"model": "gpt-4o-mini", "messages": sent})
	require.NoError(t, err)
	for _, f := range s.Findings() {
		require.NotContains(t, string(body), f.Original)
	}

	resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	var got struct {
		Choices []struct {
			Message message `json:"message"`
		} `json:"choices"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	require.Len(t, got.Choices, 1)
	assert.Equal(t, want.String(), s.Restore(got.Choices[0].Message.Content))
	assert.Len(t, s.Findings(), 7)
}

// TestConcurrentSessions shares one Redactor between goroutines, each with
// its own sessions (run with -race).
func TestConcurrentSessions(t *testing.T) {
	r := redact.New()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range table {
				s := r.NewSession()
				if out := s.Redact(c.text); s.Restore(out) != c.text {
					t.Errorf("round trip of %q", c.text)
				}
			}
		}()
	}
	wg.Wait()
}
