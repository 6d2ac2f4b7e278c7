package brevotest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/reachkit/reachkit/brevo"
)

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	var in contactWire
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if in.Email != "" && !brevo.ValidEmail(in.Email) {
		badRequest(brevo.CodeInvalidParameter, "Invalid email address").write(w)
		return
	}
	_, hasSMS := in.Attributes["SMS"]
	if in.Email == "" && (in.ExtID == nil || *in.ExtID == "") && !hasSMS {
		badRequest(brevo.CodeMissingParameter, "email, ext_id or the SMS attribute is required").write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	existing := s.contactByEmail(in.Email)
	if existing == nil && in.Email == "" && in.ExtID != nil {
		existing = s.contacts[s.byExt[*in.ExtID]]
	}
	if existing != nil && !in.UpdateEnabled {
		badRequest(brevo.CodeDuplicateParameter, "Unable to create contact, email is already associated with another Contact").write(w)
		return
	}
	attrs, e := s.checkUpdate(existing, &in)
	if e != nil {
		e.write(w)
		return
	}
	if existing != nil {
		s.apply(existing, &in, attrs, now)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	c := s.newContact(in.Email, now)
	s.apply(c, &in, attrs, now)
	writeJSON(w, http.StatusCreated, brevo.Created{ID: c.id})
}

// findContact resolves the {identifier} of a contact route: an email
// address, a numeric id, or what identifierType says.
func (s *Server) findContact(r *http.Request) (*contact, *apiError) {
	ident := r.PathValue("identifier")
	typ := r.URL.Query().Get("identifierType")
	if typ == "" {
		switch {
		case strings.Contains(ident, "@"):
			typ = "email_id"
		case isDigits(ident):
			typ = "contact_id"
		default:
			return nil, badRequest(brevo.CodeInvalidParameter, "Invalid identifier %q: give an email address, an id, or identifierType", ident)
		}
	}
	var c *contact
	switch typ {
	case "email_id":
		c = s.contactByEmail(ident)
	case "contact_id":
		id, _ := strconv.ParseInt(ident, 10, 64)
		c = s.contacts[id]
	case "ext_id":
		if id, ok := s.byExt[ident]; ok {
			c = s.contacts[id]
		}
	default:
		return nil, badRequest(brevo.CodeInvalidParameter, "identifierType %q is not supported", typ)
	}
	if c == nil {
		return nil, notFound("Contact does not exist")
	}
	return c, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.findContact(r)
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, c.view(true))
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) {
	var in contactWire
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.findContact(r)
	if e != nil {
		e.write(w)
		return
	}
	attrs, e := s.checkUpdate(c, &in)
	if e != nil {
		e.write(w)
		return
	}
	s.apply(c, &in, attrs, now)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.findContact(r)
	if e != nil {
		e.write(w)
		return
	}
	s.state.deleteContact(c)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	limit, offset, desc, e := page(r, 50, brevo.MaxContactPage, false)
	if e != nil {
		e.write(w)
		return
	}
	q := r.URL.Query()
	var modifiedSince, createdSince time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"modifiedSince", &modifiedSince}, {"createdSince", &createdSince}} {
		if v := q.Get(f.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				badRequest(brevo.CodeInvalidParameter, "%s must be a date-time such as 2024-01-02T15:04:05.000Z", f.name).write(w)
				return
			}
			*f.dst = t
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*contact
	if q.Get("segmentId") == "" { // segments are not modelled: a segment has no contacts
		for _, id := range sortedIDs(s.contacts) {
			c := s.contacts[id]
			if (modifiedSince.IsZero() || c.modified.After(modifiedSince)) && (createdSince.IsZero() || c.created.After(createdSince)) {
				all = append(all, c)
			}
		}
	}
	out := brevo.ContactPage{Contacts: []brevo.Contact{}, Count: int64(len(all))}
	for _, c := range pageOf(all, limit, offset, desc) {
		out.Contacts = append(out.Contacts, c.view(false))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) batchContacts(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Contacts []contactWire `json:"contacts"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if len(in.Contacts) == 0 {
		badRequest(brevo.CodeMissingParameter, "contacts is missing or empty").write(w)
		return
	}
	if len(in.Contacts) > brevo.MaxBatch {
		badRequest(brevo.CodeOutOfRange, "A maximum of %d contacts can be updated in one call, got %d", brevo.MaxBatch, len(in.Contacts)).write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Validate everything first: the call is applied entirely or not at all.
	targets := make([]*contact, len(in.Contacts))
	attrs := make([]brevo.Attributes, len(in.Contacts))
	for i := range in.Contacts {
		cw := &in.Contacts[i]
		if cw.Email != "" && !brevo.ValidEmail(cw.Email) {
			badRequest(brevo.CodeInvalidParameter, "contacts[%d]: invalid email address", i).write(w)
			return
		}
		c := s.batchTarget(cw)
		if c == nil {
			badRequest(brevo.CodeInvalidParameter, "contacts[%d]: contact does not exist", i).write(w)
			return
		}
		a, e := s.checkUpdate(c, cw)
		if e != nil {
			e.msg = "contacts[" + strconv.Itoa(i) + "]: " + e.msg
			e.write(w)
			return
		}
		targets[i], attrs[i] = c, a
	}
	for i, c := range targets {
		s.apply(c, &in.Contacts[i], attrs[i], now)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) importContacts(w http.ResponseWriter, r *http.Request) {
	var in struct {
		JSONBody []struct {
			Email      string                     `json:"email"`
			Attributes map[string]json.RawMessage `json:"attributes"`
		} `json:"jsonBody"`
		FileURL  string  `json:"fileUrl"`
		FileBody string  `json:"fileBody"`
		ListIDs  []int64 `json:"listIds"`
		NewList  *struct {
			ListName string `json:"listName"`
			FolderID int64  `json:"folderId"`
		} `json:"newList"`
		EmailBlacklist         bool  `json:"emailBlacklist"`
		UpdateExistingContacts *bool `json:"updateExistingContacts"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if in.FileURL != "" || in.FileBody != "" {
		badRequest(brevo.CodeInvalidParameter, "brevotest imports jsonBody only, not fileUrl or fileBody").write(w)
		return
	}
	if len(in.JSONBody) == 0 {
		badRequest(brevo.CodeMissingParameter, "fileUrl, fileBody or jsonBody is required").write(w)
		return
	}
	if len(in.ListIDs) == 0 && in.NewList == nil {
		badRequest(brevo.CodeMissingParameter, "listIds or newList is required").write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkLists(in.ListIDs); e != nil {
		e.write(w)
		return
	}
	if in.NewList != nil {
		if strings.TrimSpace(in.NewList.ListName) == "" {
			badRequest(brevo.CodeMissingParameter, "newList.listName is missing").write(w)
			return
		}
		if in.NewList.FolderID != 0 && s.folders[in.NewList.FolderID] == nil {
			badRequest(brevo.CodeInvalidParameter, "Folder ID %d does not exist", in.NewList.FolderID).write(w)
			return
		}
	}
	attrs := make([]brevo.Attributes, len(in.JSONBody))
	for i, c := range in.JSONBody {
		if !brevo.ValidEmail(c.Email) {
			badRequest(brevo.CodeInvalidParameter, "jsonBody[%d]: invalid email address", i).write(w)
			return
		}
		a, e := s.checkAttrs(c.Attributes)
		if e != nil {
			e.msg = "jsonBody[" + strconv.Itoa(i) + "]: " + e.msg
			e.write(w)
			return
		}
		attrs[i] = a
	}
	lists := append([]int64(nil), in.ListIDs...)
	if in.NewList != nil {
		folderID := in.NewList.FolderID
		if folderID == 0 {
			folderID = s.defaultFolder(now)
		}
		l := &list{id: s.nextID("list"), name: in.NewList.ListName, folderID: folderID, created: now}
		s.lists[l.id] = l
		lists = append(lists, l.id)
	}
	update := in.UpdateExistingContacts == nil || *in.UpdateExistingContacts
	for i, row := range in.JSONBody {
		c := s.contactByEmail(row.Email)
		if c == nil {
			c = s.newContact(row.Email, now)
		} else if !update {
			continue
		}
		cw := contactWire{ListIDs: lists}
		if in.EmailBlacklist {
			cw.EmailBlacklisted = &in.EmailBlacklist
		}
		s.apply(c, &cw, attrs[i], now)
	}
	writeJSON(w, http.StatusAccepted, brevo.ImportResult{ProcessID: s.nextID("process")})
}

// defaultFolder returns the id of the first folder, creating one when the
// account has none.
func (st *state) defaultFolder(now time.Time) int64 {
	if ids := sortedIDs(st.folders); len(ids) > 0 {
		return ids[0]
	}
	f := &folder{id: st.nextID("folder"), name: "Your first folder", created: now}
	st.folders[f.id] = f
	return f.id
}

func (s *Server) listAttributes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, brevo.AttributeList{Attributes: append([]brevo.Attribute{}, s.attributes...)})
}

func knownType(t brevo.AttributeType) bool {
	switch t {
	case brevo.AttributeText, brevo.AttributeFloat, brevo.AttributeDate, brevo.AttributeBoolean, brevo.AttributeID, brevo.AttributeCategorical:
		return true
	}
	return false
}

func (s *Server) createAttribute(w http.ResponseWriter, r *http.Request) {
	cat := brevo.AttributeCategory(r.PathValue("category"))
	name := strings.ToUpper(r.PathValue("name"))
	var in struct {
		Type        brevo.AttributeType `json:"type"`
		Enumeration []brevo.EnumOption  `json:"enumeration"`
		Value       string              `json:"value"`
		IsRecurring bool                `json:"isRecurring"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	switch cat {
	case brevo.CategoryNormal, brevo.CategoryTransactional, brevo.CategoryCategory, brevo.CategoryCalculated, brevo.CategoryGlobal:
	default:
		badRequest(brevo.CodeInvalidParameter, "Invalid attribute category %q", cat).write(w)
		return
	}
	if !validAttrName(name) {
		badRequest(brevo.CodeInvalidParameter, "Attribute name %q may hold only letters, digits and underscores", name).write(w)
		return
	}
	if in.Type != "" && !knownType(in.Type) {
		badRequest(brevo.CodeInvalidParameter, "Invalid attribute type %q", in.Type).write(w)
		return
	}
	a := brevo.Attribute{Name: name, Category: cat, Type: in.Type}
	switch cat {
	case brevo.CategoryNormal, brevo.CategoryTransactional:
		if a.Type == brevo.AttributeCategorical {
			badRequest(brevo.CodeInvalidParameter, "A category attribute belongs in the category category").write(w)
			return
		}
		if a.Type == "" {
			a.Type = brevo.AttributeText
		}
	case brevo.CategoryCategory:
		if len(in.Enumeration) == 0 {
			badRequest(brevo.CodeMissingParameter, "enumeration is required for a category attribute").write(w)
			return
		}
		a.Type, a.Enumeration = "", in.Enumeration
	case brevo.CategoryCalculated, brevo.CategoryGlobal:
		if in.Value == "" {
			badRequest(brevo.CodeMissingParameter, "value is required for a %s attribute", cat).write(w)
			return
		}
		a.Type, a.CalculatedValue = "", in.Value
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.attribute(name); dup {
		badRequest(brevo.CodeDuplicateParameter, "Attribute name must be unique: %s exists", name).write(w)
		return
	}
	s.attributes = append(s.attributes, a)
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) deleteAttribute(w http.ResponseWriter, r *http.Request) {
	cat := brevo.AttributeCategory(r.PathValue("category"))
	name := strings.ToUpper(r.PathValue("name"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range s.attributes {
		if a.Name == name && a.Category == cat {
			s.attributes = append(s.attributes[:i], s.attributes[i+1:]...)
			for _, c := range s.contacts {
				delete(c.attrs, name)
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	notFound("Attribute does not exist").write(w)
}
