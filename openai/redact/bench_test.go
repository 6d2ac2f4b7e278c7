package redact_test

import (
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai/redact"
)

// promptClean is about 1 KB of a typical marketing prompt without PII.
var promptClean = strings.TrimSpace(`
You are the copywriter for Trailhead Outfitters, an outdoor gear shop with 42 stores. Write a friendly
follow-up e-mail for customers who bought running shoes during the Spring Sale (March 1 to March 31, 2026).
Thank them for their order, remind them that the 30-day return window is still open, and suggest two
related products: the Ridgeline hydration vest ($89.00) and merino running socks (3-pack, $24.99).
Keep the tone warm and energetic, but not pushy. Use short paragraphs, at most 150 words, and one clear
call to action: "Shop the trail collection". Mention the loyalty program: members earn 2 points per
dollar and get free shipping on orders over $50. Sign off as "The Trailhead Team". Do not invent
discounts that are not listed here. Subject line ideas: three options, each under 50 characters, no
emojis. Our brand voice is practical, upbeat and outdoorsy; avoid jargon such as "synergy" or
"best-in-class". Write in American English. Order reference for the template preview: #4471-2026. Thanks!`)

// promptPII is the same prompt with an e-mail address and a phone number in
// place of two clauses of about the same length.
var promptPII = strings.Replace(strings.Replace(promptClean,
	`Sign off as "The Trailhead Team".`, `Sign off as jane.doe@example.com!!`, 1),
	`Order reference for the template preview: #4471-2026.`, `Questions go to our hotline at (415) 555-0132 (US).`, 1)

func BenchmarkRedact(b *testing.B) {
	if len(promptClean) < 1000 || len(promptPII) < 1000 || len(promptClean) > 1100 || len(promptPII) > 1100 {
		b.Fatalf("prompts are %d and %d bytes", len(promptClean), len(promptPII))
	}
	r := redact.New()
	for _, c := range []struct{ name, text string }{{"clean", promptClean}, {"2pii", promptPII}} {
		// One session for many texts of a request: what the hot path costs.
		b.Run("session/"+c.name, func(b *testing.B) {
			s := r.NewSession()
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			for b.Loop() {
				s.Redact(c.text)
			}
		})
		// A new session for each text: the first text of a request.
		b.Run("new/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			for b.Loop() {
				r.Redact(c.text)
			}
		})
	}
}

func BenchmarkRestore(b *testing.B) {
	out, s := redact.New().Redact(promptPII)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		s.Restore(out)
	}
}
