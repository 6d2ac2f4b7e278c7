// Package openai is a typed client for the OpenAI API: chat completions,
// models, and the request pipeline every other resource shares.
//
// A [Client] is built once with [NewClient] and shared; it is safe for
// concurrent use. Each API resource hangs off it as a service:
//
//	c, err := openai.NewClient(openai.WithAPIKey(key))
//	resp, err := c.Chat.New(ctx, openai.ChatRequest{
//		Model:    "gpt-4o-mini",
//		Messages: []openai.ChatMessage{openai.UserMessage("Hello")},
//	})
//
// Every request goes through the same pipeline: the client builds it (auth,
// organization and project headers, JSON body encoded once), records its
// estimated rate-limit cost in the context, then sends it through retry, then
// throttle and user middleware in the order given, then the HTTP client.
// Errors from the API are *[APIError]; bodies that cannot be decoded are
// *[DecodeError].
package openai
