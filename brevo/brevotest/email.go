package brevotest

import (
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/reachkit/reachkit/brevo"
)

// SentEmail is one transactional message the server accepted: a send
// without message versions gives one, a batch send one per version, with
// the version's fields merged over the request's.
type SentEmail struct {
	MessageID   string
	Sender      brevo.Sender
	To          []brevo.Address
	CC          []brevo.Address
	BCC         []brevo.Address
	ReplyTo     *brevo.Address
	Subject     string
	HTMLContent string
	TextContent string
	TemplateID  int64
	Params      map[string]any // the template parameters, version parameters merged in
	Tags        []string
	Headers     map[string]string
	Attachments []brevo.Attachment
	ScheduledAt time.Time // zero unless scheduled
	BatchID     string
	Time        time.Time // when the server accepted it
}

func (s *Server) sendEmail(w http.ResponseWriter, r *http.Request) {
	var in brevo.SendEmailRequest
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	now := time.Now()
	if e := checkEmail(&in, now); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	base := SentEmail{
		To: in.To, CC: in.CC, BCC: in.BCC, ReplyTo: in.ReplyTo,
		Subject: in.Subject, HTMLContent: in.HTMLContent, TextContent: in.TextContent,
		TemplateID: in.TemplateID, Params: in.Params, Tags: in.Tags, Headers: in.Headers,
		Attachments: in.Attachments, ScheduledAt: in.ScheduledAt, BatchID: in.BatchID, Time: now,
	}
	if in.Sender != nil {
		base.Sender = *in.Sender
	}
	scheduled := !in.ScheduledAt.IsZero()
	if scheduled && base.BatchID == "" {
		base.BatchID = s.messageID("batch")
	}
	var out brevo.SentEmail
	if len(in.MessageVersions) == 0 {
		base.MessageID = s.messageID("msg")
		s.emails = append(s.emails, base)
		out.MessageID = base.MessageID
	}
	for _, v := range in.MessageVersions {
		m := base
		m.MessageID = s.messageID("msg")
		m.To, m.CC, m.BCC = v.To, v.CC, v.BCC
		if v.ReplyTo != nil {
			m.ReplyTo = v.ReplyTo
		}
		if v.Subject != "" {
			m.Subject = v.Subject
		}
		if v.HTMLContent != "" {
			m.HTMLContent = v.HTMLContent
		}
		if v.TextContent != "" {
			m.TextContent = v.TextContent
		}
		if len(v.Params) > 0 {
			m.Params = maps.Clone(base.Params)
			if m.Params == nil {
				m.Params = make(map[string]any, len(v.Params))
			}
			maps.Copy(m.Params, v.Params)
		}
		s.emails = append(s.emails, m)
		out.MessageIDs = append(out.MessageIDs, m.MessageID)
	}
	if scheduled {
		out.BatchID = base.BatchID
		writeJSON(w, http.StatusAccepted, out)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// messageID returns a message id in Brevo's shape, unique in the server.
func (s *Server) messageID(kind string) string {
	n := s.nextID(kind)
	h := fnv.New64a()
	fmt.Fprintf(h, "%s-%d", kind, n)
	if kind == "batch" {
		return fmt.Sprintf("%016x-%04d", h.Sum64(), n)
	}
	return fmt.Sprintf("<%016x.%d@smtp-relay.brevotest>", h.Sum64(), n)
}

// checkEmail applies the rules of POST /smtp/email.
func checkEmail(in *brevo.SendEmailRequest, now time.Time) *apiError {
	invalidAddr := func(field, addr string) *apiError {
		return badRequest(brevo.CodeInvalidParameter, "email is not valid in %s: %q", field, addr)
	}
	checkList := func(field string, as []brevo.Address) *apiError {
		for _, a := range as {
			if !brevo.ValidEmail(a.Email) {
				return invalidAddr(field, a.Email)
			}
		}
		return nil
	}
	template := in.TemplateID > 0
	switch {
	case in.Sender == nil || (in.Sender.Email == "" && in.Sender.ID == 0):
		if !template {
			return badRequest(brevo.CodeMissingParameter, "sender is missing")
		}
	case in.Sender.Email != "" && !brevo.ValidEmail(in.Sender.Email):
		return invalidAddr("sender", in.Sender.Email)
	}
	if len(in.To) == 0 && len(in.MessageVersions) == 0 {
		return badRequest(brevo.CodeMissingParameter, "to is missing")
	}
	for _, f := range []struct {
		name string
		as   []brevo.Address
	}{{"to", in.To}, {"cc", in.CC}, {"bcc", in.BCC}} {
		if e := checkList(f.name, f.as); e != nil {
			return e
		}
	}
	if in.ReplyTo != nil && !brevo.ValidEmail(in.ReplyTo.Email) {
		return invalidAddr("replyTo", in.ReplyTo.Email)
	}
	for i, v := range in.MessageVersions {
		if len(v.To) == 0 {
			return badRequest(brevo.CodeMissingParameter, "messageVersions[%d].to is missing", i)
		}
		field := fmt.Sprintf("messageVersions[%d]", i)
		for _, as := range [][]brevo.Address{v.To, v.CC, v.BCC} {
			if e := checkList(field, as); e != nil {
				return e
			}
		}
		if v.ReplyTo != nil && !brevo.ValidEmail(v.ReplyTo.Email) {
			return invalidAddr(field+".replyTo", v.ReplyTo.Email)
		}
	}
	if !template {
		allSubjects, allContent := len(in.MessageVersions) > 0, len(in.MessageVersions) > 0
		for _, v := range in.MessageVersions {
			allSubjects = allSubjects && v.Subject != ""
			allContent = allContent && (v.HTMLContent != "" || v.TextContent != "")
		}
		if strings.TrimSpace(in.Subject) == "" && !allSubjects {
			return badRequest(brevo.CodeMissingParameter, "subject is missing")
		}
		if in.HTMLContent == "" && in.TextContent == "" && !allContent {
			return badRequest(brevo.CodeMissingParameter, "htmlContent or textContent is missing")
		}
	}
	for i, a := range in.Attachments {
		switch {
		case a.URL == "" && len(a.Content) == 0:
			return badRequest(brevo.CodeMissingParameter, "attachment[%d]: url or content is required", i)
		case len(a.Content) > 0 && a.Name == "":
			return badRequest(brevo.CodeMissingParameter, "attachment[%d]: name is required with content", i)
		}
	}
	if !in.ScheduledAt.IsZero() && !in.ScheduledAt.After(now) {
		return badRequest(brevo.CodeInvalidParameter, "scheduledAt must be in the future")
	}
	return nil
}
