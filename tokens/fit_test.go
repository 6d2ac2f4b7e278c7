package tokens

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestFitMessages(t *testing.T) {
	long := strings.Repeat("lorem ipsum dolor sit amet ", 20)
	conv := []Message{
		{Role: "system", Content: "You write marketing emails."},     // 0
		{Role: "user", Content: "Draft a subject line. " + long},     // 1  turn 0
		{Role: "assistant", Content: "Spring into savings! " + long}, // 2
		{Role: "user", Content: "Shorter. " + long},                  // 3  turn 1
		{Role: "assistant", Content: "", Name: "writer"},             // 4
		{Role: "tool", Content: "lookup result " + long},             // 5
		{Role: "assistant", Content: "Save 20% today"},               // 6
		{Role: "developer", Content: "Keep it under 40 characters."}, // 7 (pinned, inside turn 1's span)
		{Role: "user", Content: "Now the preheader."},                // 8  turn 2
	}
	enc := mustGet(t, O200kBase)
	full := enc.CountMessages(conv)
	keep := func(idx ...int) []Message {
		var out []Message
		for _, i := range idx {
			out = append(out, conv[i])
		}
		return out
	}
	lastTwoTurns := enc.CountMessages(keep(0, 3, 4, 5, 6, 7, 8))
	lastTurn := enc.CountMessages(keep(0, 7, 8))

	for _, tc := range []struct {
		name        string
		msgs        []Message
		budget      int
		wantKept    []Message
		wantDropped []int
		wantTurns   int
		wantErr     error
	}{
		{name: "fits", msgs: conv, budget: full, wantKept: conv},
		{name: "one over drops oldest turn", msgs: conv, budget: full - 1,
			wantKept: keep(0, 3, 4, 5, 6, 7, 8), wantDropped: []int{1, 2}, wantTurns: 1},
		{name: "exactly two turns", msgs: conv, budget: lastTwoTurns,
			wantKept: keep(0, 3, 4, 5, 6, 7, 8), wantDropped: []int{1, 2}, wantTurns: 1},
		{name: "tool turn dropped whole", msgs: conv, budget: lastTwoTurns - 1,
			wantKept: keep(0, 7, 8), wantDropped: []int{1, 2, 3, 4, 5, 6}, wantTurns: 2},
		{name: "exactly newest turn", msgs: conv, budget: lastTurn,
			wantKept: keep(0, 7, 8), wantDropped: []int{1, 2, 3, 4, 5, 6}, wantTurns: 2},
		{name: "newest turn does not fit", msgs: conv, budget: lastTurn - 1,
			wantErr: &BudgetError{Budget: lastTurn - 1, Required: lastTurn}},
		{name: "negative budget", msgs: conv, budget: -1, wantErr: &InvalidBudgetError{Budget: -1}},
		{name: "empty", msgs: nil, budget: 3},
		{name: "empty below overhead", msgs: nil, budget: 2, wantErr: &BudgetError{Budget: 2, Required: 3}},
		{name: "zero budget", msgs: conv, budget: 0, wantErr: &BudgetError{Budget: 0, Required: lastTurn}},
		{name: "leading assistant forms a turn",
			msgs:     []Message{{Role: "assistant", Content: "Hi! " + long}, {Role: "user", Content: "Hello"}},
			budget:   enc.CountMessages([]Message{{Role: "user", Content: "Hello"}}),
			wantKept: []Message{{Role: "user", Content: "Hello"}}, wantDropped: []int{0}, wantTurns: 1},
		{name: "only system messages over budget",
			msgs: []Message{{Role: "system", Content: long}}, budget: 10,
			wantErr: &BudgetError{Budget: 10, Required: enc.CountMessages([]Message{{Role: "system", Content: long}})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := FitMessages("gpt-4o-mini", tc.msgs, tc.budget)
			if tc.wantErr != nil {
				if err == nil || err.Error() != tc.wantErr.Error() {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				var be *BudgetError
				var ie *InvalidBudgetError
				if !errors.As(err, &be) && !errors.As(err, &ie) {
					t.Fatalf("err %T is not a typed budget error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Messages, tc.wantKept) {
				t.Errorf("kept %d messages %v, want %v", len(res.Messages), res.Messages, tc.wantKept)
			}
			if !slices.Equal(res.Dropped, tc.wantDropped) || res.DroppedTurns != tc.wantTurns {
				t.Errorf("dropped %v (%d turns), want %v (%d turns)", res.Dropped, res.DroppedTurns, tc.wantDropped, tc.wantTurns)
			}
			if want := enc.CountMessages(res.Messages); res.Tokens != want || res.Tokens > tc.budget {
				t.Errorf("Tokens = %d, CountMessages(kept) = %d, budget %d", res.Tokens, want, tc.budget)
			}
		})
	}

	var ue *UnknownModelError
	if _, err := FitMessages("mystery", conv, 100); !errors.As(err, &ue) {
		t.Errorf("unknown model: err = %v", err)
	}
	var ie *InvalidBudgetError
	if _, err := enc.FitMessages(conv, -5); !errors.As(err, &ie) || ie.Budget != -5 {
		t.Errorf("Encoding.FitMessages negative budget: err = %v", err)
	}
}

// TestFitMessagesDoesNotAlias checks that the result can be appended to
// without touching the caller's slice.
func TestFitMessagesDoesNotAlias(t *testing.T) {
	msgs := make([]Message, 2, 10)
	msgs[0] = Message{Role: "user", Content: "a"}
	msgs[1] = Message{Role: "assistant", Content: "b"}
	res, err := FitMessages("gpt-4o", msgs, 1000)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(res.Messages, Message{Role: "user", Content: "c"})
	if got := msgs[:3][2]; got != (Message{}) {
		t.Errorf("caller's backing array changed: %+v", got)
	}
}
