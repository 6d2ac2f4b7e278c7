package bench

import (
	"net/http"
	"testing"

	"github.com/reachkit/reachkit/ratelimit"
)

// Parsing the rate-limit headers of a reply allocates nothing, whether the
// headers are there or not.
func TestHeaderParsingAllocs(t *testing.T) {
	for name, h := range map[string]http.Header{
		"absent":  {"Content-Type": {"application/json"}, "X-Request-Id": {"req_1"}},
		"present": ChatReply().Header,
		"empty":   nil,
	} {
		var snap ratelimit.Snapshot
		allocs := testing.AllocsPerRun(100, func() { snap = ratelimit.ParseOpenAIHeaders(h) })
		if allocs != 0 {
			t.Errorf("%s: %.0f allocations", name, allocs)
		}
		if name == "present" && (!snap.Tokens.RemainingKnown || snap.Requests.Reset == 0) {
			t.Errorf("present: not parsed: %+v", snap)
		}
	}
}
