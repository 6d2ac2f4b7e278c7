package brevo

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ContactsService manages contacts.
type ContactsService service

// ContactRef identifies a contact by email address, id or external id.
// Build it with ByEmail, ByID or ByExtID.
type ContactRef struct {
	email string
	id    int64
	extID string
}

// ByEmail identifies a contact by email address.
func ByEmail(email string) ContactRef { return ContactRef{email: email} }

// ByID identifies a contact by Brevo's numeric id.
func ByID(id int64) ContactRef { return ContactRef{id: id} }

// ByExtID identifies a contact by the external id (ext_id) your system gave it.
func ByExtID(extID string) ContactRef { return ContactRef{extID: extID} }

// Email returns the email address of a reference made with ByEmail.
func (r ContactRef) Email() string { return r.email }

// ID returns the id of a reference made with ByID.
func (r ContactRef) ID() int64 { return r.id }

// ExtID returns the external id of a reference made with ByExtID.
func (r ContactRef) ExtID() string { return r.extID }

// String formats the reference: the email address, "id:42" or "ext_id:crm-7".
func (r ContactRef) String() string {
	switch {
	case r.email != "":
		return r.email
	case r.extID != "":
		return "ext_id:" + r.extID
	case r.id != 0:
		return "id:" + strconv.FormatInt(r.id, 10)
	}
	return "(no contact)"
}

// target returns the path and query addressing the contact.
func (r ContactRef) target() (string, url.Values, error) {
	switch {
	case r.email != "":
		if !ValidEmail(r.email) {
			return "", nil, invalid("invalid email address %q", r.email)
		}
		return "contacts/" + url.PathEscape(r.email), nil, nil
	case r.extID != "":
		return "contacts/" + url.PathEscape(r.extID), url.Values{"identifierType": {"ext_id"}}, nil
	case r.id > 0:
		return "contacts/" + strconv.FormatInt(r.id, 10), nil, nil
	}
	return "", nil, invalid("no contact identifier: use ByEmail, ByID (> 0) or ByExtID")
}

// ValidEmail reports whether s has the shape of an email address Brevo
// accepts: one local part and a dotted domain, no spaces or brackets. It is
// a shape check, not a deliverability check.
func ValidEmail(s string) bool {
	if len(s) < 3 || len(s) > 254 {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.IndexByte(s, '@') != at {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`<>()[]\,;:"`, r) {
			return false
		}
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return false
	}
	local := s[:at]
	return !strings.HasPrefix(local, ".") && !strings.HasSuffix(local, ".") && !strings.Contains(local, "..")
}

// Contact is a contact as Brevo returns it.
type Contact struct {
	ID               int64              `json:"id"`
	Email            string             `json:"email,omitempty"`
	EmailBlacklisted bool               `json:"emailBlacklisted"`
	SMSBlacklisted   bool               `json:"smsBlacklisted"`
	CreatedAt        string             `json:"createdAt"`  // RFC 3339
	ModifiedAt       string             `json:"modifiedAt"` // RFC 3339
	ListIDs          []int64            `json:"listIds"`
	ListUnsubscribed []int64            `json:"listUnsubscribed,omitempty"`
	Attributes       Attributes         `json:"attributes"`
	Statistics       *ContactStatistics `json:"statistics,omitempty"` // set by Get, not by List

	Meta Meta `json:"-"`
}

// ContactStatistics is a contact's campaign activity, returned by Get.
type ContactStatistics struct {
	MessagesSent      []CampaignEvent  `json:"messagesSent,omitempty"`
	Delivered         []CampaignEvent  `json:"delivered,omitempty"`
	HardBounces       []CampaignEvent  `json:"hardBounces,omitempty"`
	SoftBounces       []CampaignEvent  `json:"softBounces,omitempty"`
	Complaints        []CampaignEvent  `json:"complaints,omitempty"`
	Unsubscriptions   *Unsubscriptions `json:"unsubscriptions,omitempty"`
	Opened            []OpenEvent      `json:"opened,omitempty"`
	Clicked           []ClickEvent     `json:"clicked,omitempty"`
	TransacAttributes []Attributes     `json:"transacAttributes,omitempty"`
}

// CampaignEvent is something that happened to a contact in a campaign.
type CampaignEvent struct {
	CampaignID int64  `json:"campaignId"`
	EventTime  string `json:"eventTime"`
}

// Unsubscriptions lists how a contact unsubscribed.
type Unsubscriptions struct {
	UserUnsubscription  []UnsubscribeEvent `json:"userUnsubscription"`
	AdminUnsubscription []UnsubscribeEvent `json:"adminUnsubscription"`
}

// UnsubscribeEvent is one unsubscription; CampaignID is 0 for an admin's.
type UnsubscribeEvent struct {
	CampaignID int64  `json:"campaignId,omitempty"`
	EventTime  string `json:"eventTime"`
	IP         string `json:"ip,omitempty"`
}

// OpenEvent counts a contact's opens of a campaign.
type OpenEvent struct {
	CampaignID int64  `json:"campaignId"`
	Count      int64  `json:"count"`
	EventTime  string `json:"eventTime"`
	IP         string `json:"ip"`
}

// ClickEvent lists a contact's clicks in a campaign.
type ClickEvent struct {
	CampaignID int64       `json:"campaignId"`
	Links      []LinkClick `json:"links"`
}

// LinkClick counts a contact's clicks of one link.
type LinkClick struct {
	Count     int64  `json:"count"`
	EventTime string `json:"eventTime"`
	IP        string `json:"ip"`
	URL       string `json:"url"`
}

// CreateContactRequest creates a contact, or with UpdateEnabled updates the
// contact that has the same email address or ext_id (an upsert).
type CreateContactRequest struct {
	Email               string     `json:"email,omitempty"`
	ExtID               string     `json:"ext_id,omitempty"`
	Attributes          Attributes `json:"attributes,omitempty"`
	EmailBlacklisted    bool       `json:"emailBlacklisted,omitempty"`
	SMSBlacklisted      bool       `json:"smsBlacklisted,omitempty"`
	ListIDs             []int64    `json:"listIds,omitempty"`
	UpdateEnabled       bool       `json:"updateEnabled,omitempty"`
	SMTPBlacklistSender []string   `json:"smtpBlacklistSender,omitempty"`

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name: it sends API fields this package does not know yet.
	Extra map[string]any `json:"-"`
}

// ContactCreated is the reply of Create.
type ContactCreated struct {
	ID      int64 `json:"id"` // the new contact's id; 0 when Updated
	Updated bool  `json:"-"`  // UpdateEnabled matched an existing contact, which was updated (HTTP 204)

	Meta Meta `json:"-"`
}

// Create creates a contact. Without UpdateEnabled an existing email address
// is a 400 duplicate_parameter; with it the existing contact is updated and
// the reply has Updated set. An attribute the account does not define is a
// 400 invalid_parameter: create it first with Attributes.Ensure.
func (s *ContactsService) Create(ctx context.Context, req CreateContactRequest, opts ...RequestOption) (*ContactCreated, error) {
	if req.Email != "" && !ValidEmail(req.Email) {
		return nil, invalid("invalid email address %q", req.Email)
	}
	if err := req.Attributes.check(); err != nil {
		return nil, invalid("%v", err)
	}
	out := new(ContactCreated)
	meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: "contacts", opts: opts}, req, req.Extra, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	out.Updated = meta.StatusCode == http.StatusNoContent
	return out, nil
}

// Get returns a contact with its campaign statistics. A contact that does not
// exist is an *APIError for which IsNotFound reports true.
func (s *ContactsService) Get(ctx context.Context, ref ContactRef, opts ...RequestOption) (*Contact, error) {
	path, q, err := ref.target()
	if err != nil {
		return nil, err
	}
	out := new(Contact)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: path, query: q, opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// UpdateContactRequest changes a contact. Zero fields are left as they are;
// the blacklist flags are pointers so that false can be sent.
type UpdateContactRequest struct {
	Attributes          Attributes `json:"attributes,omitempty"`
	ExtID               string     `json:"ext_id,omitempty"`
	EmailBlacklisted    *bool      `json:"emailBlacklisted,omitempty"`
	SMSBlacklisted      *bool      `json:"smsBlacklisted,omitempty"`
	ListIDs             []int64    `json:"listIds,omitempty"`       // lists to add the contact to
	UnlinkListIDs       []int64    `json:"unlinkListIds,omitempty"` // lists to remove it from
	SMTPBlacklistSender []string   `json:"smtpBlacklistSender,omitempty"`

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name.
	Extra map[string]any `json:"-"`
}

// Update changes a contact's attributes, lists or blacklist flags.
func (s *ContactsService) Update(ctx context.Context, ref ContactRef, req UpdateContactRequest, opts ...RequestOption) (*NoContent, error) {
	path, q, err := ref.target()
	if err != nil {
		return nil, err
	}
	if err := req.Attributes.check(); err != nil {
		return nil, invalid("%v", err)
	}
	meta, err := s.c.send(ctx, &call{method: http.MethodPut, path: path, query: q, opts: opts}, req, req.Extra, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// Delete deletes a contact.
func (s *ContactsService) Delete(ctx context.Context, ref ContactRef, opts ...RequestOption) (*NoContent, error) {
	path, q, err := ref.target()
	if err != nil {
		return nil, err
	}
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodDelete, path: path, query: q, opts: opts}, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// ContactListParams selects and pages the contacts List returns.
type ContactListParams struct {
	Limit         int       // contacts per page, 1 to 1,000; 0 means 50
	Offset        int       // index of the first contact
	ModifiedSince time.Time // only contacts modified after this time, if set
	CreatedSince  time.Time // only contacts created after this time, if set
	Sort          string    // "asc" or "desc" by creation; "asc" keeps pages stable while contacts are added
	SegmentID     int64     // only the contacts of this segment, if set
}

// MaxContactPage is the largest page List asks for.
const MaxContactPage = 1000

func (p ContactListParams) query() (url.Values, int, error) {
	q, limit, err := pageQuery(p.Limit, p.Offset, p.Sort, 50, MaxContactPage)
	if err != nil {
		return nil, 0, err
	}
	if !p.ModifiedSince.IsZero() {
		q.Set("modifiedSince", formatTime(p.ModifiedSince))
	}
	if !p.CreatedSince.IsZero() {
		q.Set("createdSince", formatTime(p.CreatedSince))
	}
	if p.SegmentID > 0 {
		q.Set("segmentId", strconv.FormatInt(p.SegmentID, 10))
	}
	return q, limit, nil
}

// formatTime formats t the way Brevo's filters expect: UTC, milliseconds.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ContactPage is one page of contacts.
type ContactPage struct {
	Contacts []Contact `json:"contacts"`
	Count    int64     `json:"count"` // contacts matching the filters, across all pages

	Meta Meta `json:"-"`
}

// ListPage returns one page of contacts.
func (s *ContactsService) ListPage(ctx context.Context, p ContactListParams, opts ...RequestOption) (*ContactPage, error) {
	q, _, err := p.query()
	if err != nil {
		return nil, err
	}
	out := new(ContactPage)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: "contacts", query: q, opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// List iterates over the contacts page by page, fetching each page only when
// the loop reaches it. It stops at the last page, when the loop breaks, or
// after yielding an error.
//
//	for c, err := range client.Contacts.List(ctx, brevo.ContactListParams{Limit: 500, Sort: "asc"}) {
//		if err != nil { return err }
//		...
//	}
func (s *ContactsService) List(ctx context.Context, p ContactListParams, opts ...RequestOption) iter.Seq2[Contact, error] {
	_, limit, _ := p.query()
	return paginate(p.Offset, limit, func(offset int) ([]Contact, int64, error) {
		p.Offset = offset
		page, err := s.ListPage(ctx, p, opts...)
		if err != nil {
			return nil, 0, err
		}
		return page.Contacts, page.Count, nil
	})
}

// BatchContact is one contact of a batch update: an identifier (Email, ID
// or ExtID) and the changes.
type BatchContact struct {
	Email               string     `json:"email,omitempty"`
	ID                  int64      `json:"id,omitempty"`
	ExtID               string     `json:"ext_id,omitempty"`
	SMS                 string     `json:"sms,omitempty"`
	Attributes          Attributes `json:"attributes,omitempty"`
	EmailBlacklisted    *bool      `json:"emailBlacklisted,omitempty"`
	SMSBlacklisted      *bool      `json:"smsBlacklisted,omitempty"`
	ListIDs             []int64    `json:"listIds,omitempty"`
	UnlinkListIDs       []int64    `json:"unlinkListIds,omitempty"`
	SMTPBlacklistSender []string   `json:"smtpBlacklistSender,omitempty"`
}

// Ref returns the identifier the batch uses for the contact.
func (b BatchContact) Ref() ContactRef {
	switch {
	case b.Email != "":
		return ByEmail(b.Email)
	case b.ID != 0:
		return ByID(b.ID)
	default:
		return ByExtID(b.ExtID)
	}
}

// MaxBatch is the most contacts Brevo accepts in one batch update.
const MaxBatch = 100

// ErrEmptyBatch is returned for a batch with no contacts; it wraps
// ErrInvalidRequest.
var ErrEmptyBatch = invalid("empty batch: no contacts")

func validateBatch(contacts []BatchContact) error {
	if len(contacts) == 0 {
		return ErrEmptyBatch
	}
	for i, c := range contacts {
		if c.Email == "" && c.ID <= 0 && c.ExtID == "" && c.SMS == "" {
			return invalid("contact %d of the batch has no email, id, ext_id or sms", i)
		}
		if c.Email != "" && !ValidEmail(c.Email) {
			return invalid("contact %d of the batch: invalid email address %q", i, c.Email)
		}
		if err := c.Attributes.check(); err != nil {
			return invalid("contact %d of the batch (%s): %v", i, c.Ref(), err)
		}
	}
	return nil
}

type batchBody struct {
	Contacts []BatchContact `json:"contacts"`
}

// BatchUpdate updates up to MaxBatch contacts in one call. Brevo applies or
// rejects the call as a whole. For more contacts use UpdateMany.
func (s *ContactsService) BatchUpdate(ctx context.Context, contacts []BatchContact, opts ...RequestOption) (*NoContent, error) {
	if len(contacts) > MaxBatch {
		return nil, invalid("%d contacts in one batch: the maximum is %d; use UpdateMany", len(contacts), MaxBatch)
	}
	if err := validateBatch(contacts); err != nil {
		return nil, err
	}
	return s.batchUpdate(ctx, contacts, opts)
}

// batchUpdate sends one checked batch.
func (s *ContactsService) batchUpdate(ctx context.Context, contacts []BatchContact, opts []RequestOption) (*NoContent, error) {
	meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: "contacts/batch", opts: opts}, batchBody{contacts}, nil, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// BatchResult is the reply of UpdateMany.
type BatchResult struct {
	Contacts int  // contacts updated
	Calls    int  // batch calls made
	Meta     Meta // of the last call
}

// UpdateMany updates any number of contacts in batches of MaxBatch, one
// call after another (a throttle in the pipeline paces them). The whole input
// is checked before anything is sent, so a malformed contact sends nothing.
//
// When a call fails, the error is a *BatchError listing the failed chunks and
// their contacts; the other chunks were applied. A call the API rejects for
// its content (400, 404) does not stop the others; any other failure (an
// invalid key, a rate limit that retries did not cure, a cancelled context)
// stops the run, and the chunks not sent are listed with ErrNotAttempted.
func (s *ContactsService) UpdateMany(ctx context.Context, contacts []BatchContact, opts ...RequestOption) (*BatchResult, error) {
	if err := validateBatch(contacts); err != nil {
		return nil, err
	}
	res := new(BatchResult)
	var berr *BatchError
	for start := 0; start < len(contacts); start += MaxBatch {
		end := min(start+MaxBatch, len(contacts))
		chunk := contacts[start:end]
		nc, err := s.batchUpdate(ctx, chunk, opts) // checked above, with the whole input
		if err == nil {
			res.Contacts += len(chunk)
			res.Calls++
			res.Meta = nc.Meta
			continue
		}
		if berr == nil {
			berr = &BatchError{Total: len(contacts)}
		}
		res.Calls++
		berr.Failed = append(berr.Failed, ChunkError{Chunk: start / MaxBatch, Start: start, End: end, Contacts: batchRefs(chunk), Err: err})
		if !chunkLocal(err) {
			for next := end; next < len(contacts); next += MaxBatch {
				nend := min(next+MaxBatch, len(contacts))
				berr.Failed = append(berr.Failed, ChunkError{Chunk: next / MaxBatch, Start: next, End: nend, Contacts: batchRefs(contacts[next:nend]), Err: ErrNotAttempted})
			}
			break
		}
	}
	if berr != nil {
		berr.Applied = res.Contacts
		return res, berr
	}
	return res, nil
}

func batchRefs(cs []BatchContact) []ContactRef {
	refs := make([]ContactRef, len(cs))
	for i, c := range cs {
		refs[i] = c.Ref()
	}
	return refs
}

// chunkLocal reports whether a failed call failed because of its own
// content, so that the calls after it may still succeed.
func chunkLocal(err error) bool {
	var e *APIError
	return errors.As(err, &e) && (e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusNotFound)
}

// ImportContact is one contact of an import.
type ImportContact struct {
	Email      string     `json:"email"`
	Attributes Attributes `json:"attributes,omitempty"`
}

// NewList asks an import to create the list it fills.
type NewList struct {
	ListName string `json:"listName"`
	FolderID int64  `json:"folderId,omitempty"`
}

// ImportContactsRequest imports contacts in the background. Either ListIDs
// or NewList is required.
type ImportContactsRequest struct {
	Contacts                []ImportContact `json:"jsonBody,omitempty"`
	ListIDs                 []int64         `json:"listIds,omitempty"`
	NewList                 *NewList        `json:"newList,omitempty"`
	NotifyURL               string          `json:"notifyUrl,omitempty"` // called when the import ends
	EmailBlacklist          bool            `json:"emailBlacklist,omitempty"`
	SMSBlacklist            bool            `json:"smsBlacklist,omitempty"`
	DisableNotification     bool            `json:"disableNotification,omitempty"`
	UpdateExistingContacts  *bool           `json:"updateExistingContacts,omitempty"` // Brevo's default is true
	EmptyContactsAttributes bool            `json:"emptyContactsAttributes,omitempty"`

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name (fileUrl or fileBody import a file instead of Contacts).
	Extra map[string]any `json:"-"`
}

// ImportResult is the reply of Import.
type ImportResult struct {
	ProcessID int64 `json:"processId"` // the background process doing the import

	Meta Meta `json:"-"`
}

// Import starts a background import of contacts and returns its process id.
func (s *ContactsService) Import(ctx context.Context, req ImportContactsRequest, opts ...RequestOption) (*ImportResult, error) {
	if len(req.Contacts) == 0 && req.Extra["fileUrl"] == nil && req.Extra["fileBody"] == nil {
		return nil, invalid("import: no contacts")
	}
	if len(req.ListIDs) == 0 && req.NewList == nil && req.Extra["listIds"] == nil && req.Extra["newList"] == nil {
		return nil, invalid("import: ListIDs or NewList is required")
	}
	for i, c := range req.Contacts {
		if !ValidEmail(c.Email) {
			return nil, invalid("import: contact %d: invalid email address %q", i, c.Email)
		}
		if err := c.Attributes.check(); err != nil {
			return nil, invalid("import: contact %d: %v", i, err)
		}
	}
	out := new(ImportResult)
	meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: "contacts/import", opts: opts}, req, req.Extra, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}
