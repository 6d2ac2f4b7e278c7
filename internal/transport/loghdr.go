package transport

import (
	"log/slog"
	"net/http"
	"sort"
	"strings"
)

// SensitiveHeader reports the headers whose values a log must not show:
// credentials (Authorization, Proxy-Authorization, Api-Key, X-Api-Key),
// cookies, and the OpenAI-* headers, which name the organization and project
// a key belongs to.
func SensitiveHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization", "Api-Key", "X-Api-Key", "Cookie", "Set-Cookie":
		return true
	}
	return len(name) > len("openai-") && strings.EqualFold(name[:len("openai-")], "openai-")
}

// HeaderAttr renders h as a log group named key, one attribute per header in
// sorted order, with the values of sensitive headers replaced by
// [REDACTED].
func HeaderAttr(key string, h http.Header) slog.Attr {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	attrs := make([]any, 0, len(names))
	for _, k := range names {
		v := strings.Join(h[k], ", ")
		if SensitiveHeader(k) {
			v = Redacted
		}
		attrs = append(attrs, slog.String(k, v))
	}
	return slog.Group(key, attrs...)
}
