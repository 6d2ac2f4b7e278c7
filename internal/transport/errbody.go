package transport

import (
	"bytes"
	"errors"
	"net/http"
)

// MaxErrorBody bounds how much of an error reply is read.
const MaxErrorBody = 1 << 20

// ReadErrorBody reads a non-2xx reply's body, at most limit bytes and never
// more than MaxErrorBody, closes it, and returns it trimmed with the
// client's secrets scrubbed. The caller must PutBuffer buf once done with
// body.
func ReadErrorBody(resp *http.Response, limit int64, scrub *Scrubber) (body []byte, buf *bytes.Buffer, err error) {
	defer resp.Body.Close()
	if limit <= 0 || limit > MaxErrorBody {
		limit = MaxErrorBody
	}
	buf, err = ReadBody(resp, limit)
	return scrub.Bytes(bytes.TrimSpace(buf.Bytes())), buf, err
}

// UnreadableError explains an error reply whose body is not the API's error
// model: the message a person reads (the status text, where a redirect
// pointed, the first bytes of the body) and the *DecodeError behind it.
// readErr is what reading the body returned; notModel says what the body is
// not ("not an OpenAI error envelope").
func UnreadableError(resp *http.Response, requestIDHeader string, body []byte, readErr error, notModel string, scrub *Scrubber) (string, *DecodeError) {
	err := readErr
	if err == nil && len(body) == 0 {
		err = ErrEmptyBody
	} else if err == nil {
		err = errors.New(notModel)
	}
	msg := http.StatusText(resp.StatusCode)
	if msg == "" {
		msg = "non-standard status"
	}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// The clients do not follow redirects (GuardRedirects).
		msg += " to " + Snippet(scrub.Bytes([]byte(loc)), 200) + ", not followed"
	}
	if s := Snippet(body, 120); s != "" {
		msg += ": " + s
	} else {
		msg += " (empty body)"
	}
	return msg, NewDecodeError(resp, requestIDHeader, body, err)
}
