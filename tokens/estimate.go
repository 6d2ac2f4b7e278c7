package tokens

import "unicode/utf8"

// DefaultMaxOutput is the output ceiling EstimateRequest assumes for a model
// missing from its table when the request sets no maximum: the most common
// ceiling among current chat models. Set the request's maximum output tokens
// to get an exact admission estimate.
const DefaultMaxOutput = 16384

// maxOutputFamilies is the immutable table of maximum output tokens per
// model family (the model's ceiling for max_completion_tokens).
var maxOutputFamilies = []family[int]{
	{prefix: "gpt-5", value: 128000, minor: true},
	{prefix: "gpt-5-chat", value: 16384},
	{prefix: "gpt-4.1", value: 32768},
	{prefix: "gpt-4.5", value: 16384},
	{prefix: "gpt-4o", value: 16384},
	{prefix: "gpt-4o-2024-05-13", value: 4096},
	{prefix: "gpt-4o-realtime", value: 4096},
	{prefix: "gpt-4o-mini-realtime", value: 4096},
	{prefix: "chatgpt-4o", value: 16384},
	{prefix: "o1", value: 100000},
	{prefix: "o1-mini", value: 65536},
	{prefix: "o1-preview", value: 32768},
	{prefix: "o3", value: 100000},
	{prefix: "o4", value: 100000},
	{prefix: "codex-mini", value: 100000},
	{prefix: "gpt-4", value: 8192},
	{prefix: "gpt-4-turbo", value: 4096},
	{prefix: "gpt-4-1106", value: 4096},
	{prefix: "gpt-4-0125", value: 4096},
	{prefix: "gpt-3.5-turbo", value: 4096},
	{prefix: "gpt-35-turbo", value: 4096},
	{prefix: "text-embedding-3-small", value: 0},
	{prefix: "text-embedding-3-large", value: 0},
	{prefix: "text-embedding-ada-002", value: 0},
}

// MaxOutputTokens returns the most output tokens model can generate in one
// choice, and whether the model is in the table. For a model that is not,
// it returns DefaultMaxOutput and false.
func MaxOutputTokens(model string) (int, bool) {
	if n, ok := lookupFamily(maxOutputFamilies, baseModel(model)); ok {
		return n, true
	}
	return DefaultMaxOutput, false
}

// Estimate is the token cost of a request, as OpenAI's rate limiter sees it
// and as the tokenizer counts it.
type Estimate struct {
	// Admission is what the rate limiter deducts from the tokens-per-minute
	// budget when it admits the request: PromptEstimate + N × MaxOutput.
	// A throttle that wants to avoid 429s must be able to pay this much.
	Admission int
	// PromptEstimate is the limiter's prompt estimate: the characters of
	// all message contents divided by 4, rounded up.
	PromptEstimate int
	// MaxOutput is the output ceiling per choice: the request's maximum, or
	// the model's when the request sets none.
	MaxOutput int
	// N is the number of choices requested.
	N int
	// PromptTokens is the exact prompt size by the tokenizer, as
	// CountMessages computes it; what usage.prompt_tokens will report.
	PromptTokens int
	// Encoding is the encoding PromptTokens was counted with. For a model
	// ForModel does not know it is o200k_base and PromptTokens an
	// approximation.
	Encoding string
}

// EstimateRequest estimates what a chat request costs against the
// tokens-per-minute rate limit. OpenAI's limiter does not tokenize: it
// admits a request by charging about one token per 4 characters of the
// message contents plus the most the request may generate, n × its maximum
// output tokens, and settles with the real usage later. maxOutput is the
// request's max_completion_tokens (or max_tokens); 0 means unset and takes
// the model's ceiling (DefaultMaxOutput for a model not in the table); a
// negative value counts as 0. n below 1 counts as 1, the API's default.
//
// The exact tokenizer count of the prompt is returned alongside in
// PromptTokens; it costs one pass over the text.
func EstimateRequest(model string, msgs []Message, maxOutput int, n int) Estimate {
	n = max(n, 1)
	if maxOutput <= 0 {
		maxOutput, _ = MaxOutputTokens(model)
	}
	chars := 0
	for _, m := range msgs {
		chars += utf8.RuneCountInString(m.Content)
	}
	est := Estimate{
		PromptEstimate: (chars + 3) / 4,
		MaxOutput:      maxOutput,
		N:              n,
	}
	est.Admission = est.PromptEstimate + n*maxOutput
	enc, err := ForModel(model, WithFallback(O200kBase))
	if err == nil {
		est.PromptTokens = enc.CountMessages(msgs)
		est.Encoding = enc.Name()
	}
	return est
}
