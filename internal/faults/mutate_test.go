package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
	"github.com/reachkit/reachkit/ratelimit"
)

// jnode is a JSON value that keeps the order of object keys, so that a
// mutated reply differs from the original in one place only.
type jnode struct {
	kind byte // '{', '[' or 'v' (a scalar, kept as raw JSON)
	keys []string
	kids []*jnode
	raw  []byte
}

func parseJSON(b []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return parseValue(dec)
}

func parseValue(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		n := &jnode{kind: byte(v)}
		for dec.More() {
			if v == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			kid, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	case json.Number:
		return &jnode{kind: 'v', raw: []byte(v)}, nil
	default:
		raw, _ := json.Marshal(v)
		return &jnode{kind: 'v', raw: raw}, nil
	}
}

// encode writes n with target replaced by repl.
func (n *jnode) encode(buf *bytes.Buffer, target *jnode, repl []byte) {
	if n == target {
		buf.Write(repl)
		return
	}
	switch n.kind {
	case 'v':
		buf.Write(n.raw)
	case '{', '[':
		buf.WriteByte(n.kind)
		for i, kid := range n.kids {
			if i > 0 {
				buf.WriteByte(',')
			}
			if n.kind == '{' {
				k, _ := json.Marshal(n.keys[i])
				buf.Write(k)
				buf.WriteByte(':')
			}
			kid.encode(buf, target, repl)
		}
		if n.kind == '{' {
			buf.WriteByte('}')
		} else {
			buf.WriteByte(']')
		}
	}
}

// nodes lists n and its descendants; of long arrays only the first two
// elements are descended into.
func (n *jnode) nodes() []*jnode {
	out := []*jnode{n}
	for i, kid := range n.kids {
		if n.kind == '[' && i >= 2 {
			break
		}
		out = append(out, kid.nodes()...)
	}
	return out
}

// replacements are what each value of a reply is replaced by: nulls where
// objects belong, the wrong type, invalid UTF-8, numbers out of range.
var replacements = []string{
	`null`, `{}`, `[]`, `""`, `"x"`, "\"\xff\xfe\"", `1e400`, `-1`, `99999999999999999999`, `0.5`, `true`, `[null]`, `{"":null}`,
}

// mutations returns every one-place mutation of body, and for each object a
// copy with its first key repeated (set to null).
func mutations(body []byte) [][]byte {
	root, err := parseJSON(body)
	if err != nil {
		return nil
	}
	var out [][]byte
	for _, n := range root.nodes() {
		for _, r := range replacements {
			var buf bytes.Buffer
			root.encode(&buf, n, []byte(r))
			out = append(out, buf.Bytes())
		}
		if n.kind == '{' && len(n.keys) > 0 {
			dup := &jnode{kind: '{', keys: append(append([]string(nil), n.keys...), n.keys[0]), kids: append(append([]*jnode(nil), n.kids...), &jnode{kind: 'v', raw: []byte("null")})}
			var buf bytes.Buffer
			root.encode(&buf, n, encodeNode(dup))
			out = append(out, buf.Bytes())
		}
	}
	return out
}

func encodeNode(n *jnode) []byte {
	var buf bytes.Buffer
	n.encode(&buf, nil, nil)
	return buf.Bytes()
}

// streamMutations mutates the JSON data of each event of an SSE body in
// turn.
func streamMutations(body []byte) [][]byte {
	events := strings.SplitAfter(string(body), "\n\n")
	var out [][]byte
	for i, ev := range events {
		j := strings.Index(ev, "data: ")
		if j < 0 || strings.HasPrefix(ev[j:], "data: [DONE]") {
			continue
		}
		data := strings.TrimSuffix(ev[j+len("data: "):], "\n\n")
		for _, m := range mutations([]byte(data)) {
			var b strings.Builder
			for k, other := range events {
				if k == i {
					b.WriteString(ev[:j] + "data: " + string(m) + "\n\n")
				} else {
					b.WriteString(other)
				}
			}
			out = append(out, []byte(b.String()))
		}
	}
	return out
}

// replay is an in-memory transport that answers every request with body.
type replay struct {
	ctype string
	body  []byte
}

func (r *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: req,
		Header: http.Header{"Content-Type": {r.ctype}, "X-Request-Id": {"req_mutated"}}, Body: io.NopCloser(bytes.NewReader(r.body))}, nil
}

// recorder keeps the last reply body that passed through it.
type recorder struct {
	mu   sync.Mutex
	last []byte
}

func (rec *recorder) middleware(next http.RoundTripper) http.RoundTripper {
	return transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil {
			return resp, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		rec.mu.Lock()
		rec.last = b
		rec.mu.Unlock()
		return resp, nil
	})
}

func (rec *recorder) take() []byte {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	b := rec.last
	rec.last = nil
	return b
}

// mutationTarget is one call whose valid reply is mutated.
type mutationTarget struct {
	name   string
	ctype  string
	stream bool
	body   []byte
	call   func(ctx context.Context, rt http.RoundTripper) error
}

func openaiOn(rt http.RoundTripper) *openai.Client {
	c, err := openai.NewClient(openai.WithAPIKey(openaiKey), openai.WithBaseURL("http://127.0.0.1:9/v1"),
		openai.WithHTTPClient(&http.Client{Transport: rt}), openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	if err != nil {
		panic(err)
	}
	return c
}

func brevoOn(rt http.RoundTripper) *brevo.Client {
	c, err := brevo.NewClient(brevo.WithAPIKey(brevoKey), brevo.WithBaseURL("http://127.0.0.1:9/v3"),
		brevo.WithHTTPClient(&http.Client{Transport: rt}), brevo.WithRetry(ratelimit.RetryPolicy{MaxRetries: -1}))
	if err != nil {
		panic(err)
	}
	return c
}

// toServer sends requests to the server at base (whatever host they name),
// with the headers set, and records each reply.
func toServer(t *testing.T, base string, set map[string]string, rec *recorder) http.RoundTripper {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return rec.middleware(transport.RoundTripperFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Host = u.Host
		for k, v := range set {
			r.Header.Set(k, v)
		}
		return tr.RoundTrip(r)
	}))
}

// openaiTargets runs each call once against the fake server to record a
// valid reply, and returns the calls with their replies.
func openaiTargets(t *testing.T) []mutationTarget {
	srv := openaitest.NewServer(t)
	var rec recorder
	live := toServer(t, srv.URL(), nil, &rec)
	ctx := context.Background()
	calls := []mutationTarget{
		{name: "Chat.New", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			resp, err := openaiOn(rt).Chat.New(ctx, hello)
			if err == nil {
				_ = resp.Text()
				for _, ch := range resp.Choices {
					_ = ch.Message.Param()
				}
				_, _ = openai.ParseChat[map[string]any](resp)
			}
			return err
		}},
		{name: "Chat.Stream", ctype: "text/event-stream", stream: true, call: func(ctx context.Context, rt http.RoundTripper) error {
			st := openaiOn(rt).Chat.Stream(ctx, hello)
			defer st.Close()
			for st.Next() {
				_ = st.Current()
			}
			c := st.Completion()
			_ = c.Text()
			_, _ = openai.ParseChat[map[string]any](c)
			return st.Err()
		}},
		{name: "Responses.New", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			resp, err := openaiOn(rt).Responses.New(ctx, openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("hello")})
			if err == nil {
				_, _, _ = resp.OutputText(), resp.Refusal(), resp.FunctionCalls()
				_, _ = openai.ParseResponse[map[string]any](resp)
			}
			return err
		}},
		{name: "Responses.Stream", ctype: "text/event-stream", stream: true, call: func(ctx context.Context, rt http.RoundTripper) error {
			st := openaiOn(rt).Responses.Stream(ctx, openai.ResponseRequest{Model: "gpt-4o-mini", Input: openai.TextInput("hello")})
			defer st.Close()
			for st.Next() {
				_ = st.Current()
			}
			_, _, _, _ = st.Response(), st.OutputText(), st.FunctionCalls(), st.ReasoningSummary()
			if r := st.Response(); r != nil {
				_ = r.OutputText()
			}
			return st.Err()
		}},
		{name: "Embeddings.New (base64)", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			resp, err := openaiOn(rt).Embeddings.New(ctx, openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: []string{"a", "b"}, Dimensions: 4})
			if err == nil {
				_ = resp.Vectors()
			}
			return err
		}},
		{name: "Embeddings.New (float)", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			resp, err := openaiOn(rt).Embeddings.New(ctx, openai.EmbeddingRequest{Model: "text-embedding-3-small", Input: []string{"a", "b"}, Dimensions: 4, EncodingFormat: "float"})
			if err == nil {
				_ = resp.Vectors()
			}
			return err
		}},
		{name: "Images.Generate", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			resp, err := openaiOn(rt).Images.Generate(ctx, openai.ImageGenerateRequest{Model: "gpt-image-1", Prompt: "a shoe"})
			if err == nil {
				for _, img := range resp.Data {
					_, _ = img.Bytes()
				}
			}
			return err
		}},
		{name: "Moderations.New", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			resp, err := openaiOn(rt).Moderations.New(ctx, openai.ModerationRequest{Input: []string{"hello"}})
			if err == nil {
				_ = resp.Flagged()
				for _, r := range resp.Results {
					_ = r.FlaggedCategories()
				}
			}
			return err
		}},
		{name: "Models.List", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			_, err := openaiOn(rt).Models.List(ctx)
			return err
		}},
		{name: "Audio.Transcribe", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			_, err := openaiOn(rt).Audio.Transcribe(ctx, openai.TranscriptionRequest{File: bytes.NewReader(openaitest.WAV()), Filename: "call.wav", Model: "whisper-1", ResponseFormat: "verbose_json"})
			return err
		}},
	}
	for i := range calls {
		if err := calls[i].call(ctx, live); err != nil {
			t.Fatalf("%s against the fake: %v", calls[i].name, err)
		}
		calls[i].body = rec.take()
	}
	return calls
}

// brevoTargets builds some state in the fake Brevo server, records a valid
// reply of each call, and returns the calls with their replies.
func brevoTargets(t *testing.T) []mutationTarget {
	srv := brevotest.NewServer(t)
	ctx := context.Background()
	setup := srv.Client()
	if _, err := setup.Attributes.Create(ctx, brevo.CreateAttributeRequest{Name: "SCORE", Type: brevo.AttributeFloat}); err != nil {
		t.Fatal(err)
	}
	folder, err := setup.Folders.Create(ctx, "Customers")
	if err != nil {
		t.Fatal(err)
	}
	list, err := setup.Lists.Create(ctx, brevo.CreateListRequest{Name: "Spring", FolderID: folder.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "ada@example.com", ListIDs: []int64{list.ID},
		Attributes: brevo.Attributes{"SCORE": brevo.Number(0.5)}}); err != nil {
		t.Fatal(err)
	}
	camp, err := setup.Campaigns.Create(ctx, brevo.CreateCampaignRequest{Name: "Spring", Subject: "Spring sale",
		Sender: brevo.Sender{Email: "shop@example.com", Name: "Shop"}, HTMLContent: "<p>Hi</p>", Recipients: &brevo.Recipients{ListIDs: []int64{list.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	live := toServer(t, srv.URL(), map[string]string{"Api-Key": brevotest.APIKey}, &rec)
	touch := func(c *brevo.Contact) {
		for _, v := range c.Attributes {
			_, _ = v.String(), v.Kind()
			_, _ = v.Number()
		}
	}
	calls := []mutationTarget{
		{name: "brevo Contacts.Get", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			c, err := brevoOn(rt).Contacts.Get(ctx, brevo.ByEmail("ada@example.com"))
			if err == nil {
				touch(c)
			}
			return err
		}},
		{name: "brevo Contacts.ListPage", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			p, err := brevoOn(rt).Contacts.ListPage(ctx, brevo.ContactListParams{Limit: 10})
			if err == nil {
				for i := range p.Contacts {
					touch(&p.Contacts[i])
				}
			}
			return err
		}},
		{name: "brevo Lists.Get", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			_, err := brevoOn(rt).Lists.Get(ctx, list.ID)
			return err
		}},
		{name: "brevo Attributes.List", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			l, err := brevoOn(rt).Attributes.List(ctx)
			if err == nil {
				l.Find("SCORE")
			}
			return err
		}},
		{name: "brevo Campaigns.Get", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			_, err := brevoOn(rt).Campaigns.Get(ctx, camp.ID)
			return err
		}},
		{name: "brevo Email.Send", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			_, err := brevoOn(rt).Email.Send(ctx, brevo.SendEmailRequest{Sender: &brevo.Sender{Email: "shop@example.com"},
				To: []brevo.Address{{Email: "ada@example.com"}}, Subject: "Hi", HTMLContent: "<p>Hi</p>"})
			return err
		}},
		{name: "brevo Contacts.Create", ctype: "application/json", call: func(ctx context.Context, rt http.RoundTripper) error {
			_, err := brevoOn(rt).Contacts.Create(ctx, brevo.CreateContactRequest{Email: "bob@example.com"})
			return err
		}},
	}
	for i := range calls {
		if err := calls[i].call(ctx, live); err != nil {
			t.Fatalf("%s against the fake: %v", calls[i].name, err)
		}
		calls[i].body = rec.take()
	}
	return calls
}

// typedError names the error types a caller can match for a reply that is
// not what it should be; "" means the error is of no type a caller can name.
func typedError(err error) string {
	var de *openai.DecodeError
	var oe *openai.APIError
	var be *brevo.APIError
	switch {
	case errors.As(err, &de):
		return "*DecodeError"
	case errors.As(err, &oe):
		return "*openai.APIError"
	case errors.As(err, &be):
		return "*brevo.APIError"
	case errors.Is(err, openai.ErrEmbeddingMismatch):
		return "ErrEmbeddingMismatch"
	}
	return ""
}

// TestMutatedReplies replaces every value of a valid reply of each call, one
// at a time, with null, a value of another type, invalid UTF-8 or a number
// out of range, and repeats object keys. Every variant must give success or
// an error of a type the caller can match, and never a panic.
func TestMutatedReplies(t *testing.T) {
	targets := append(openaiTargets(t), brevoTargets(t)...)
	var total int
	classes := map[string]int{}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			variants := mutations(tg.body)
			if tg.stream {
				variants = streamMutations(tg.body)
			}
			if len(variants) == 0 {
				t.Fatalf("no variant of %q", tg.body)
			}
			rt := &replay{ctype: tg.ctype}
			untyped := map[string]int{}
			mine := map[string]int{}
			defer func() { t.Logf("%d variants: %v", len(variants), mine) }()
			for _, v := range variants {
				rt.body = v
				err := callSafely(t, tg, rt, v)
				total++
				if err == nil {
					classes["success"]++
					mine["success"]++
					continue
				}
				c := typedError(err)
				if c == "" {
					untyped[err.Error()]++
					continue
				}
				classes[c]++
				mine[c]++
			}
			if len(untyped) > 0 {
				msgs := make([]string, 0, len(untyped))
				for m := range untyped {
					msgs = append(msgs, m)
				}
				sort.Strings(msgs)
				t.Errorf("%d variants gave an error of no type a caller can match, e.g.:\n%s", len(msgs), strings.Join(msgs[:min(5, len(msgs))], "\n"))
			}
		})
	}
	t.Logf("%d variants: %v", total, classes)
}

// callSafely runs one variant, turning a panic into a test failure that
// shows the reply.
func callSafely(t *testing.T, tg mutationTarget, rt http.RoundTripper, body []byte) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("panic: %v\nreply: %s", p, body)
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return tg.call(ctx, rt)
}
