package brevo

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// EmailService sends transactional email.
type EmailService service

// Address is an email recipient or reply-to address.
type Address struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Sender is who an email comes from: a verified sender's email address, or
// its id.
type Sender struct {
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
	ID    int64  `json:"id,omitempty"`
}

// Attachment is a file attached to an email: fetched from URL, or given as
// Content (sent base64-encoded) with a Name that carries its extension.
type Attachment struct {
	URL     string `json:"url,omitempty"`
	Content []byte `json:"content,omitempty"`
	Name    string `json:"name,omitempty"`
}

// MessageVersion is one version of a batch send: its recipients and what
// differs for them. Unset fields come from the request.
type MessageVersion struct {
	To          []Address      `json:"to"`
	CC          []Address      `json:"cc,omitempty"`
	BCC         []Address      `json:"bcc,omitempty"`
	ReplyTo     *Address       `json:"replyTo,omitempty"`
	Subject     string         `json:"subject,omitempty"`
	HTMLContent string         `json:"htmlContent,omitempty"`
	TextContent string         `json:"textContent,omitempty"`
	Params      map[string]any `json:"params,omitempty"` // template parameters: any JSON values
}

// SendEmailRequest is a transactional email. Give either HTMLContent or
// TextContent with a Subject, or a TemplateID (whose subject and sender are
// defaults); either To, or MessageVersions for a batch of personalised
// versions.
type SendEmailRequest struct {
	Sender          *Sender           `json:"sender,omitempty"` // required unless the template has one
	To              []Address         `json:"to,omitempty"`
	CC              []Address         `json:"cc,omitempty"`
	BCC             []Address         `json:"bcc,omitempty"`
	ReplyTo         *Address          `json:"replyTo,omitempty"`
	Subject         string            `json:"subject,omitempty"`
	HTMLContent     string            `json:"htmlContent,omitempty"`
	TextContent     string            `json:"textContent,omitempty"`
	TemplateID      int64             `json:"templateId,omitempty"`
	Params          map[string]any    `json:"params,omitempty"` // template parameters: any JSON values
	Tags            []string          `json:"tags,omitempty"`
	Headers         map[string]string `json:"headers,omitempty"` // custom headers, e.g. "X-Mailin-custom"
	Attachments     []Attachment      `json:"attachment,omitempty"`
	MessageVersions []MessageVersion  `json:"messageVersions,omitempty"`
	ScheduledAt     time.Time         `json:"scheduledAt,omitzero"` // send later; Brevo answers 202
	BatchID         string            `json:"batchId,omitempty"`    // groups scheduled sends so they can be cancelled together

	// Extra is merged into the JSON body, overriding typed fields of the
	// same name.
	Extra map[string]any `json:"-"`
}

// SentEmail is the reply of Send.
type SentEmail struct {
	MessageID  string   `json:"messageId,omitempty"`  // a single send
	MessageIDs []string `json:"messageIds,omitempty"` // one per message version
	BatchID    string   `json:"batchId,omitempty"`    // for a scheduled send
	Scheduled  bool     `json:"-"`                    // ScheduledAt was set and Brevo accepted it (HTTP 202)

	Meta Meta `json:"-"`
}

// Send sends (or schedules) a transactional email. Addresses are checked
// before anything is sent; Brevo's own checks (a missing sender, subject or
// content) come back as a 400 *APIError.
func (s *EmailService) Send(ctx context.Context, req SendEmailRequest, opts ...RequestOption) (*SentEmail, error) {
	if err := req.checkAddresses(); err != nil {
		return nil, err
	}
	for i, a := range req.Attachments {
		if (a.URL == "") == (len(a.Content) == 0) {
			return nil, invalid("attachment %d needs a URL or Content, not both", i)
		}
	}
	out := new(SentEmail)
	meta, err := s.c.send(ctx, &call{method: http.MethodPost, path: "smtp/email", opts: opts}, req, req.Extra, out)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	out.Scheduled = meta.StatusCode == http.StatusAccepted
	return out, nil
}

func (r *SendEmailRequest) checkAddresses() error {
	if r.Sender != nil && r.Sender.Email != "" && !ValidEmail(r.Sender.Email) {
		return invalid("sender: invalid email address %q", r.Sender.Email)
	}
	check := func(field string, as []Address) error {
		for i, a := range as {
			if !ValidEmail(a.Email) {
				return invalid("%s[%d]: invalid email address %q", field, i, a.Email)
			}
		}
		return nil
	}
	one := func(field string, a *Address) error {
		if a != nil && !ValidEmail(a.Email) {
			return invalid("%s: invalid email address %q", field, a.Email)
		}
		return nil
	}
	if err := check("to", r.To); err != nil {
		return err
	}
	if err := check("cc", r.CC); err != nil {
		return err
	}
	if err := check("bcc", r.BCC); err != nil {
		return err
	}
	if err := one("replyTo", r.ReplyTo); err != nil {
		return err
	}
	for i, v := range r.MessageVersions {
		if len(v.To) == 0 {
			return invalid("messageVersions[%d]: no recipients", i)
		}
		for _, f := range []struct {
			name string
			as   []Address
		}{{"to", v.To}, {"cc", v.CC}, {"bcc", v.BCC}} {
			if err := check("messageVersions["+strconv.Itoa(i)+"]."+f.name, f.as); err != nil {
				return err
			}
		}
		if err := one("messageVersions["+strconv.Itoa(i)+"].replyTo", v.ReplyTo); err != nil {
			return err
		}
	}
	return nil
}
