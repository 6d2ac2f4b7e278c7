package brevo

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"
)

// ListsService manages contact lists and their members.
type ListsService service

// List is a contact list. Get fills the extended fields (CreatedAt,
// CampaignStats, DynamicList).
type List struct {
	ID                int64               `json:"id"`
	Name              string              `json:"name"`
	FolderID          int64               `json:"folderId"`
	TotalBlacklisted  int64               `json:"totalBlacklisted"`
	TotalSubscribers  int64               `json:"totalSubscribers"`
	UniqueSubscribers int64               `json:"uniqueSubscribers"`
	CreatedAt         string              `json:"createdAt,omitempty"`
	DynamicList       bool                `json:"dynamicList,omitempty"`
	CampaignStats     []ListCampaignStats `json:"campaignStats,omitempty"`

	Meta Meta `json:"-"`
}

// ListCampaignStats is a campaign's statistics for the members of a list.
type ListCampaignStats struct {
	CampaignID int64         `json:"campaignId"`
	Stats      CampaignStats `json:"stats"`
}

// CreateListRequest creates a list in a folder.
type CreateListRequest struct {
	Name     string `json:"name"`
	FolderID int64  `json:"folderId"` // required: see Folders.Create

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name.
	Extra map[string]any `json:"-"`
}

// Create creates a list and returns its id.
func (s *ListsService) Create(ctx context.Context, req CreateListRequest, opts ...RequestOption) (*Created, error) {
	if strings.TrimSpace(req.Name) == "" {
		return nil, invalid("list name is empty")
	}
	if req.FolderID <= 0 {
		return nil, invalid("list %q needs a FolderID: create a folder with Folders.Create", req.Name)
	}
	out := new(Created)
	meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: "contacts/lists", opts: opts}, req, req.Extra, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// Get returns a list with its campaign statistics.
func (s *ListsService) Get(ctx context.Context, id int64, opts ...RequestOption) (*List, error) {
	if id <= 0 {
		return nil, invalid("list id %d", id)
	}
	out := new(List)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: "contacts/lists/" + strconv.FormatInt(id, 10), opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// Delete deletes a list; its contacts stay.
func (s *ListsService) Delete(ctx context.Context, id int64, opts ...RequestOption) (*NoContent, error) {
	if id <= 0 {
		return nil, invalid("list id %d", id)
	}
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodDelete, path: "contacts/lists/" + strconv.FormatInt(id, 10), opts: opts}, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// PageParams pages a listing of lists or folders.
type PageParams struct {
	Limit  int    // items per page, 1 to 50; 0 means 10
	Offset int    // index of the first item
	Sort   string // "asc" or "desc" by creation
}

// MaxListPage is the largest page of lists or folders Brevo returns.
const MaxListPage = 50

// ListPage is one page of lists.
type ListPage struct {
	Lists []List `json:"lists"`
	Count int64  `json:"count"` // lists in the account

	Meta Meta `json:"-"`
}

// ListPage returns one page of the account's lists.
func (s *ListsService) ListPage(ctx context.Context, p PageParams, opts ...RequestOption) (*ListPage, error) {
	q, _, err := pageQuery(p.Limit, p.Offset, p.Sort, 10, MaxListPage)
	if err != nil {
		return nil, err
	}
	out := new(ListPage)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: "contacts/lists", query: q, opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// List iterates over the account's lists, fetching pages lazily.
func (s *ListsService) List(ctx context.Context, p PageParams, opts ...RequestOption) iter.Seq2[List, error] {
	_, limit, _ := pageQuery(p.Limit, p.Offset, p.Sort, 10, MaxListPage)
	return paginate(p.Offset, limit, func(offset int) ([]List, int64, error) {
		p.Offset = offset
		page, err := s.ListPage(ctx, p, opts...)
		if err != nil {
			return nil, 0, err
		}
		return page.Lists, page.Count, nil
	})
}

// ListMembers names contacts to add to or remove from a list: by email
// address or by id, not both in one call.
type ListMembers struct {
	Emails []string
	IDs    []int64
}

// MaxListMembers is the most contacts Brevo adds to or removes from a list
// in one call; AddContacts and RemoveContacts split larger sets.
const MaxListMembers = 150

func (m ListMembers) check() (int, error) {
	switch {
	case len(m.Emails) > 0 && len(m.IDs) > 0:
		return 0, invalid("list members: give Emails or IDs, not both")
	case len(m.Emails) == 0 && len(m.IDs) == 0:
		return 0, invalid("list members: no contacts")
	}
	for i, e := range m.Emails {
		if !ValidEmail(e) {
			return 0, invalid("list members: email %d: invalid email address %q", i, e)
		}
	}
	for i, id := range m.IDs {
		if id <= 0 {
			return 0, invalid("list members: id %d is %d", i, id)
		}
	}
	return len(m.Emails) + len(m.IDs), nil
}

func (m ListMembers) slice(start, end int) ListMembers {
	if len(m.Emails) > 0 {
		return ListMembers{Emails: m.Emails[start:end]}
	}
	return ListMembers{IDs: m.IDs[start:end]}
}

func (m ListMembers) refs() []ContactRef {
	refs := make([]ContactRef, 0, len(m.Emails)+len(m.IDs))
	for _, e := range m.Emails {
		refs = append(refs, ByEmail(e))
	}
	for _, id := range m.IDs {
		refs = append(refs, ByID(id))
	}
	return refs
}

// UnmarshalJSON reads an array of email addresses or of ids, as Brevo
// reports the contacts a list call handled.
func (m *ListMembers) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	*m = ListMembers{}
	for _, r := range raw {
		if len(r) > 0 && r[0] == '"' {
			var s string
			if err := json.Unmarshal(r, &s); err != nil {
				return err
			}
			m.Emails = append(m.Emails, s)
			continue
		}
		var id int64
		if err := json.Unmarshal(r, &id); err != nil {
			return fmt.Errorf("list members: %s is neither an email address nor an id", r)
		}
		m.IDs = append(m.IDs, id)
	}
	return nil
}

// Membership is the reply of AddContacts and RemoveContacts: the contacts
// handled, and those that were not (unknown contacts, say).
type Membership struct {
	Success   ListMembers // contacts added or removed
	Failure   ListMembers // contacts that were not
	Total     int64       // contacts Brevo counted
	ProcessID int64       // set when Brevo handles the call in the background
	Calls     int         // calls made

	Meta Meta // of the last call
}

type membershipReply struct {
	Contacts struct {
		Success   ListMembers `json:"success"`
		Failure   ListMembers `json:"failure"`
		Total     int64       `json:"total"`
		ProcessID int64       `json:"processId"`
	} `json:"contacts"`
}

type membersBody struct {
	Emails []string `json:"emails,omitempty"`
	IDs    []int64  `json:"ids,omitempty"`
}

// AddContacts adds existing contacts to a list, MaxListMembers a call.
// Contacts Brevo does not know come back in Failure, not as an error. A
// failed call makes the error a *BatchError naming the contacts it carried
// (see Contacts.UpdateMany for which failures stop the run).
func (s *ListsService) AddContacts(ctx context.Context, listID int64, m ListMembers, opts ...RequestOption) (*Membership, error) {
	return s.members(ctx, listID, "add", m, opts)
}

// RemoveContacts removes contacts from a list, MaxListMembers a call; the
// contacts themselves stay.
func (s *ListsService) RemoveContacts(ctx context.Context, listID int64, m ListMembers, opts ...RequestOption) (*Membership, error) {
	return s.members(ctx, listID, "remove", m, opts)
}

func (s *ListsService) members(ctx context.Context, listID int64, verb string, m ListMembers, opts []RequestOption) (*Membership, error) {
	if listID <= 0 {
		return nil, invalid("list id %d", listID)
	}
	n, err := m.check()
	if err != nil {
		return nil, err
	}
	path := "contacts/lists/" + strconv.FormatInt(listID, 10) + "/contacts/" + verb
	res := new(Membership)
	var berr *BatchError
	for start := 0; start < n; start += MaxListMembers {
		end := min(start+MaxListMembers, n)
		part := m.slice(start, end)
		var rep membershipReply
		meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: path, opts: opts}, membersBody(part), nil, &rep)
		res.Calls++
		if err == nil {
			c := rep.Contacts
			res.Success.Emails = append(res.Success.Emails, c.Success.Emails...)
			res.Success.IDs = append(res.Success.IDs, c.Success.IDs...)
			res.Failure.Emails = append(res.Failure.Emails, c.Failure.Emails...)
			res.Failure.IDs = append(res.Failure.IDs, c.Failure.IDs...)
			res.Total += c.Total
			if c.ProcessID != 0 {
				res.ProcessID = c.ProcessID
			}
			res.Meta = meta
			continue
		}
		if berr == nil {
			berr = &BatchError{Total: n}
		}
		berr.Failed = append(berr.Failed, ChunkError{Chunk: start / MaxListMembers, Start: start, End: end, Contacts: part.refs(), Err: err})
		if !chunkLocal(err) {
			for next := end; next < n; next += MaxListMembers {
				nend := min(next+MaxListMembers, n)
				berr.Failed = append(berr.Failed, ChunkError{Chunk: next / MaxListMembers, Start: next, End: nend, Contacts: m.slice(next, nend).refs(), Err: ErrNotAttempted})
			}
			break
		}
	}
	if berr != nil {
		for _, c := range berr.Failed {
			n -= c.End - c.Start
		}
		berr.Applied = n
		return res, berr
	}
	return res, nil
}

// FoldersService manages the folders that hold contact lists.
type FoldersService service

// Folder is a folder of contact lists.
type Folder struct {
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	TotalBlacklisted  int64  `json:"totalBlacklisted"`
	TotalSubscribers  int64  `json:"totalSubscribers"`
	UniqueSubscribers int64  `json:"uniqueSubscribers"`

	Meta Meta `json:"-"`
}

// FolderPage is one page of folders.
type FolderPage struct {
	Folders []Folder `json:"folders"`
	Count   int64    `json:"count"` // folders in the account

	Meta Meta `json:"-"`
}

type folderBody struct {
	Name string `json:"name"`
}

// Create creates a folder and returns its id.
func (s *FoldersService) Create(ctx context.Context, name string, opts ...RequestOption) (*Created, error) {
	if strings.TrimSpace(name) == "" {
		return nil, invalid("folder name is empty")
	}
	out := new(Created)
	meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: "contacts/folders", opts: opts}, folderBody{name}, nil, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// ListPage returns one page of the account's folders.
func (s *FoldersService) ListPage(ctx context.Context, p PageParams, opts ...RequestOption) (*FolderPage, error) {
	q, _, err := pageQuery(p.Limit, p.Offset, p.Sort, 10, MaxListPage)
	if err != nil {
		return nil, err
	}
	out := new(FolderPage)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: "contacts/folders", query: q, opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// List iterates over the account's folders, fetching pages lazily.
func (s *FoldersService) List(ctx context.Context, p PageParams, opts ...RequestOption) iter.Seq2[Folder, error] {
	_, limit, _ := pageQuery(p.Limit, p.Offset, p.Sort, 10, MaxListPage)
	return paginate(p.Offset, limit, func(offset int) ([]Folder, int64, error) {
		p.Offset = offset
		page, err := s.ListPage(ctx, p, opts...)
		if err != nil {
			return nil, 0, err
		}
		return page.Folders, page.Count, nil
	})
}
