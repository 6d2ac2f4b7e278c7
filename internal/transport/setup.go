package transport

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// Secret holds an API key. Every fmt verb and every text encoding prints a
// redaction, so a key cannot leak through %v, %+v, %#v or %s of a struct
// that contains it.
type Secret string

// String returns the redaction.
func (Secret) String() string { return Redacted }

// GoString returns the redaction, for %#v.
func (Secret) GoString() string { return Redacted }

// Format implements fmt.Formatter so that every verb, including %x and %q,
// prints the redaction.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// MarshalText keeps the key out of any encoding of a struct that holds it.
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// Setup is what the NewClient of every client of this module checks and
// builds the same way: the key, the base URL, the limits and the HTTP
// client. One implementation, so that a fix to any of them reaches every
// client.
type Setup struct {
	Name        string // the package, "openai": prefixes errors and names options
	KeyEnv      string // the environment variable read when no key is set
	BaseEnv     string // the environment variable read when no base URL is set
	DefaultBase string

	APIKey        Secret
	APIKeySet     bool
	BaseURL       string
	BaseURLSet    bool
	AllowInsecure bool
	Timeout       time.Duration
	MaxBody       int64
	HTTPClient    *http.Client
}

// Base is a checked Setup.
type Base struct {
	APIKey     string
	BaseURL    string
	HTTP       *http.Client // a copy of the caller's, its transport wrapped
	MaxBody    int64        // DefaultMaxBodySize unless set
	MaxBodySet bool
	Scrub      *Scrubber // removes the key from text quoted from replies
}

// Build checks s and returns the client's base. The HTTP client is a copy of
// s.HTTPClient (or a new one) whose transport is wrap(its transport) and
// which follows no redirect (GuardRedirects). Every error says how to fix
// it.
func (s Setup) Build(wrap func(http.RoundTripper) http.RoundTripper) (*Base, error) {
	key := string(s.APIKey)
	if !s.APIKeySet {
		key = os.Getenv(s.KeyEnv)
	}
	if strings.TrimSpace(key) == "" {
		return nil, fmt.Errorf("%s: no API key: set the %s environment variable or pass %s.WithAPIKey", s.Name, s.KeyEnv, s.Name)
	}
	if strings.ContainsAny(key, "\r\n") {
		return nil, errors.New(s.Name + ": the API key contains a line break; check how it was read")
	}
	raw := s.BaseURL
	if !s.BaseURLSet {
		raw = os.Getenv(s.BaseEnv)
	}
	if raw == "" {
		raw = s.DefaultBase
	}
	base, err := ParseBaseURL(raw, s.AllowInsecure, s.Name+".WithInsecureHTTP()")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	if s.Timeout < 0 {
		return nil, fmt.Errorf("%s: negative timeout %v: use a positive duration, or 0 for none", s.Name, s.Timeout)
	}
	if s.MaxBody < 0 {
		return nil, fmt.Errorf("%s: negative maximum response size %d", s.Name, s.MaxBody)
	}
	b := &Base{APIKey: key, BaseURL: base, MaxBody: s.MaxBody, MaxBodySet: s.MaxBody != 0, Scrub: NewScrubber(key)}
	if b.MaxBody == 0 {
		b.MaxBody = DefaultMaxBodySize
	}
	b.HTTP = &http.Client{}
	if s.HTTPClient != nil {
		copied := *s.HTTPClient
		b.HTTP = &copied
	}
	b.HTTP.Transport = wrap(b.HTTP.Transport)
	GuardRedirects(b.HTTP)
	return b, nil
}

// HeaderSetter returns a function that sets header name to value. A client
// keeps its key this way, inside a closure: reflection-based printers
// (go-spew, go-cmp, %#v of a copied struct) show a function's address,
// never what it captured.
func HeaderSetter(name, value string) func(http.Header) {
	v := []string{value} // shared read-only by every request
	return func(h http.Header) { h[name] = v }
}
