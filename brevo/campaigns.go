package brevo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CampaignsService manages email campaigns.
type CampaignsService service

// Recipients are the lists (and segments) a campaign goes to, minus the
// exclusion lists.
type Recipients struct {
	ListIDs          []int64 `json:"listIds,omitempty"`
	ExclusionListIDs []int64 `json:"exclusionListIds,omitempty"`
	SegmentIDs       []int64 `json:"segmentIds,omitempty"`
}

// CreateCampaignRequest creates an email campaign. Name and Sender are
// required, and the content: HTMLContent, HTMLURL or TemplateID.
type CreateCampaignRequest struct {
	Name                  string         `json:"name"`
	Subject               string         `json:"subject,omitempty"`
	Sender                Sender         `json:"sender"`
	HTMLContent           string         `json:"htmlContent,omitempty"`
	HTMLURL               string         `json:"htmlUrl,omitempty"`
	TemplateID            int64          `json:"templateId,omitempty"`
	Recipients            *Recipients    `json:"recipients,omitempty"`
	ScheduledAt           time.Time      `json:"scheduledAt,omitzero"`
	PreviewText           string         `json:"previewText,omitempty"`
	ReplyTo               string         `json:"replyTo,omitempty"`
	ToField               string         `json:"toField,omitempty"` // e.g. "{FNAME} {LNAME}"
	Tag                   string         `json:"tag,omitempty"`
	AttachmentURL         string         `json:"attachmentUrl,omitempty"`
	InlineImageActivation bool           `json:"inlineImageActivation,omitempty"`
	MirrorActive          *bool          `json:"mirrorActive,omitempty"`
	Header                string         `json:"header,omitempty"`
	Footer                string         `json:"footer,omitempty"`
	UTMCampaign           string         `json:"utmCampaign,omitempty"`
	Params                map[string]any `json:"params,omitempty"` // template parameters: any JSON values
	SendAtBestTime        bool           `json:"sendAtBestTime,omitempty"`
	ABTesting             bool           `json:"abTesting,omitempty"`
	SubjectA              string         `json:"subjectA,omitempty"`
	SubjectB              string         `json:"subjectB,omitempty"`
	SplitRule             int            `json:"splitRule,omitempty"`      // 1 to 50: percent of recipients in each test version
	WinnerCriteria        string         `json:"winnerCriteria,omitempty"` // "open" or "click"
	WinnerDelay           int            `json:"winnerDelay,omitempty"`    // hours, 1 to 168
	IPWarmupEnable        bool           `json:"ipWarmupEnable,omitempty"`
	InitialQuota          int64          `json:"initialQuota,omitempty"`
	IncreaseRate          int            `json:"increaseRate,omitempty"` // percent, 0 to 100
	UnsubscriptionPageID  string         `json:"unsubscriptionPageId,omitempty"`
	UpdateFormID          string         `json:"updateFormId,omitempty"`

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name.
	Extra map[string]any `json:"-"`
}

// Create creates an email campaign (a draft, or scheduled with ScheduledAt)
// and returns its id.
func (s *CampaignsService) Create(ctx context.Context, req CreateCampaignRequest, opts ...RequestOption) (*Created, error) {
	if strings.TrimSpace(req.Name) == "" {
		return nil, invalid("campaign name is empty")
	}
	if req.Sender.Email == "" && req.Sender.ID == 0 {
		return nil, invalid("campaign %q has no sender: set Sender.Email or Sender.ID", req.Name)
	}
	if err := checkCampaignAddresses(&req.Sender, req.ReplyTo); err != nil {
		return nil, err
	}
	out := new(Created)
	meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: "emailCampaigns", opts: opts}, req, req.Extra, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

func checkCampaignAddresses(sender *Sender, replyTo string) error {
	if sender != nil && sender.Email != "" && !ValidEmail(sender.Email) {
		return invalid("campaign sender: invalid email address %q", sender.Email)
	}
	if replyTo != "" && !ValidEmail(replyTo) {
		return invalid("campaign replyTo: invalid email address %q", replyTo)
	}
	return nil
}

// UpdateCampaignRequest changes a campaign that has not been sent. Zero
// fields are left as they are; flags are pointers so that false can be sent.
type UpdateCampaignRequest struct {
	Name                  string         `json:"name,omitempty"`
	Subject               string         `json:"subject,omitempty"`
	Sender                *Sender        `json:"sender,omitempty"`
	HTMLContent           string         `json:"htmlContent,omitempty"`
	HTMLURL               string         `json:"htmlUrl,omitempty"`
	Recipients            *Recipients    `json:"recipients,omitempty"`
	ScheduledAt           time.Time      `json:"scheduledAt,omitzero"`
	PreviewText           string         `json:"previewText,omitempty"`
	ReplyTo               string         `json:"replyTo,omitempty"`
	ToField               string         `json:"toField,omitempty"`
	Tag                   string         `json:"tag,omitempty"`
	AttachmentURL         string         `json:"attachmentUrl,omitempty"`
	InlineImageActivation *bool          `json:"inlineImageActivation,omitempty"`
	MirrorActive          *bool          `json:"mirrorActive,omitempty"`
	Recurring             *bool          `json:"recurring,omitempty"`
	Header                string         `json:"header,omitempty"`
	Footer                string         `json:"footer,omitempty"`
	UTMCampaign           string         `json:"utmCampaign,omitempty"`
	Params                map[string]any `json:"params,omitempty"`
	SendAtBestTime        *bool          `json:"sendAtBestTime,omitempty"`
	ABTesting             *bool          `json:"abTesting,omitempty"`
	SubjectA              string         `json:"subjectA,omitempty"`
	SubjectB              string         `json:"subjectB,omitempty"`
	SplitRule             int            `json:"splitRule,omitempty"`
	WinnerCriteria        string         `json:"winnerCriteria,omitempty"`
	WinnerDelay           int            `json:"winnerDelay,omitempty"`
	IPWarmupEnable        *bool          `json:"ipWarmupEnable,omitempty"`
	InitialQuota          int64          `json:"initialQuota,omitempty"`
	IncreaseRate          int            `json:"increaseRate,omitempty"`
	UnsubscriptionPageID  string         `json:"unsubscriptionPageId,omitempty"`
	UpdateFormID          string         `json:"updateFormId,omitempty"`

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name.
	Extra map[string]any `json:"-"`
}

func campaignPath(id int64, suffix string) (string, error) {
	if id <= 0 {
		return "", invalid("campaign id %d", id)
	}
	return "emailCampaigns/" + strconv.FormatInt(id, 10) + suffix, nil
}

// Update changes a campaign.
func (s *CampaignsService) Update(ctx context.Context, id int64, req UpdateCampaignRequest, opts ...RequestOption) (*NoContent, error) {
	path, err := campaignPath(id, "")
	if err != nil {
		return nil, err
	}
	if err := checkCampaignAddresses(req.Sender, req.ReplyTo); err != nil {
		return nil, err
	}
	meta, err := s.c.send(ctx, &call{method: http.MethodPut, path: path, opts: opts}, req, req.Extra, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// Schedule sets the time a campaign is sent.
func (s *CampaignsService) Schedule(ctx context.Context, id int64, at time.Time, opts ...RequestOption) (*NoContent, error) {
	if at.IsZero() {
		return nil, invalid("schedule campaign %d: no time", id)
	}
	return s.Update(ctx, id, UpdateCampaignRequest{ScheduledAt: at}, opts...)
}

// SendNow sends a campaign to its recipients now.
func (s *CampaignsService) SendNow(ctx context.Context, id int64, opts ...RequestOption) (*NoContent, error) {
	path, err := campaignPath(id, "/sendNow")
	if err != nil {
		return nil, err
	}
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodPost, path: path, opts: opts}, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// SendTestError is the error of SendTest when Brevo rejects some of the
// test addresses; it wraps the *APIError.
type SendTestError struct {
	*APIError
	UnexistingEmails  []string `json:"unexistingEmails"`  // not contacts of the account
	WithoutListEmails []string `json:"withoutListEmails"` // contacts not in the test list
	BlacklistedEmails []string `json:"blackListedEmails"` // blacklisted contacts
}

// Unwrap returns the *APIError.
func (e *SendTestError) Unwrap() error { return e.APIError }

type sendTestBody struct {
	EmailTo []string `json:"emailTo,omitempty"`
}

// SendTest sends a campaign to test addresses, or, with none, to the
// account's test list. When Brevo refuses some addresses the error is a
// *SendTestError saying which.
func (s *CampaignsService) SendTest(ctx context.Context, id int64, emails []string, opts ...RequestOption) (*NoContent, error) {
	path, err := campaignPath(id, "/sendTest")
	if err != nil {
		return nil, err
	}
	for i, e := range emails {
		if !ValidEmail(e) {
			return nil, invalid("send test: email %d: invalid email address %q", i, e)
		}
	}
	meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: path, opts: opts}, sendTestBody{emails}, nil, nil)
	var apiErr *APIError
	if errors.As(err, &apiErr) && len(apiErr.body) > 0 {
		// The lists are decoded on their own: decoding into the
		// SendTestError would let the body set the embedded APIError's
		// status, route and headers.
		var lists struct {
			Unexisting  []string `json:"unexistingEmails"`
			WithoutList []string `json:"withoutListEmails"`
			Blacklisted []string `json:"blackListedEmails"`
		}
		if json.Unmarshal(apiErr.body, &lists) == nil && len(lists.Unexisting)+len(lists.WithoutList)+len(lists.Blacklisted) > 0 {
			return nil, &SendTestError{APIError: apiErr, UnexistingEmails: lists.Unexisting,
				WithoutListEmails: lists.WithoutList, BlacklistedEmails: lists.Blacklisted}
		}
	}
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// Delete deletes a campaign.
func (s *CampaignsService) Delete(ctx context.Context, id int64, opts ...RequestOption) (*NoContent, error) {
	path, err := campaignPath(id, "")
	if err != nil {
		return nil, err
	}
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodDelete, path: path, opts: opts}, nil)
	if err != nil {
		return nil, err
	}
	return &NoContent{Meta: meta}, nil
}

// StatsFilter limits the statistics Report returns.
type StatsFilter string

// The statistics filters.
const (
	StatsGlobal    StatsFilter = "globalStats"
	StatsLinks     StatsFilter = "linksStats"
	StatsByDomain  StatsFilter = "statsByDomain"
	StatsByDevice  StatsFilter = "statsByDevice"
	StatsByBrowser StatsFilter = "statsByBrowser"
)

// Get returns a campaign with its full report (statistics).
func (s *CampaignsService) Get(ctx context.Context, id int64, opts ...RequestOption) (*Campaign, error) {
	return s.Report(ctx, id, "", opts...)
}

// Report returns a campaign with the statistics filter asks for; an empty
// filter returns them all, like Get.
func (s *CampaignsService) Report(ctx context.Context, id int64, filter StatsFilter, opts ...RequestOption) (*Campaign, error) {
	path, err := campaignPath(id, "")
	if err != nil {
		return nil, err
	}
	var q url.Values
	if filter != "" {
		q = url.Values{"statistics": {string(filter)}}
	}
	out := new(Campaign)
	meta, err := s.c.doJSON(ctx, &call{method: http.MethodGet, path: path, query: q, opts: opts}, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return out, nil
}

// Campaign is an email campaign and its report.
type Campaign struct {
	ID                    int64              `json:"id"`
	Name                  string             `json:"name"`
	Subject               string             `json:"subject,omitempty"`
	PreviewText           string             `json:"previewText,omitempty"`
	Type                  string             `json:"type"`   // "classic" or "trigger"
	Status                string             `json:"status"` // "draft", "sent", "archive", "queued", "suspended", "in_process"
	ScheduledAt           string             `json:"scheduledAt,omitempty"`
	ABTesting             bool               `json:"abTesting,omitempty"`
	SubjectA              string             `json:"subjectA,omitempty"`
	SubjectB              string             `json:"subjectB,omitempty"`
	SplitRule             int64              `json:"splitRule,omitempty"`
	WinnerCriteria        string             `json:"winnerCriteria,omitempty"`
	WinnerDelay           int64              `json:"winnerDelay,omitempty"`
	SendAtBestTime        bool               `json:"sendAtBestTime,omitempty"`
	TestSent              bool               `json:"testSent"`
	Header                string             `json:"header"`
	Footer                string             `json:"footer"`
	Sender                Sender             `json:"sender"`
	ReplyTo               string             `json:"replyTo"`
	ToField               string             `json:"toField,omitempty"`
	HTMLContent           string             `json:"htmlContent"`
	ShareLink             string             `json:"shareLink,omitempty"`
	Tag                   string             `json:"tag,omitempty"`
	CreatedAt             string             `json:"createdAt"`
	ModifiedAt            string             `json:"modifiedAt"`
	InlineImageActivation bool               `json:"inlineImageActivation,omitempty"`
	MirrorActive          bool               `json:"mirrorActive,omitempty"`
	Recurring             bool               `json:"recurring,omitempty"`
	SentDate              string             `json:"sentDate,omitempty"`
	ReturnBounce          int64              `json:"returnBounce,omitempty"`
	Recipients            CampaignRecipients `json:"recipients"`
	Statistics            CampaignStatistics `json:"statistics"`

	Meta Meta `json:"-"`
}

// CampaignRecipients are the lists a campaign was sent to and those it
// excluded.
type CampaignRecipients struct {
	Lists          []int64 `json:"lists"`
	ExclusionLists []int64 `json:"exclusionLists"`
}

// CampaignStatistics is a campaign's report.
type CampaignStatistics struct {
	GlobalStats    CampaignStats                     `json:"globalStats"`
	CampaignStats  []CampaignStats                   `json:"campaignStats"` // one per list
	MirrorClick    int64                             `json:"mirrorClick"`
	Remaining      int64                             `json:"remaining"`
	LinksStats     map[string]LinkClicks             `json:"linksStats"`     // clicks by URL
	StatsByDomain  map[string]CampaignStats          `json:"statsByDomain"`  // by recipient domain
	StatsByDevice  map[string]map[string]DeviceStats `json:"statsByDevice"`  // "desktop", "mobile", "tablet", "unknown", then by client
	StatsByBrowser map[string]DeviceStats            `json:"statsByBrowser"` // by browser
}

// CampaignStats counts what happened to a campaign's messages.
type CampaignStats struct {
	ListID             int64   `json:"listId,omitempty"`
	Sent               int64   `json:"sent"`
	Delivered          int64   `json:"delivered"`
	UniqueViews        int64   `json:"uniqueViews"`
	Viewed             int64   `json:"viewed"`
	TrackableViews     int64   `json:"trackableViews"`
	TrackableViewsRate float64 `json:"trackableViewsRate,omitempty"`
	EstimatedViews     int64   `json:"estimatedViews,omitempty"`
	UniqueClicks       int64   `json:"uniqueClicks"`
	Clickers           int64   `json:"clickers"`
	SoftBounces        int64   `json:"softBounces"`
	HardBounces        int64   `json:"hardBounces"`
	Complaints         int64   `json:"complaints"`
	Unsubscriptions    int64   `json:"unsubscriptions"`
	Deferred           int64   `json:"deferred,omitempty"`
	ReturnBounce       int64   `json:"returnBounce,omitempty"`
}

// DeviceStats counts views and clicks from one device or browser.
type DeviceStats struct {
	Clickers     int64 `json:"clickers"`
	UniqueClicks int64 `json:"uniqueClicks"`
	Viewed       int64 `json:"viewed"`
	UniqueViews  int64 `json:"uniqueViews"`
}

// LinkClicks is the number of clicks on one link. Brevo reports it as a
// number or as {"nbClick": n}; both decode.
type LinkClicks int64

// UnmarshalJSON accepts a number, {"nbClick": n}, or anything else as 0.
func (l *LinkClicks) UnmarshalJSON(b []byte) error {
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		if v, err := n.Int64(); err == nil {
			*l = LinkClicks(v)
			return nil
		}
		if f, err := n.Float64(); err == nil {
			*l = LinkClicks(f)
			return nil
		}
	}
	var obj struct {
		NbClick int64 `json:"nbClick"`
	}
	if json.Unmarshal(b, &obj) == nil {
		*l = LinkClicks(obj.NbClick)
		return nil
	}
	*l = 0
	return nil
}

// String formats the count.
func (l LinkClicks) String() string { return fmt.Sprint(int64(l)) }
