package brevotest

import (
	"net/http"
	"strings"
	"time"

	"github.com/reachkit/reachkit/brevo"
)

type campaign struct {
	view       brevo.Campaign
	lists      []int64
	exclusions []int64
	templateID int64
	htmlURL    string
	sentTo     []string
	stats      brevo.CampaignStatistics
}

func emptyStats() brevo.CampaignStatistics {
	return brevo.CampaignStatistics{
		CampaignStats:  []brevo.CampaignStats{},
		LinksStats:     map[string]brevo.LinkClicks{},
		StatsByDomain:  map[string]brevo.CampaignStats{},
		StatsByDevice:  map[string]map[string]brevo.DeviceStats{},
		StatsByBrowser: map[string]brevo.DeviceStats{},
	}
}

func (c *campaign) render() brevo.Campaign {
	v := c.view
	v.Recipients = brevo.CampaignRecipients{Lists: append([]int64{}, c.lists...), ExclusionLists: append([]int64{}, c.exclusions...)}
	v.Statistics = c.stats
	v.Statistics.CampaignStats = append([]brevo.CampaignStats{}, c.stats.CampaignStats...)
	return v
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) {
	var in brevo.CreateCampaignRequest
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	switch {
	case strings.TrimSpace(in.Name) == "":
		badRequest(brevo.CodeMissingParameter, "name is missing").write(w)
		return
	case in.Sender.Email == "" && in.Sender.ID == 0:
		badRequest(brevo.CodeMissingParameter, "sender is missing").write(w)
		return
	case in.Sender.Email != "" && !brevo.ValidEmail(in.Sender.Email):
		badRequest(brevo.CodeInvalidParameter, "sender.email is not a valid email address").write(w)
		return
	case in.ReplyTo != "" && !brevo.ValidEmail(in.ReplyTo):
		badRequest(brevo.CodeInvalidParameter, "replyTo is not a valid email address").write(w)
		return
	case in.HTMLContent == "" && in.HTMLURL == "" && in.TemplateID == 0:
		badRequest(brevo.CodeMissingParameter, "htmlContent, htmlUrl or templateId is required").write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &campaign{templateID: in.TemplateID, htmlURL: in.HTMLURL, stats: emptyStats()}
	if in.Recipients != nil {
		if e := s.checkLists(in.Recipients.ListIDs, in.Recipients.ExclusionListIDs); e != nil {
			e.write(w)
			return
		}
		c.lists, c.exclusions = in.Recipients.ListIDs, in.Recipients.ExclusionListIDs
	}
	replyTo := in.ReplyTo
	if replyTo == "" {
		replyTo = in.Sender.Email
	}
	c.view = brevo.Campaign{
		ID: s.nextID("campaign"), Name: in.Name, Subject: in.Subject, PreviewText: in.PreviewText,
		Type: "classic", Status: "draft", Header: "[DEFAULT_HEADER]", Footer: "[DEFAULT_FOOTER]",
		Sender: in.Sender, ReplyTo: replyTo, ToField: in.ToField, HTMLContent: in.HTMLContent, Tag: in.Tag,
		CreatedAt: stamp(now), ModifiedAt: stamp(now), InlineImageActivation: in.InlineImageActivation,
		ABTesting: in.ABTesting, SubjectA: in.SubjectA, SubjectB: in.SubjectB, SendAtBestTime: in.SendAtBestTime,
		SplitRule: int64(in.SplitRule), WinnerCriteria: in.WinnerCriteria, WinnerDelay: int64(in.WinnerDelay),
	}
	if in.Header != "" {
		c.view.Header = in.Header
	}
	if in.Footer != "" {
		c.view.Footer = in.Footer
	}
	if in.MirrorActive != nil {
		c.view.MirrorActive = *in.MirrorActive
	}
	if !in.ScheduledAt.IsZero() {
		c.view.ScheduledAt, c.view.Status = stamp(in.ScheduledAt), "queued"
	}
	s.campaigns[c.view.ID] = c
	writeJSON(w, http.StatusCreated, brevo.Created{ID: c.view.ID})
}

func (s *Server) campaignFor(r *http.Request) (*campaign, *apiError) {
	id, e := pathID(r, "id")
	if e != nil {
		return nil, e
	}
	c := s.campaigns[id]
	if c == nil {
		return nil, notFound("Campaign ID does not exist")
	}
	return c, nil
}

func validStatsFilter(f string) bool {
	switch brevo.StatsFilter(f) {
	case "", brevo.StatsGlobal, brevo.StatsLinks, brevo.StatsByDomain, brevo.StatsByDevice, brevo.StatsByBrowser:
		return true
	}
	return false
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) {
	if !validStatsFilter(r.URL.Query().Get("statistics")) {
		badRequest(brevo.CodeInvalidParameter, "statistics must be one of globalStats, linksStats, statsByDomain, statsByDevice, statsByBrowser").write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.campaignFor(r)
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, c.render())
}

func (s *Server) updateCampaign(w http.ResponseWriter, r *http.Request) {
	var in brevo.UpdateCampaignRequest
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.campaignFor(r)
	if e != nil {
		e.write(w)
		return
	}
	if c.view.Status == "sent" {
		badRequest(brevo.CodeCampaignSent, "A sent campaign cannot be changed").write(w)
		return
	}
	if in.Sender != nil && in.Sender.Email != "" && !brevo.ValidEmail(in.Sender.Email) {
		badRequest(brevo.CodeInvalidParameter, "sender.email is not a valid email address").write(w)
		return
	}
	if in.ReplyTo != "" && !brevo.ValidEmail(in.ReplyTo) {
		badRequest(brevo.CodeInvalidParameter, "replyTo is not a valid email address").write(w)
		return
	}
	if in.Recipients != nil {
		if e := s.checkLists(in.Recipients.ListIDs, in.Recipients.ExclusionListIDs); e != nil {
			e.write(w)
			return
		}
		if in.Recipients.ListIDs != nil {
			c.lists = in.Recipients.ListIDs
		}
		if in.Recipients.ExclusionListIDs != nil {
			c.exclusions = in.Recipients.ExclusionListIDs
		}
	}
	v := &c.view
	setStr := func(dst *string, src string) {
		if src != "" {
			*dst = src
		}
	}
	setStr(&v.Name, in.Name)
	setStr(&v.Subject, in.Subject)
	setStr(&v.HTMLContent, in.HTMLContent)
	setStr(&c.htmlURL, in.HTMLURL)
	setStr(&v.PreviewText, in.PreviewText)
	setStr(&v.ReplyTo, in.ReplyTo)
	setStr(&v.ToField, in.ToField)
	setStr(&v.Tag, in.Tag)
	setStr(&v.Header, in.Header)
	setStr(&v.Footer, in.Footer)
	setStr(&v.SubjectA, in.SubjectA)
	setStr(&v.SubjectB, in.SubjectB)
	setStr(&v.WinnerCriteria, in.WinnerCriteria)
	if in.Sender != nil {
		v.Sender = *in.Sender
	}
	for _, f := range []struct {
		dst *bool
		src *bool
	}{{&v.InlineImageActivation, in.InlineImageActivation}, {&v.MirrorActive, in.MirrorActive}, {&v.Recurring, in.Recurring}, {&v.SendAtBestTime, in.SendAtBestTime}, {&v.ABTesting, in.ABTesting}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.SplitRule != 0 {
		v.SplitRule = int64(in.SplitRule)
	}
	if in.WinnerDelay != 0 {
		v.WinnerDelay = int64(in.WinnerDelay)
	}
	if !in.ScheduledAt.IsZero() {
		v.ScheduledAt, v.Status = stamp(in.ScheduledAt), "queued"
	}
	v.ModifiedAt = stamp(now)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) sendCampaign(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.campaignFor(r)
	if e != nil {
		e.write(w)
		return
	}
	switch {
	case c.view.Status == "sent":
		badRequest(brevo.CodeCampaignSent, "Campaign has already been sent").write(w)
		return
	case len(c.lists) == 0:
		badRequest(brevo.CodeInvalidParameter, "Campaign has no recipient lists").write(w)
		return
	case c.view.Subject == "" && c.templateID == 0:
		badRequest(brevo.CodeMissingParameter, "subject is missing").write(w)
		return
	}
	excluded := make(map[int64]bool)
	for _, l := range c.exclusions {
		for _, m := range s.members(l) {
			excluded[m.id] = true
		}
	}
	sent := make(map[string]bool)
	c.stats.CampaignStats = c.stats.CampaignStats[:0]
	for _, l := range c.lists {
		st := brevo.CampaignStats{ListID: l}
		for _, m := range s.members(l) {
			if excluded[m.id] || m.emailBlacklisted || m.email == "" {
				continue
			}
			st.Sent++
			st.Delivered++
			sent[m.email] = true
		}
		c.stats.CampaignStats = append(c.stats.CampaignStats, st)
	}
	c.sentTo = sortedStrings(sent)
	c.stats.GlobalStats = brevo.CampaignStats{Sent: int64(len(sent)), Delivered: int64(len(sent))}
	c.view.Status, c.view.SentDate, c.view.ModifiedAt = "sent", stamp(now), stamp(now)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) sendCampaignTest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		EmailTo []string `json:"emailTo"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.campaignFor(r)
	if e != nil {
		e.write(w)
		return
	}
	var unknown []string
	for _, addr := range in.EmailTo {
		if !brevo.ValidEmail(addr) || s.contactByEmail(addr) == nil {
			unknown = append(unknown, addr)
		}
	}
	if len(unknown) > 0 {
		writeJSON(w, http.StatusBadRequest, struct {
			Code             string   `json:"code"`
			Message          string   `json:"message"`
			UnexistingEmails []string `json:"unexistingEmails"`
		}{brevo.CodeInvalidParameter, "Test email could not be sent to the following email addresses", unknown})
		return
	}
	c.view.TestSent = true
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteCampaign(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.campaignFor(r)
	if e != nil {
		e.write(w)
		return
	}
	delete(s.campaigns, c.view.ID)
	w.WriteHeader(http.StatusNoContent)
}
