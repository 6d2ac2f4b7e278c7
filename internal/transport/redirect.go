package transport

import (
	"net/http"
	"strings"
)

// GuardRedirects makes hc stop at a redirect instead of following it, so
// that the caller gets the 3xx reply (with its Location) as an error. net/http
// drops Authorization when a redirect leaves the host, but keeps every other
// header (Brevo's api-key, OpenAI-Organization, OpenAI-Project) and, on a 307
// or 308, the request body: a redirect from a misconfigured gateway would
// carry them anywhere, over plain http too.
//
// When hc already has a CheckRedirect of its own, it keeps deciding for
// redirects on the same host and scheme; a redirect to another host, or from
// https to http, is never followed.
func GuardRedirects(hc *http.Client) {
	user := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if user == nil || len(via) == 0 {
			return http.ErrUseLastResponse
		}
		first := via[0].URL
		if !strings.EqualFold(req.URL.Host, first.Host) || (first.Scheme == "https" && req.URL.Scheme != "https") {
			return http.ErrUseLastResponse
		}
		return user(req, via)
	}
}
