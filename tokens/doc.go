// Package tokens counts, truncates and prices tokens for OpenAI models,
// offline.
//
// An Encoding is a tokenizer with the vocabulary of one of OpenAI's
// encodings: o200k_base (gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the o-series)
// or cl100k_base (gpt-4, gpt-3.5-turbo and the embedding models). ForModel
// picks the encoding of a model id; Get returns one by name:
//
//	enc, err := tokens.ForModel("gpt-4o-mini")
//	n := enc.Count(text)
//	short := enc.Truncate(text, 500)
//
// The vocabularies are embedded in the binary (from
// github.com/pkoukk/tiktoken-go-loader, the data github.com/pkoukk/tiktoken-go
// uses), so counting never touches the network or the file system. Each
// encoding is built on first use, which takes some tens of milliseconds and
// keeps about 11 MB (o200k_base) or 6 MB (cl100k_base) of memory, and is then
// shared by all goroutines. Counts and token ids equal those of OpenAI's
// reference tokenizer; the tests hold them to vectors produced with it.
// Counting valid UTF-8 does not allocate.
//
// Beyond single texts the package offers:
//
//   - CountMessages: the prompt tokens of chat messages, with the per-message
//     overhead OpenAI documents; CountTools: an estimate of what function
//     definitions add.
//   - FitMessages: drop the oldest conversation turns until the messages fit
//     a token budget, keeping system and developer messages.
//   - Cost and Prices: the US dollar cost of a response's usage from a price
//     table that callers can extend without a new release.
//   - EstimateRequest: what a request costs against the tokens-per-minute
//     rate limit when the service admits it, which is not its token count.
//
// Everything in the package is safe for concurrent use.
package tokens
