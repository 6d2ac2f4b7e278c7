package brevotest

import (
	"net/http"
	"strings"
	"time"

	"github.com/reachkit/reachkit/brevo"
)

func (s *Server) createList(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		FolderID int64  `json:"folderId"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		badRequest(brevo.CodeMissingParameter, "name is missing").write(w)
		return
	}
	if in.FolderID == 0 {
		badRequest(brevo.CodeMissingParameter, "folderId is missing").write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.folders[in.FolderID] == nil {
		badRequest(brevo.CodeInvalidParameter, "Folder ID %d does not exist", in.FolderID).write(w)
		return
	}
	l := &list{id: s.nextID("list"), name: in.Name, folderID: in.FolderID, created: now}
	s.lists[l.id] = l
	writeJSON(w, http.StatusCreated, brevo.Created{ID: l.id})
}

func (s *Server) getList(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "id")
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lists[id]
	if l == nil {
		notFound("List ID does not exist").write(w)
		return
	}
	v := s.listView(l)
	v.CampaignStats = []brevo.ListCampaignStats{}
	for _, cid := range sortedIDs(s.campaigns) {
		for _, st := range s.campaigns[cid].stats.CampaignStats {
			if st.ListID == id {
				v.CampaignStats = append(v.CampaignStats, brevo.ListCampaignStats{CampaignID: cid, Stats: st})
			}
		}
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteList(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r, "id")
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lists[id] == nil {
		notFound("List ID does not exist").write(w)
		return
	}
	delete(s.lists, id)
	for _, c := range s.contacts {
		delete(c.lists, id)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listLists(w http.ResponseWriter, r *http.Request) {
	limit, offset, desc, e := page(r, 10, brevo.MaxListPage, false)
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := sortedIDs(s.lists)
	out := brevo.ListPage{Lists: []brevo.List{}, Count: int64(len(ids))}
	for _, id := range pageOf(ids, limit, offset, desc) {
		out.Lists = append(out.Lists, s.listView(s.lists[id]))
	}
	writeJSON(w, http.StatusOK, out)
}

// membersWire is the body of the add and remove routes.
type membersWire struct {
	Emails []string `json:"emails"`
	IDs    []int64  `json:"ids"`
	All    bool     `json:"all"`
}

// membersReply is their reply: emails when the call named emails, ids when
// it named ids.
type membersReply[T string | int64] struct {
	Contacts struct {
		Success []T `json:"success"`
		Failure []T `json:"failure"`
	} `json:"contacts"`
}

func (s *Server) addToList(w http.ResponseWriter, r *http.Request)      { s.listMembers(w, r, true) }
func (s *Server) removeFromList(w http.ResponseWriter, r *http.Request) { s.listMembers(w, r, false) }

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, add bool) {
	id, e := pathID(r, "id")
	if e != nil {
		e.write(w)
		return
	}
	var in membersWire
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	n := len(in.Emails) + len(in.IDs)
	switch {
	case in.All && add:
		badRequest(brevo.CodeInvalidParameter, "all is only for removing contacts").write(w)
		return
	case in.All && n > 0, len(in.Emails) > 0 && len(in.IDs) > 0:
		badRequest(brevo.CodeInvalidParameter, "give emails, ids or all, not several").write(w)
		return
	case n == 0 && !in.All:
		badRequest(brevo.CodeMissingParameter, "emails or ids is required").write(w)
		return
	case n > brevo.MaxListMembers:
		badRequest(brevo.CodeOutOfRange, "A maximum of %d contacts can be handled in one call, got %d", brevo.MaxListMembers, n).write(w)
		return
	}
	for _, e := range in.Emails {
		if !brevo.ValidEmail(e) {
			badRequest(brevo.CodeInvalidParameter, "Invalid email address %s", e).write(w)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lists[id] == nil {
		notFound("List ID does not exist").write(w)
		return
	}
	if in.All {
		for _, c := range s.members(id) {
			in.IDs = append(in.IDs, c.id)
		}
	}
	set := func(c *contact) {
		if add {
			c.lists[id] = true
		} else {
			delete(c.lists, id)
		}
	}
	if len(in.Emails) > 0 {
		var rep membersReply[string]
		ok, bad := []string{}, []string{}
		for _, e := range in.Emails {
			if c := s.contactByEmail(e); c != nil && (add || c.lists[id]) {
				set(c)
				ok = append(ok, e)
			} else {
				bad = append(bad, e)
			}
		}
		rep.Contacts.Success, rep.Contacts.Failure = ok, bad
		writeJSON(w, http.StatusCreated, rep)
		return
	}
	var rep membersReply[int64]
	{
		ok, bad := []int64{}, []int64{}
		for _, cid := range in.IDs {
			if c := s.contacts[cid]; c != nil && (add || c.lists[id]) {
				set(c)
				ok = append(ok, cid)
			} else {
				bad = append(bad, cid)
			}
		}
		rep.Contacts.Success, rep.Contacts.Failure = ok, bad
	}
	writeJSON(w, http.StatusCreated, rep)
}

func (s *Server) createFolder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		badRequest(brevo.CodeMissingParameter, "name is missing").write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &folder{id: s.nextID("folder"), name: in.Name, created: now}
	s.folders[f.id] = f
	writeJSON(w, http.StatusCreated, brevo.Created{ID: f.id})
}

func (s *Server) listFolders(w http.ResponseWriter, r *http.Request) {
	limit, offset, desc, e := page(r, 10, brevo.MaxListPage, true)
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := sortedIDs(s.folders)
	out := brevo.FolderPage{Folders: []brevo.Folder{}, Count: int64(len(ids))}
	for _, id := range pageOf(ids, limit, offset, desc) {
		out.Folders = append(out.Folders, s.folderView(s.folders[id]))
	}
	writeJSON(w, http.StatusOK, out)
}
