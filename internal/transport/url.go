package transport

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// JoinURL joins a base URL and a path with exactly one slash between them,
// whatever slashes either side has.
func JoinURL(base, path string) string {
	base = strings.TrimRight(base, "/")
	path = strings.TrimLeft(path, "/")
	if path == "" {
		return base
	}
	return base + "/" + path
}

// ParseBaseURL validates a base URL: it must be absolute with an http or
// https scheme and a host, and carry no query or fragment. The result has no
// trailing slash. Plain http to a host that is not loopback is refused unless
// allowInsecure is set, because the API key would cross the network in clear
// text; optName names the option that allows it, for the error message.
func ParseBaseURL(raw string, allowInsecure bool, optName string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("invalid base URL %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("invalid base URL %q: scheme must be http or https", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("invalid base URL %q: missing host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("invalid base URL %q: must not have a query or fragment", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("invalid base URL: must not carry user information")
	}
	if u.Scheme == "http" && !allowInsecure && !IsLoopback(u.Hostname()) {
		return "", fmt.Errorf("refusing to send the API key over plain http to %q: use https, or pass %s to allow it", u.Host, optName)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// IsLoopback reports whether host names this machine: localhost, a
// *.localhost name, or a loopback IP address.
func IsLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
