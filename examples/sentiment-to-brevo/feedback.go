package main

import (
	"bufio"
	"bytes"
	"cmp"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/reachkit/reachkit/brevo"
)

//go:embed feedback.csv
var sampleFeedback []byte

// Feedback is what one contact said; several rows of the same contact are
// joined and scored together.
type Feedback struct {
	Email string `json:"email"`
	Text  string `json:"text"`
}

// loadFeedback reads path (the bundled sample when empty): JSONL when the
// first character is '{', CSV with an email,text header otherwise.
func loadFeedback(path string) ([]Feedback, error) {
	data := sampleFeedback
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, err
		}
	}
	var rows []Feedback
	var err error
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		rows, err = readJSONL(bytes.NewReader(data))
	} else {
		rows, err = readCSV(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmp.Or(path, "sample"), err)
	}
	return groupByEmail(rows)
}

func readJSONL(r io.Reader) ([]Feedback, error) {
	var rows []Feedback
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var f Feedback
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		rows = append(rows, f)
	}
	return rows, sc.Err()
}

func readCSV(r io.Reader) ([]Feedback, error) {
	records, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, nil
	}
	email, text := -1, -1
	for i, h := range records[0] {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "email":
			email = i
		case "text", "feedback":
			text = i
		}
	}
	if email < 0 || text < 0 {
		return nil, fmt.Errorf("the header must name the columns email and text, got %q", records[0])
	}
	rows := make([]Feedback, 0, len(records)-1)
	for _, rec := range records[1:] {
		rows = append(rows, Feedback{Email: rec[email], Text: rec[text]})
	}
	return rows, nil
}

// groupByEmail joins the texts of each contact, keeping the order in which
// contacts first appear, and rejects rows Brevo could not match.
func groupByEmail(rows []Feedback) ([]Feedback, error) {
	var out []Feedback
	index := map[string]int{}
	for i, r := range rows {
		r.Email = strings.ToLower(strings.TrimSpace(r.Email))
		r.Text = strings.TrimSpace(r.Text)
		if !brevo.ValidEmail(r.Email) {
			return nil, fmt.Errorf("row %d: invalid email address %q", i+1, r.Email)
		}
		if r.Text == "" {
			continue
		}
		if j, ok := index[r.Email]; ok {
			out[j].Text += "\n" + r.Text
			continue
		}
		index[r.Email] = len(out)
		out = append(out, r)
	}
	return out, nil
}
