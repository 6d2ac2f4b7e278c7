package brevotest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
)

// TestRepliesFitTheSpec drives every route the fake serves, successes and
// failures, and checks each reply against Brevo's OpenAPI spec: the status
// is one the operation documents and the body fits its schema. The spec
// lives beside the repository (../shared/specs, or REACHKIT_SPECS); without
// it the test is skipped, except under CI=true.
func TestRepliesFitTheSpec(t *testing.T) {
	spec := loadSpec(t)
	srv := brevotest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	at := time.Now().Add(time.Hour)
	must := func(_ any, err error) {
		t.Helper()
		require.NoError(t, err)
	}
	fails := func(_ any, err error) {
		t.Helper()
		require.Error(t, err)
	}
	must(c.Attributes.Ensure(ctx, []brevo.AttributeSpec{{Name: "SCORE", Type: brevo.AttributeFloat},
		{Name: "TIER", Type: brevo.AttributeCategorical, Enumeration: []brevo.EnumOption{{Value: 1, Label: "gold"}}}}))
	fails(c.Attributes.Create(ctx, brevo.CreateAttributeRequest{Name: "SCORE", Type: brevo.AttributeFloat}))
	folder, err := c.Folders.Create(ctx, "F")
	require.NoError(t, err)
	must(c.Folders.ListPage(ctx, brevo.PageParams{}))
	list, err := c.Lists.Create(ctx, brevo.CreateListRequest{Name: "L", FolderID: folder.ID})
	require.NoError(t, err)
	fails(c.Lists.Create(ctx, brevo.CreateListRequest{Name: "L", FolderID: 99}))
	must(c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "a@example.com", ExtID: "x-1", ListIDs: []int64{list.ID},
		Attributes: brevo.Attributes{"SCORE": brevo.Number(1), "TIER": brevo.Category(1), "FIRSTNAME": brevo.Text("A")}}))
	must(c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "a@example.com", UpdateEnabled: true}))
	fails(c.Contacts.Create(ctx, brevo.CreateContactRequest{Email: "a@example.com"}))
	must(c.Contacts.Get(ctx, brevo.ByExtID("x-1")))
	fails(c.Contacts.Get(ctx, brevo.ByID(404)))
	must(c.Contacts.Update(ctx, brevo.ByEmail("a@example.com"), brevo.UpdateContactRequest{Attributes: brevo.Attributes{"SCORE": brevo.Number(2)}}))
	fails(c.Contacts.Update(ctx, brevo.ByEmail("a@example.com"), brevo.UpdateContactRequest{Attributes: brevo.Attributes{"NOPE": brevo.Number(2)}}))
	must(c.Contacts.ListPage(ctx, brevo.ContactListParams{Limit: 10}))
	must(c.Contacts.BatchUpdate(ctx, []brevo.BatchContact{{Email: "a@example.com", Attributes: brevo.Attributes{"SCORE": brevo.Number(3)}}}))
	fails(c.Contacts.BatchUpdate(ctx, []brevo.BatchContact{{Email: "ghost@example.com"}}))
	must(c.Contacts.Import(ctx, brevo.ImportContactsRequest{Contacts: []brevo.ImportContact{{Email: "b@example.com"}}, ListIDs: []int64{list.ID}}))
	must(c.Lists.AddContacts(ctx, list.ID, brevo.ListMembers{Emails: []string{"b@example.com", "ghost@example.com"}}))
	must(c.Lists.RemoveContacts(ctx, list.ID, brevo.ListMembers{IDs: []int64{1, 999}}))
	must(c.Lists.Get(ctx, list.ID))
	fails(c.Lists.Get(ctx, 999))
	must(c.Lists.ListPage(ctx, brevo.PageParams{}))
	must(c.Email.Send(ctx, brevo.SendEmailRequest{Sender: &brevo.Sender{Email: "n@example.com"}, To: []brevo.Address{{Email: "a@example.com"}}, Subject: "s", TextContent: "t"}))
	must(c.Email.Send(ctx, brevo.SendEmailRequest{TemplateID: 1, MessageVersions: []brevo.MessageVersion{{To: []brevo.Address{{Email: "a@example.com"}}}}, ScheduledAt: at}))
	fails(c.Email.Send(ctx, brevo.SendEmailRequest{To: []brevo.Address{{Email: "a@example.com"}}, Subject: "s", TextContent: "t"}))
	camp, err := c.Campaigns.Create(ctx, brevo.CreateCampaignRequest{Name: "C", Subject: "S", Sender: brevo.Sender{Email: "n@example.com"}, HTMLContent: "<p>x</p>",
		Recipients: &brevo.Recipients{ListIDs: []int64{list.ID}}})
	require.NoError(t, err)
	must(c.Campaigns.Update(ctx, camp.ID, brevo.UpdateCampaignRequest{PreviewText: "p"}))
	must(c.Campaigns.SendTest(ctx, camp.ID, []string{"a@example.com"}))
	fails(c.Campaigns.SendTest(ctx, camp.ID, []string{"ghost@example.com"}))
	must(c.Campaigns.SendNow(ctx, camp.ID))
	fails(c.Campaigns.SendNow(ctx, camp.ID))
	must(c.Campaigns.Report(ctx, camp.ID, brevo.StatsByDevice))
	must(c.Campaigns.Delete(ctx, camp.ID))
	fails(c.Campaigns.Get(ctx, camp.ID))
	must(c.Contacts.Delete(ctx, brevo.ByEmail("b@example.com")))
	must(c.Lists.Delete(ctx, list.ID))
	must(c.Attributes.Delete(ctx, brevo.CategoryNormal, "SCORE"))
	must(c.Attributes.List(ctx))

	routes := map[string]bool{}
	for _, r := range srv.Requests() {
		tmpl, op := spec.operation(r.Method, r.Path)
		if op == nil {
			t.Errorf("the fake served %s %s, which the spec does not have", r.Method, r.Path)
			continue
		}
		routes[r.Method+" "+tmpl] = true
		if msg := spec.checkReply(op, r.Status, r.Reply); msg != "" {
			t.Errorf("%s %s → %d: %s", r.Method, tmpl, r.Status, msg)
		}
	}
	t.Logf("%d replies on %d routes fit the spec", len(srv.Requests()), len(routes))

	_, op := spec.operation("GET", "/contacts/7")
	if spec.checkReply(op, 200, []byte(`{"id":"7","attributes":[]}`)) == "" {
		t.Error("the check accepted a reply that breaks the spec")
	}
}

// specDoc is the Brevo spec, decoded generically: a JSON schema has no
// fixed Go type.
type specDoc struct {
	root map[string]any
}

func loadSpec(t *testing.T) *specDoc {
	t.Helper()
	dir := os.Getenv("REACHKIT_SPECS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "specs")
	}
	b, err := os.ReadFile(filepath.Join(dir, "brevo.openapi.yml"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reading the Brevo spec (set REACHKIT_SPECS): %v", err)
		}
		t.Skipf("no Brevo spec (set REACHKIT_SPECS): %v", err)
	}
	var root map[string]any
	require.NoError(t, yaml.Unmarshal(b, &root))
	return &specDoc{root: root}
}

func (d *specDoc) deref(n any) map[string]any {
	m, _ := n.(map[string]any)
	for m != nil {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		var cur any = d.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		m, _ = cur.(map[string]any)
	}
	return m
}

// operation finds the spec operation serving a concrete path: the template
// with the most literal segments that matches.
func (d *specDoc) operation(method, path string) (string, map[string]any) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	paths := d.root["paths"].(map[string]any)
	best, bestLiterals := "", -1
	for tmpl := range paths {
		ts := strings.Split(strings.Trim(tmpl, "/"), "/")
		if len(ts) != len(segs) {
			continue
		}
		literals := 0
		for i, s := range ts {
			if strings.HasPrefix(s, "{") {
				continue
			}
			if s != segs[i] {
				literals = -1
				break
			}
			literals++
		}
		if literals > bestLiterals {
			best, bestLiterals = tmpl, literals
		}
	}
	if best == "" {
		return "", nil
	}
	return best, d.deref(d.deref(paths[best])[strings.ToLower(method)])
}

// checkReply returns what is wrong with a reply, or "".
func (d *specDoc) checkReply(op map[string]any, status int, body []byte) string {
	resp := d.deref(d.deref(op["responses"])[strconv.Itoa(status)])
	if resp == nil {
		return "status not documented"
	}
	content, _ := resp["content"].(map[string]any)
	media := d.deref(content["application/json"])
	if media == nil || media["schema"] == nil {
		if len(bytes.TrimSpace(body)) > 0 {
			return "the spec documents no body, got " + string(body)
		}
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "body is not JSON: " + err.Error()
	}
	var problems []string
	d.validate(d.deref(media["schema"]), v, "body", &problems)
	if len(problems) > 3 {
		problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
	}
	return strings.Join(problems, "; ")
}

// validate checks v against the subset of JSON schema the spec uses: $ref,
// allOf, oneOf/anyOf (any variant, as the steady mock does by default),
// types, required, properties, additionalProperties, items and enum.
func (d *specDoc) validate(s map[string]any, v any, at string, problems *[]string) {
	if s == nil {
		return
	}
	fail := func(format string, args ...any) { *problems = append(*problems, at+": "+fmt.Sprintf(format, args...)) }
	if v == nil {
		if s["nullable"] != true {
			fail("null")
		}
		return
	}
	for _, sub := range asList(s["allOf"]) {
		d.validate(d.deref(sub), v, at, problems)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if alts := asList(s[key]); len(alts) > 0 {
			ok := false
			for _, alt := range alts {
				var p []string
				d.validate(d.deref(alt), v, at, &p)
				ok = ok || len(p) == 0
			}
			if !ok {
				fail("matches no %s variant", key)
			}
		}
	}
	if enum := asList(s["enum"]); len(enum) > 0 {
		found := false
		for _, e := range enum {
			found = found || fmt.Sprint(e) == fmt.Sprint(v)
		}
		if !found {
			fail("%v is not one of %v", v, enum)
		}
	}
	typ, _ := s["type"].(string)
	if typ == "" && s["properties"] != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			fail("want an object, got %T", v)
			return
		}
		for _, r := range asList(s["required"]) {
			if _, ok := obj[fmt.Sprint(r)]; !ok {
				fail("required property %v missing", r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		extra := d.deref(s["additionalProperties"])
		for k, pv := range obj {
			if ps, ok := props[k]; ok {
				d.validate(d.deref(ps), pv, at+"."+k, problems)
			} else if extra != nil {
				d.validate(extra, pv, at+"."+k, problems)
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			fail("want an array, got %T", v)
			return
		}
		for i, it := range arr {
			d.validate(d.deref(s["items"]), it, fmt.Sprintf("%s[%d]", at, i), problems)
		}
	case "string":
		if _, ok := v.(string); !ok {
			fail("want a string, got %T", v)
		}
	case "integer":
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			fail("want an integer, got %v", v)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			fail("want a number, got %T", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("want a boolean, got %T", v)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
