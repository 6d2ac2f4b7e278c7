package openaitest

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode"
)

// moderationKeywords maps words to the category the fake flags them under.
// The list is short and obvious on purpose: tests put one of these words in
// the text they want flagged.
var moderationKeywords = map[string]string{
	"kill":    "violence",
	"murder":  "violence",
	"gore":    "violence/graphic",
	"hate":    "hate",
	"idiot":   "harassment",
	"stupid":  "harassment",
	"threat":  "harassment/threatening",
	"suicide": "self-harm",
	"bomb":    "illicit/violent",
	"drugs":   "illicit",
	"nude":    "sexual",
}

var moderationCategories = []string{"harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
	"self-harm", "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic"}

func (s *Server) moderations(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	type item struct {
		text  string
		image bool
	}
	var items []item
	var one string
	var many []string
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	switch {
	case json.Unmarshal(req.Input, &one) == nil:
		items = []item{{text: one}}
	case json.Unmarshal(req.Input, &many) == nil && len(many) > 0:
		for _, t := range many {
			items = append(items, item{text: t})
		}
	case json.Unmarshal(req.Input, &parts) == nil && len(parts) > 0:
		// Multimodal input is judged as one result, like the real API.
		var b strings.Builder
		img := false
		for _, p := range parts {
			b.WriteString(p.Text + " ")
			img = img || p.Type == "image_url"
		}
		items = []item{{text: b.String(), image: img}}
	default:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "'input' must be a string, an array of strings or an array of parts")
		return
	}
	model := req.Model
	if model == "" {
		model = "omni-moderation-latest"
	}
	results := make([]map[string]any, len(items))
	for i, it := range items {
		cats, scores, applied := map[string]bool{}, map[string]float64{}, map[string][]string{}
		for _, c := range moderationCategories {
			cats[c], scores[c], applied[c] = false, 0.0001, []string{"text"}
			if it.image && (c == "violence" || c == "sexual" || c == "self-harm") {
				applied[c] = append(applied[c], "image")
			}
		}
		flagged := false
		// Whole words only: "trail skills" and "drugstore" are fine copy.
		for _, word := range strings.FieldsFunc(strings.ToLower(it.text), func(r rune) bool { return !unicode.IsLetter(r) }) {
			cat, ok := moderationKeywords[word]
			if !ok { // plurals and third persons: "idiots", "kills"
				cat, ok = moderationKeywords[strings.TrimSuffix(word, "s")]
			}
			if ok {
				cats[cat], scores[cat], flagged = true, 0.97, true
			}
		}
		results[i] = map[string]any{"flagged": flagged, "categories": cats, "category_scores": scores, "category_applied_input_types": applied}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": "modr-" + hashID(string(req.Input))[:12], "model": model, "results": results})
}
