package brevotest

import (
	"maps"
	"slices"
	"strings"

	"github.com/reachkit/reachkit/brevo"
)

// Contact returns the contact with the given email address (compared
// without regard to case, as Brevo does) as the API would return it.
func (s *Server) Contact(email string) (brevo.Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contactByEmail(email)
	if c == nil {
		return brevo.Contact{}, false
	}
	return c.view(false), true
}

// ContactByID returns the contact with the given id.
func (s *Server) ContactByID(id int64) (brevo.Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[id]
	if c == nil {
		return brevo.Contact{}, false
	}
	return c.view(false), true
}

// ContactExtID returns the external id of the contact with the given email
// address, or "".
func (s *Server) ContactExtID(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.contactByEmail(email); c != nil {
		return c.extID
	}
	return ""
}

// Contacts returns every contact, oldest first.
func (s *Server) Contacts() []brevo.Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]brevo.Contact, 0, len(s.contacts))
	for _, id := range sortedIDs(s.contacts) {
		out = append(out, s.contacts[id].view(false))
	}
	return out
}

// Attributes returns the account's attribute definitions.
func (s *Server) Attributes() []brevo.Attribute {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]brevo.Attribute, len(s.attributes))
	for i, a := range s.attributes {
		a.Enumeration = slices.Clone(a.Enumeration)
		out[i] = a
	}
	return out
}

// List returns the list with the given id, its subscriber counts filled in.
func (s *Server) List(id int64) (brevo.List, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lists[id]
	if l == nil {
		return brevo.List{}, false
	}
	return s.listView(l), true
}

// Lists returns every list, oldest first.
func (s *Server) Lists() []brevo.List {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]brevo.List, 0, len(s.lists))
	for _, id := range sortedIDs(s.lists) {
		out = append(out, s.listView(s.lists[id]))
	}
	return out
}

// ListMembers returns the email addresses of a list's contacts, sorted.
func (s *Server) ListMembers(id int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.members(id) {
		if c.email != "" {
			out = append(out, c.email)
		}
	}
	slices.Sort(out)
	return out
}

// Folders returns every folder, oldest first.
func (s *Server) Folders() []brevo.Folder {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]brevo.Folder, 0, len(s.folders))
	for _, id := range sortedIDs(s.folders) {
		out = append(out, s.folderView(s.folders[id]))
	}
	return out
}

// SentEmails returns the transactional messages accepted so far, in order.
func (s *Server) SentEmails() []SentEmail {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SentEmail, len(s.emails))
	for i, m := range s.emails {
		m.Params = maps.Clone(m.Params)
		m.Headers = maps.Clone(m.Headers)
		out[i] = m
	}
	return out
}

// SentTo returns the messages sent to an address (as To, CC or BCC).
func (s *Server) SentTo(email string) []SentEmail {
	var out []SentEmail
	for _, m := range s.SentEmails() {
		for _, as := range [][]brevo.Address{m.To, m.CC, m.BCC} {
			if slices.ContainsFunc(as, func(a brevo.Address) bool { return strings.EqualFold(a.Email, email) }) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// Campaign returns a campaign with its statistics.
func (s *Server) Campaign(id int64) (brevo.Campaign, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.campaigns[id]
	if c == nil {
		return brevo.Campaign{}, false
	}
	return c.render(), true
}

// Campaigns returns every campaign, oldest first.
func (s *Server) Campaigns() []brevo.Campaign {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]brevo.Campaign, 0, len(s.campaigns))
	for _, id := range sortedIDs(s.campaigns) {
		out = append(out, s.campaigns[id].render())
	}
	return out
}

// CampaignRecipients returns the addresses a sent campaign went to, sorted:
// the members of its lists, minus its exclusion lists and blacklisted
// contacts. It is empty until the campaign is sent.
func (s *Server) CampaignRecipients(id int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.campaigns[id]; c != nil {
		return slices.Clone(c.sentTo)
	}
	return nil
}
