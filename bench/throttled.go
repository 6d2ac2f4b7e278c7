package bench

import (
	oaioption "github.com/openai/openai-go/v3/option"

	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/ratelimit"
)

// ThrottledChat is the ChatNew call as each SDK makes it against a
// rate-limited service, each with its own way of handling 429s:
//
//   - reachkit: the Throttle middleware with a Limiter that learns the
//     limits from the replies' headers, inside Retry with up to 4 retries;
//   - openai-go: its default, reactive retries (2, honouring retry-after-ms
//     and Retry-After);
//   - go-openai: no retries; a 429 is an error returned to the caller.
//
// The returned operation is safe for concurrent use: every worker of the
// workload shares one client, as a service would.
func ThrottledChat(sdk string, t Target) (Op, error) {
	var co clientOptions
	switch sdk {
	case Reachkit:
		lim := ratelimit.NewLimiter(ratelimit.LimiterConfig{})
		co.reachkit = []openai.Option{
			openai.WithMiddleware(ratelimit.Throttle(lim)),
			openai.WithRetry(ratelimit.RetryPolicy{MaxRetries: 4}),
		}
	case OpenAIGo:
		co.openaiGo = []oaioption.RequestOption{oaioption.WithMaxRetries(2)} // its default
	}
	return chatNew(sdk, t, co)
}
