package brevotest

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/reachkit/reachkit/brevo"
)

// state is the account the fake keeps. Every access holds Server.mu.
type state struct {
	seq        map[string]int64 // the last id given, by kind
	contacts   map[int64]*contact
	byEmail    map[string]int64 // lower-case email → id
	byExt      map[string]int64
	attributes []brevo.Attribute
	folders    map[int64]*folder
	lists      map[int64]*list
	emails     []SentEmail
	campaigns  map[int64]*campaign
}

func newState() state {
	return state{
		seq:      make(map[string]int64),
		contacts: make(map[int64]*contact),
		byEmail:  make(map[string]int64),
		byExt:    make(map[string]int64),
		attributes: []brevo.Attribute{
			{Name: "FIRSTNAME", Category: brevo.CategoryNormal, Type: brevo.AttributeText},
			{Name: "LASTNAME", Category: brevo.CategoryNormal, Type: brevo.AttributeText},
			{Name: "SMS", Category: brevo.CategoryNormal, Type: brevo.AttributeText},
		},
		folders:   make(map[int64]*folder),
		lists:     make(map[int64]*list),
		campaigns: make(map[int64]*campaign),
	}
}

func (st *state) nextID(kind string) int64 {
	st.seq[kind]++
	return st.seq[kind]
}

type contact struct {
	id               int64
	email            string
	extID            string
	attrs            brevo.Attributes
	emailBlacklisted bool
	smsBlacklisted   bool
	blacklistSenders []string
	lists            map[int64]bool
	created          time.Time
	modified         time.Time
}

// view renders the contact as the API returns it.
func (c *contact) view(withStats bool) brevo.Contact {
	out := brevo.Contact{
		ID:               c.id,
		Email:            c.email,
		EmailBlacklisted: c.emailBlacklisted,
		SMSBlacklisted:   c.smsBlacklisted,
		CreatedAt:        stamp(c.created),
		ModifiedAt:       stamp(c.modified),
		ListIDs:          sortedIDs(c.lists),
		Attributes:       make(brevo.Attributes, len(c.attrs)),
	}
	for k, v := range c.attrs {
		out.Attributes[k] = v
	}
	if withStats {
		out.Statistics = &brevo.ContactStatistics{}
	}
	return out
}

// contactWire is the body of a contact create, update or batch item; the
// attributes stay raw so that their JSON types can be checked.
type contactWire struct {
	Email               string                     `json:"email"`
	ID                  int64                      `json:"id"`
	ExtID               *string                    `json:"ext_id"`
	SMS                 string                     `json:"sms"`
	Attributes          map[string]json.RawMessage `json:"attributes"`
	EmailBlacklisted    *bool                      `json:"emailBlacklisted"`
	SMSBlacklisted      *bool                      `json:"smsBlacklisted"`
	ListIDs             []int64                    `json:"listIds"`
	UnlinkListIDs       []int64                    `json:"unlinkListIds"`
	SMTPBlacklistSender []string                   `json:"smtpBlacklistSender"`
	UpdateEnabled       bool                       `json:"updateEnabled"`
}

func (st *state) attribute(name string) (brevo.Attribute, bool) {
	return (&brevo.AttributeList{Attributes: st.attributes}).Find(name)
}

// checkAttrs validates attribute values against the account's definitions
// and returns them decoded, names in upper case. A null value clears the
// attribute.
func (st *state) checkAttrs(raw map[string]json.RawMessage) (brevo.Attributes, *apiError) {
	out := make(brevo.Attributes, len(raw))
	for name, r := range raw {
		def, ok := st.attribute(name)
		if !ok {
			return nil, badRequest(brevo.CodeInvalidParameter, "Attribute %s does not exist", strings.ToUpper(name))
		}
		if def.Category != brevo.CategoryNormal && def.Category != brevo.CategoryCategory {
			return nil, badRequest(brevo.CodeInvalidParameter, "Attribute %s is %s and cannot be written on a contact", def.Name, def.Category)
		}
		var v brevo.AttrValue
		if err := json.Unmarshal(r, &v); err != nil {
			return nil, badRequest(brevo.CodeInvalidParameter, "Attribute %s: invalid value", def.Name)
		}
		if v.IsNull() {
			out[def.Name] = v
			continue
		}
		norm, e := checkValue(def, v)
		if e != nil {
			return nil, e
		}
		out[def.Name] = norm
	}
	return out, nil
}

func checkValue(def brevo.Attribute, v brevo.AttrValue) (brevo.AttrValue, *apiError) {
	wrong := func(want string) *apiError {
		return badRequest(brevo.CodeInvalidParameter, "Invalid value for attribute %s: expected %s, got %s %q", def.Name, want, v.Kind(), v.String())
	}
	if def.Category == brevo.CategoryCategory || def.Type == brevo.AttributeCategorical {
		n, ok := v.Category()
		if !ok {
			return v, wrong("the value of one of its options")
		}
		for _, o := range def.Enumeration {
			if o.Value == n {
				return brevo.Number(float64(n)), nil
			}
		}
		return v, wrong("the value of one of its options")
	}
	switch def.Type {
	case brevo.AttributeFloat:
		if _, ok := v.Number(); !ok {
			return v, wrong("a number")
		}
	case brevo.AttributeBoolean:
		if _, ok := v.Bool(); !ok {
			return v, wrong("a boolean")
		}
	case brevo.AttributeDate:
		t, ok := v.Date()
		if !ok || v.Kind() != brevo.KindText {
			return v, wrong("a date (YYYY-MM-DD)")
		}
		return brevo.Text(t.Format(time.DateOnly)), nil
	case brevo.AttributeID:
		if v.Kind() != brevo.KindText && v.Kind() != brevo.KindNumber {
			return v, wrong("an id")
		}
	default: // text
		if _, ok := v.Text(); !ok {
			return v, wrong("text")
		}
	}
	return v, nil
}

func (st *state) checkLists(ids ...[]int64) *apiError {
	for _, set := range ids {
		for _, id := range set {
			if st.lists[id] == nil {
				return badRequest(brevo.CodeInvalidParameter, "List ID %d does not exist", id)
			}
		}
	}
	return nil
}

// apply writes a validated update into c.
func (st *state) apply(c *contact, w *contactWire, attrs brevo.Attributes, now time.Time) {
	for k, v := range attrs {
		if v.IsNull() {
			delete(c.attrs, k)
		} else {
			c.attrs[k] = v
		}
	}
	if w.ExtID != nil && *w.ExtID != c.extID {
		delete(st.byExt, c.extID)
		c.extID = *w.ExtID
		if c.extID != "" {
			st.byExt[c.extID] = c.id
		}
	}
	if w.EmailBlacklisted != nil {
		c.emailBlacklisted = *w.EmailBlacklisted
	}
	if w.SMSBlacklisted != nil {
		c.smsBlacklisted = *w.SMSBlacklisted
	}
	for _, id := range w.ListIDs {
		c.lists[id] = true
	}
	for _, id := range w.UnlinkListIDs {
		delete(c.lists, id)
	}
	if w.SMTPBlacklistSender != nil {
		c.blacklistSenders = append([]string(nil), w.SMTPBlacklistSender...)
	}
	c.modified = now
}

// checkUpdate validates an update of c (nil for a new contact): the
// attributes, the lists, and that a new ext_id is free.
func (st *state) checkUpdate(c *contact, w *contactWire) (brevo.Attributes, *apiError) {
	attrs, e := st.checkAttrs(w.Attributes)
	if e != nil {
		return nil, e
	}
	if e := st.checkLists(w.ListIDs, w.UnlinkListIDs); e != nil {
		return nil, e
	}
	if w.ExtID != nil && *w.ExtID != "" {
		if id, taken := st.byExt[*w.ExtID]; taken && (c == nil || id != c.id) {
			return nil, badRequest(brevo.CodeDuplicateParameter, "ext_id %s is already associated with another contact", *w.ExtID)
		}
	}
	for _, e := range w.SMTPBlacklistSender {
		if !brevo.ValidEmail(e) {
			return nil, badRequest(brevo.CodeInvalidParameter, "smtpBlacklistSender: invalid email address %s", e)
		}
	}
	return attrs, nil
}

func (st *state) newContact(email string, now time.Time) *contact {
	c := &contact{id: st.nextID("contact"), email: strings.ToLower(email), attrs: make(brevo.Attributes), lists: make(map[int64]bool), created: now, modified: now}
	st.contacts[c.id] = c
	if c.email != "" {
		st.byEmail[c.email] = c.id
	}
	return c
}

func (st *state) deleteContact(c *contact) {
	delete(st.contacts, c.id)
	delete(st.byEmail, c.email)
	if c.extID != "" {
		delete(st.byExt, c.extID)
	}
}

func (st *state) contactByEmail(email string) *contact {
	if id, ok := st.byEmail[strings.ToLower(email)]; ok {
		return st.contacts[id]
	}
	return nil
}

// batchTarget finds the contact a batch item names.
func (st *state) batchTarget(w *contactWire) *contact {
	switch {
	case w.Email != "":
		return st.contactByEmail(w.Email)
	case w.ID != 0:
		return st.contacts[w.ID]
	case w.ExtID != nil && *w.ExtID != "":
		return st.contacts[st.byExt[*w.ExtID]]
	case w.SMS != "":
		for _, id := range sortedIDs(st.contacts) {
			if v, ok := st.contacts[id].attrs["SMS"]; ok && v.String() == w.SMS {
				return st.contacts[id]
			}
		}
	}
	return nil
}

// validAttrName reports whether name is a Brevo attribute name: upper-case
// letters, digits and underscores.
func validAttrName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

type folder struct {
	id      int64
	name    string
	created time.Time
}

type list struct {
	id       int64
	name     string
	folderID int64
	created  time.Time
}

// members returns the contacts of a list, by id.
func (st *state) members(listID int64) []*contact {
	var out []*contact
	for _, id := range sortedIDs(st.contacts) {
		if c := st.contacts[id]; c.lists[listID] {
			out = append(out, c)
		}
	}
	return out
}

func (st *state) listView(l *list) brevo.List {
	v := brevo.List{ID: l.id, Name: l.name, FolderID: l.folderID, CreatedAt: stamp(l.created)}
	for _, c := range st.members(l.id) {
		v.UniqueSubscribers++
		if c.emailBlacklisted {
			v.TotalBlacklisted++
		} else {
			v.TotalSubscribers++
		}
	}
	return v
}

func (st *state) folderView(f *folder) brevo.Folder {
	v := brevo.Folder{ID: f.id, Name: f.name}
	for _, id := range sortedIDs(st.lists) {
		if l := st.lists[id]; l.folderID == f.id {
			lv := st.listView(l)
			v.TotalBlacklisted += lv.TotalBlacklisted
			v.TotalSubscribers += lv.TotalSubscribers
			v.UniqueSubscribers += lv.UniqueSubscribers
		}
	}
	return v
}

func sortedStrings(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
