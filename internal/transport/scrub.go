package transport

import (
	"bytes"
	"strings"
)

// Redacted replaces a secret in text quoted from a reply.
const Redacted = "[REDACTED]"

// minSecret is the shortest value a Scrubber removes: replacing every "x"
// of a test key "x" would garble messages without protecting anything.
const minSecret = 8

// A Scrubber removes the client's own secrets from text it quotes from a
// reply: an error page of a debugging proxy or a gateway that echoes the
// request headers must not carry the API key into an error or a log line.
// The zero value and nil remove nothing. The secrets are held in a closure,
// so that no reflection-based printer of a client can show them.
type Scrubber struct {
	secrets func() [][]byte
}

// NewScrubber returns a Scrubber for the given secrets; values shorter than
// eight bytes are ignored.
func NewScrubber(secrets ...string) *Scrubber {
	var kept [][]byte
	for _, v := range secrets {
		if len(v) >= minSecret {
			kept = append(kept, []byte(v))
		}
	}
	return &Scrubber{secrets: func() [][]byte { return kept }}
}

// Bytes returns b with every secret replaced by [REDACTED]. It returns b
// itself when it holds none, so the common case costs a search and nothing
// else.
func (s *Scrubber) Bytes(b []byte) []byte {
	if s == nil || s.secrets == nil {
		return b
	}
	for _, sec := range s.secrets() {
		if bytes.Contains(b, sec) {
			b = bytes.ReplaceAll(b, sec, []byte(Redacted))
		}
	}
	return b
}

// String is Bytes for a string.
func (s *Scrubber) String(v string) string {
	if s == nil || s.secrets == nil {
		return v
	}
	for _, sec := range s.secrets() {
		if strings.Contains(v, string(sec)) {
			v = strings.ReplaceAll(v, string(sec), Redacted)
		}
	}
	return v
}
