package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// fuzzLimit is the small event limit the fuzz target decodes with, so that
// inputs easily reach it.
const fuzzLimit = 64

// fuzzResult is what decoding an input gave.
type fuzzResult struct {
	events   []ev
	tooLarge bool
	err      error
}

func fuzzDecode(t *testing.T, r io.Reader, limit int) fuzzResult {
	t.Helper()
	d := NewDecoder(r, WithMaxEventSize(limit))
	var res fuzzResult
	for d.Next() {
		e := d.Event()
		if len(e.Data) > limit {
			t.Fatalf("event of %d bytes over the limit of %d", len(e.Data), limit)
		}
		res.events = append(res.events, ev{e.Type, e.ID, string(e.Data)})
	}
	if d.Next() {
		t.Fatal("Next returned true after returning false")
	}
	res.err = d.Err()
	var tooLarge *EventTooLargeError
	if errors.As(res.err, &tooLarge) {
		if tooLarge.Limit != limit {
			t.Fatalf("error limit %d, want %d", tooLarge.Limit, limit)
		}
		res.tooLarge = true
	} else if res.err != nil {
		t.Fatalf("unexpected error %v", res.err)
	}
	return res
}

// encode writes events back in the event-stream format. Every event carries
// its id, since the last event ID carries over between events.
func encode(events []ev) []byte {
	var b bytes.Buffer
	for _, e := range events {
		b.WriteString("id: " + e.ID + "\n")
		if e.Type != "" {
			b.WriteString("event: " + e.Type + "\n")
		}
		for _, line := range strings.Split(e.Data, "\n") {
			b.WriteString("data: " + line + "\n")
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

func sameResult(t *testing.T, what string, got, want fuzzResult) {
	t.Helper()
	if len(got.events) != len(want.events) {
		t.Fatalf("%s: %d events, want %d", what, len(got.events), len(want.events))
	}
	for i := range want.events {
		if got.events[i] != want.events[i] {
			t.Fatalf("%s: event %d is %q, want %q", what, i, got.events[i], want.events[i])
		}
	}
	if got.tooLarge != want.tooLarge {
		t.Fatalf("%s: too large %v, want %v", what, got.tooLarge, want.tooLarge)
	}
}

func FuzzDecoder(f *testing.F) {
	for _, seed := range []string{
		"data: hello\n\n",
		"event: a\r\nid: 1\r\ndata: x\r\ndata: y\r\n\r\n",
		"\xEF\xBB\xBFdata:a\r\rdata\n: c\n\nretry: 5\nfoo\ndata: [DONE]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, limit := range []int{fuzzLimit, DefaultMaxEventSize} {
			whole := fuzzDecode(t, bytes.NewReader(in), limit)
			sameResult(t, "one byte at a time", fuzzDecode(t, iotest.OneByteReader(bytes.NewReader(in)), limit), whole)
			sameResult(t, "halves", fuzzDecode(t, iotest.HalfReader(bytes.NewReader(in)), limit), whole)

			again := fuzzDecode(t, bytes.NewReader(encode(whole.events)), limit)
			if again.tooLarge {
				t.Fatalf("re-encoded events too large: %q", encode(whole.events))
			}
			sameResult(t, "re-encoded", again, fuzzResult{events: whole.events})
		}
	})
}
