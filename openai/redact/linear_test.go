package redact_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reachkit/reachkit/openai/redact"
)

// TestAdversarialInputsTakeLinearTime redacts and restores 256 KB texts made
// of one piece repeated, which would take minutes if any detector read the
// rest of the text again from each place where a value might start.
func TestAdversarialInputsTakeLinearTime(t *testing.T) {
	var many strings.Builder
	for i := 0; many.Len() < 256<<10; i++ {
		many.WriteString("u" + strconv.Itoa(i) + "@example.com [EMAIL_" + strconv.Itoa(i) + "] ")
	}
	inputs := map[string]string{"distinct e-mails and literals": many.String()}
	for _, piece := range []string{
		"sk-", "xkeysib-", "sk-a", "a@", "a.a@", "@a.", "a@b.", "a@b.co ", "1 ", "1-", "1.", "(1)", "+1 ", "+(",
		"0", "4", "1 2", "DE89 ", "DE89", "AB12 ", "[", "[EMAIL_", "[EMAIL_1]", "[SECRETS", "-", "a",
	} {
		inputs[strings.TrimSpace(piece)+" repeated"] = strings.Repeat(piece, (256<<10)/len(piece))
	}
	inputs["sk- and a long body"] = "sk-" + strings.Repeat("a", 256<<10)
	inputs["a long local part"] = strings.Repeat("a", 256<<10) + "@example.com"

	r := redact.New()
	for name, in := range inputs {
		start := time.Now()
		out, s := r.Redact(in)
		if got := s.Restore(out); got != in {
			t.Errorf("%s: round trip failed", name)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: %v for %d bytes", name, d, len(in))
		}
	}
}
