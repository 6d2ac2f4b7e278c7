package tokens

import (
	"strings"
	"testing"
)

func TestEstimateRequest(t *testing.T) {
	msgs := []Message{
		{Role: "system", Content: "You are terse."}, // 14 characters
		{Role: "user", Content: "Résumé tips? 日本語"}, // 16 characters, 25 bytes
	}
	const chars = 14 + 16
	for _, tc := range []struct {
		name      string
		model     string
		msgs      []Message
		maxOutput int
		n         int
		want      Estimate
	}{
		{"explicit max", "gpt-4o-mini", msgs, 500, 1,
			Estimate{PromptEstimate: (chars + 3) / 4, MaxOutput: 500, N: 1, Admission: (chars+3)/4 + 500, Encoding: O200kBase}},
		{"n choices", "gpt-4o", msgs, 100, 3,
			Estimate{PromptEstimate: 8, MaxOutput: 100, N: 3, Admission: 8 + 300, Encoding: O200kBase}},
		{"model ceiling", "gpt-4.1-mini", msgs, 0, 1,
			Estimate{PromptEstimate: 8, MaxOutput: 32768, N: 1, Admission: 8 + 32768, Encoding: O200kBase}},
		{"reasoning model ceiling", "o4-mini-2025-04-16", msgs, 0, 2,
			Estimate{PromptEstimate: 8, MaxOutput: 100000, N: 2, Admission: 8 + 200000, Encoding: O200kBase}},
		{"gpt-4 ceiling", "gpt-4", msgs, -7, 0,
			Estimate{PromptEstimate: 8, MaxOutput: 8192, N: 1, Admission: 8 + 8192, Encoding: Cl100kBase}},
		{"unknown model", "mystery", msgs, 0, 1,
			Estimate{PromptEstimate: 8, MaxOutput: DefaultMaxOutput, N: 1, Admission: 8 + DefaultMaxOutput, Encoding: O200kBase}},
		{"empty", "gpt-4o", nil, 10, 1,
			Estimate{PromptEstimate: 0, MaxOutput: 10, N: 1, Admission: 10, Encoding: O200kBase}},
		{"rounds up", "gpt-4o", []Message{{Role: "user", Content: "abcde"}}, 1, 1,
			Estimate{PromptEstimate: 2, MaxOutput: 1, N: 1, Admission: 3, Encoding: O200kBase}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := EstimateRequest(tc.model, tc.msgs, tc.maxOutput, tc.n)
			enc := mustGet(t, tc.want.Encoding)
			tc.want.PromptTokens = enc.CountMessages(tc.msgs)
			if got != tc.want {
				t.Errorf("EstimateRequest = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestEstimateRequestCharsNotTokens(t *testing.T) {
	// The limiter's estimate counts characters, not tokens: close for
	// English, far below the real count for Chinese.
	english := []Message{{Role: "user", Content: strings.Repeat(" the", 1000)}}
	est := EstimateRequest("gpt-4o", english, 1, 1)
	if est.PromptEstimate != 1000 || est.PromptTokens != 1000+3+3+1 {
		t.Errorf("English: PromptEstimate = %d (want 1000), PromptTokens = %d (want 1007)", est.PromptEstimate, est.PromptTokens)
	}
	chinese := []Message{{Role: "user", Content: strings.Repeat("\u6211\u4eec\u7684\u65b0\u4ea7\u54c1\u4eca\u5929\u4e0a\u5e02", 100)}}
	est = EstimateRequest("gpt-4o", chinese, 1, 1)
	if est.PromptEstimate != 250 || est.PromptTokens < 2*est.PromptEstimate {
		t.Errorf("Chinese: PromptEstimate = %d (want 250), PromptTokens = %d (want more than twice that)", est.PromptEstimate, est.PromptTokens)
	}
	t.Logf("1000 Chinese characters: limiter estimate %d, tokens %d", est.PromptEstimate, est.PromptTokens)
}

func TestMaxOutputTokens(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  int
		ok    bool
	}{
		{"gpt-4o", 16384, true},
		{"gpt-4o-2024-05-13", 4096, true},
		{"gpt-4o-mini", 16384, true},
		{"gpt-5", 128000, true},
		{"gpt-5-chat-latest", 16384, true},
		{"o1-mini", 65536, true},
		{"gpt-4-turbo", 4096, true},
		{"gpt-3.5-turbo-0125", 4096, true},
		{"text-embedding-3-small", 0, true},
		{"ft:gpt-4.1-nano:org::id", 32768, true},
		{"mystery", DefaultMaxOutput, false},
	} {
		if got, ok := MaxOutputTokens(tc.model); got != tc.want || ok != tc.ok {
			t.Errorf("MaxOutputTokens(%q) = %d, %v; want %d, %v", tc.model, got, ok, tc.want, tc.ok)
		}
	}
}
