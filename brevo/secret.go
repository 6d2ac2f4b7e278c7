package brevo

import "fmt"

// secret holds an API key. Every fmt verb prints a redaction, so a key cannot
// leak through %v, %+v, %#v or %s of a struct that contains it.
type secret string

const redacted = "[REDACTED]"

func (secret) String() string   { return redacted }
func (secret) GoString() string { return redacted }

// Format implements fmt.Formatter so that every verb, including %x and %q,
// prints the redaction.
func (secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalText keeps the key out of any encoding of a struct that holds it.
func (secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
