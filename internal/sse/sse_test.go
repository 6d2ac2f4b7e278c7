package sse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// ev is a decoded event with its data copied, for comparisons.
type ev struct {
	Type, ID, Data string
}

// decodeAll decodes every event of r.
func decodeAll(r io.Reader, opts ...Option) ([]ev, error) {
	d := NewDecoder(r, opts...)
	var out []ev
	for d.Next() {
		e := d.Event()
		out = append(out, ev{e.Type, e.ID, string(e.Data)})
	}
	if d.Next() {
		return out, errors.New("Next returned true after returning false")
	}
	return out, d.Err()
}

// readers returns the ways the tests feed an input to the decoder: whole,
// one byte at a time, in halves, with the final data and io.EOF together,
// and in chunks of 2 and 3 bytes.
func readers(s string) map[string]io.Reader {
	return map[string]io.Reader{
		"whole":     strings.NewReader(s),
		"one-byte":  iotest.OneByteReader(strings.NewReader(s)),
		"half":      iotest.HalfReader(strings.NewReader(s)),
		"data-err":  iotest.DataErrReader(strings.NewReader(s)),
		"one-byte+": iotest.DataErrReader(iotest.OneByteReader(strings.NewReader(s))),
		"chunk-2":   &chunkReader{s: s, n: 2},
		"chunk-3":   &chunkReader{s: s, n: 3},
	}
}

// chunkReader returns s n bytes per Read.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := min(c.n, len(p), len(c.s))
	copy(p, c.s[:k])
	c.s = c.s[k:]
	return k, nil
}

func TestDecoder(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []ev
	}{
		{"empty input", "", nil},
		{"only blank lines", "\n\n\r\n\r\r", nil},
		{"single event", "data: hello\n\n", []ev{{Data: "hello"}}},
		{"two events", "data: a\n\ndata: b\n\n", []ev{{Data: "a"}, {Data: "b"}}},
		{"leading blank lines", "\n\n\ndata: a\n\n", []ev{{Data: "a"}}},
		{"multi-line data", "data: a\ndata: b\ndata: c\n\n", []ev{{Data: "a\nb\nc"}}},
		{"multi-line data with empty lines", "data\ndata: x\ndata:\n\n", []ev{{Data: "\nx\n"}}},
		{"CRLF", "data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n", []ev{{Data: "a\nb"}, {Data: "c"}}},
		{"lone CR", "data: a\rdata: b\r\rdata: c\r\r", []ev{{Data: "a\nb"}, {Data: "c"}}},
		{"mixed line endings", "data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\n\n", []ev{{Data: "a\nb\nc"}, {Data: "d"}}},
		{"CR CR is two line endings", "data: a\r\rdata: b\n\n", []ev{{Data: "a"}, {Data: "b"}}},
		{"LF CR is two line endings", "data: a\n\rdata: b\n\n", []ev{{Data: "a"}, {Data: "b"}}},
		{"comment ignored", ": keep-alive\ndata: a\n: another\n\n", []ev{{Data: "a"}}},
		{"comment-only event not dispatched", ": ping\n\n:\n\ndata: a\n\n", []ev{{Data: "a"}}},
		{"event type", "event: response.created\ndata: {}\n\n", []ev{{Type: "response.created", Data: "{}"}}},
		{"last event field wins", "event: a\nevent: b\ndata: x\n\n", []ev{{Type: "b", Data: "x"}}},
		{"event type reset after dispatch", "event: a\ndata: 1\n\ndata: 2\n\n", []ev{{Type: "a", Data: "1"}, {Data: "2"}}},
		{"event type of undispatched event dropped", "event: a\n\ndata: 2\n\n", []ev{{Data: "2"}}},
		{"event field after data", "data: 1\nevent: late\n\n", []ev{{Type: "late", Data: "1"}}},
		{"id", "id: 7\ndata: a\n\n", []ev{{ID: "7", Data: "a"}}},
		{"id carries over", "id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n", []ev{{ID: "7", Data: "a"}, {ID: "7", Data: "b"}, {ID: "8", Data: "c"}}},
		{"empty id resets", "id: 7\ndata: a\n\nid\ndata: b\n\n", []ev{{ID: "7", Data: "a"}, {Data: "b"}}},
		{"id set by undispatched event", "id: 9\n\ndata: a\n\n", []ev{{ID: "9", Data: "a"}}},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []ev{{ID: "1", Data: "a"}, {ID: "1", Data: "b"}}},
		{"BOM stripped", "\xEF\xBB\xBFdata: a\n\n", []ev{{Data: "a"}}},
		{"BOM alone on first line", "\xEF\xBB\xBF\ndata: a\n\n", []ev{{Data: "a"}}},
		{"only the first BOM", "\xEF\xBB\xBFdata: a\n\n\xEF\xBB\xBFdata: b\n\ndata: c\n\n", []ev{{Data: "a"}, {Data: "c"}}},
		{"BOM inside data kept", "data: \xEF\xBB\xBFa\n\n", []ev{{Data: "\xEF\xBB\xBFa"}}},
		{"no space after colon", "data:a\nevent:t\nid:i\n\n", []ev{{Type: "t", ID: "i", Data: "a"}}},
		{"only one space stripped", "data:  a \n\n", []ev{{Data: " a "}}},
		{"tab not stripped", "data:\ta\n\n", []ev{{Data: "\ta"}}},
		{"colon in value", "data: {\"a\":\"b:c\"}\n\n", []ev{{Data: `{"a":"b:c"}`}}},
		{"empty data dispatched", "data:\n\n", []ev{{Data: ""}}},
		{"empty data with space", "data: \n\n", []ev{{Data: ""}}},
		{"field without colon is empty value", "data\n\n", []ev{{Data: ""}}},
		{"two fields without colon", "data\ndata\n\n", []ev{{Data: "\n"}}},
		{"event without colon clears type", "event: a\nevent\ndata: x\n\n", []ev{{Data: "x"}}},
		{"no data not dispatched", "event: a\nid: 1\n\n", nil},
		{"unknown fields ignored", "foo: bar\ndata: a\nDATA: b\n data: c\nData: d\n\n", []ev{{Data: "a"}}},
		{"retry ignored", "retry: 1000\ndata: a\nretry: x\n\n", []ev{{Data: "a"}}},
		{"EOF without trailing blank line", "data: a\n\ndata: b\n", []ev{{Data: "a"}, {Data: "b"}}},
		{"EOF without any line ending", "data: a\n\ndata: [DONE]", []ev{{Data: "a"}, {Data: "[DONE]"}}},
		{"EOF after CR", "data: a\r", []ev{{Data: "a"}}},
		{"EOF in multi-line event", "event: t\ndata: a\ndata: b", []ev{{Type: "t", Data: "a\nb"}}},
		{"EOF in event without data", "data: a\n\nevent: t\nid: 3", []ev{{Data: "a"}}},
		{"EOF in comment", "data: a\n\n: trailing", []ev{{Data: "a"}}},
		{"DONE", "data: {}\n\ndata: [DONE]\n\n", []ev{{Data: "{}"}, {Data: "[DONE]"}}},
		{"UTF-8 data", "data: température °C 🌡\n\n", []ev{{Data: "température °C 🌡"}}},
		{"NUL in data kept", "data: a\x00b\n\n", []ev{{Data: "a\x00b"}}},
	}
	for _, tt := range tests {
		for rname, r := range readers(tt.in) {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				got, err := decodeAll(r)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			})
		}
	}
}

func TestIsDone(t *testing.T) {
	for data, want := range map[string]bool{
		"[DONE]":         true,
		"[DONE] ":        false,
		" [DONE]":        false,
		"[done]":         false,
		"[DONE]\n[DONE]": false,
		"":               false,
		`{"done":true}`:  false,
	} {
		assert.Equal(t, want, Event{Data: []byte(data)}.IsDone(), "%q", data)
	}
	assert.False(t, Event{}.IsDone())
}

func TestDataValidUntilNext(t *testing.T) {
	// Data aliases the decoder's buffers, and Event keeps returning the
	// same event until Next is called again.
	d := NewDecoder(strings.NewReader("data: first\n\ndata: second\ndata: part\n\n"))
	require.True(t, d.Next())
	first := d.Event()
	assert.Equal(t, "first", string(first.Data))
	assert.Equal(t, first, d.Event())
	require.True(t, d.Next())
	assert.Equal(t, "second\npart", string(d.Event().Data))
	assert.False(t, d.Next())
	assert.Equal(t, Event{}, d.Event())
	assert.NoError(t, d.Err())
}

func TestDataCapacityClipped(t *testing.T) {
	// Appending to Data must not write into the decoder's buffer.
	d := NewDecoder(strings.NewReader("data: ab\n\ndata: cd\n\n"))
	require.True(t, d.Next())
	data := d.Event().Data
	assert.Equal(t, len(data), cap(data))
	_ = append(data, 'X')
	require.True(t, d.Next())
	assert.Equal(t, "cd", string(d.Event().Data))
}

func TestMaxEventSize(t *testing.T) {
	const limit = 16
	exact := strings.Repeat("x", limit)
	tests := []struct {
		name    string
		in      string
		want    []ev
		tooLong bool
	}{
		{"exactly at the limit", "data: " + exact + "\n\n", []ev{{Data: exact}}, false},
		{"exactly at the limit without space", "data:" + exact + "\n\n", []ev{{Data: exact}}, false},
		{"exactly at the limit at EOF", "data: " + exact, []ev{{Data: exact}}, false},
		{"multi-line exactly at the limit", "data: 1234567\ndata: 12345678\n\n", []ev{{Data: "1234567\n12345678"}}, false},
		{"one byte over", "data: a\n\ndata: " + exact + "x\n\ndata: b\n\n", []ev{{Data: "a"}}, true},
		{"one byte over at EOF", "data: " + exact + "x", nil, true},
		{"multi-line over", "data: 12345678\ndata: 12345678\n\n", nil, true},
		{"many small lines over", strings.Repeat("data: \n", limit+2) + "\n", nil, true},
		{"huge line", "data: a\n\ndata: " + strings.Repeat("y", 1<<20) + "\n\n", []ev{{Data: "a"}}, true},
		{"huge comment", ": " + strings.Repeat("c", 1<<20) + "\ndata: a\n\n", nil, true},
		{"huge comment after data", "data: " + exact + "\n: " + strings.Repeat("c", lineSlack) + "\n\n", nil, true},
		{"limit is per event", strings.Repeat("data: "+exact+"\n\n", 3), []ev{{Data: exact}, {Data: exact}, {Data: exact}}, false},
		{"field lines longer than the limit", "event: " + strings.Repeat("t", 100) + "\nid: " + strings.Repeat("i", 100) + "\ndata: a\n\n", []ev{{Type: strings.Repeat("t", 100), ID: strings.Repeat("i", 100), Data: "a"}}, false},
		{"event value at its limit", "event: " + strings.Repeat("t", maxFieldValue) + "\ndata: a\n\n", []ev{{Type: strings.Repeat("t", maxFieldValue), Data: "a"}}, false},
		{"event value over its limit", "data: a\n\nevent: " + strings.Repeat("t", maxFieldValue+1) + "\ndata: a\n\n", []ev{{Data: "a"}}, true},
		{"id value over its limit", "data: a\n\nid: " + strings.Repeat("i", maxFieldValue+1) + "\ndata: a\n\n", []ev{{Data: "a"}}, true},
		{"comment longer than the limit", ": " + strings.Repeat("c", 1000) + "\ndata: a\n\n", []ev{{Data: "a"}}, false},
	}
	for _, tt := range tests {
		for rname, r := range readers(tt.in) {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				got, err := decodeAll(r, WithMaxEventSize(limit))
				assert.Equal(t, tt.want, got)
				if !tt.tooLong {
					require.NoError(t, err)
					return
				}
				var tooLarge *EventTooLargeError
				require.ErrorAs(t, err, &tooLarge)
				assert.Equal(t, limit, tooLarge.Limit)
				assert.Equal(t, "sse: event larger than the limit of 16 bytes", err.Error())
			})
		}
	}
}

func TestMaxEventSizeDefault(t *testing.T) {
	for _, n := range []int{0, -1} {
		d := NewDecoder(strings.NewReader(""), WithMaxEventSize(n))
		assert.Equal(t, DefaultMaxEventSize, d.max)
	}
	assert.Equal(t, DefaultMaxEventSize, NewDecoder(strings.NewReader("")).max)
}

// endless is a reader producing prefix then an endless run of 'a', counting
// the bytes it hands out.
type endless struct {
	prefix string
	n      int
}

func (e *endless) Read(p []byte) (int, error) {
	k := copy(p, e.prefix)
	e.prefix = e.prefix[k:]
	for i := k; i < len(p); i++ {
		p[i] = 'a'
	}
	e.n += len(p)
	return len(p), nil
}

func TestMemoryBoundedOnEndlessLine(t *testing.T) {
	// An event that never ends stops the decoder once the limit is passed,
	// after reading at most the limit plus the field slack and one buffer.
	for _, limit := range []int{1, 100, 64 << 10, 4 << 20} {
		for _, prefix := range []string{"data: ", ": ", "event: ", "data: x\ndata: "} {
			r := &endless{prefix: prefix}
			d := NewDecoder(r, WithMaxEventSize(limit))
			require.False(t, d.Next())
			var tooLarge *EventTooLargeError
			require.ErrorAs(t, d.Err(), &tooLarge)
			assert.LessOrEqual(t, r.n, limit+lineSlack+readSize+len(prefix), "limit %d prefix %q", limit, prefix)
			assert.LessOrEqual(t, len(d.buf), limit+lineSlack+readSize, "limit %d prefix %q", limit, prefix)
		}
	}
}

func TestMemoryBoundedDefaultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 32 MiB")
	}
	r := &endless{prefix: "data: "}
	d := NewDecoder(r)
	require.False(t, d.Next())
	var tooLarge *EventTooLargeError
	require.ErrorAs(t, d.Err(), &tooLarge)
	assert.Equal(t, DefaultMaxEventSize, tooLarge.Limit)
	assert.LessOrEqual(t, r.n, DefaultMaxEventSize+lineSlack+readSize+6)
}

func TestLargeEventThenSmallOnes(t *testing.T) {
	// A large event grows the buffers; they are released afterwards and
	// decoding goes on.
	big := strings.Repeat("b", 3<<20)
	in := "data: " + big + "\n\n" + "data: " + big + "\ndata: " + big + "\n\n" + "data: small\n\n"
	for rname, r := range map[string]io.Reader{
		"whole": strings.NewReader(in),
		"half":  iotest.HalfReader(strings.NewReader(in)),
	} {
		t.Run(rname, func(t *testing.T) {
			d := NewDecoder(r)
			require.True(t, d.Next())
			assert.Equal(t, big, string(d.Event().Data))
			require.True(t, d.Next())
			assert.Equal(t, big+"\n"+big, string(d.Event().Data))
			require.True(t, d.Next())
			assert.Equal(t, "small", string(d.Event().Data))
			assert.LessOrEqual(t, len(d.buf), shrinkAbove)
			assert.LessOrEqual(t, cap(d.data), shrinkAbove)
			assert.False(t, d.Next())
			assert.NoError(t, d.Err())
		})
	}
}

// errAfter returns s, then err on every later read.
type errAfter struct {
	s   string
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if e.s == "" {
		return 0, e.err
	}
	n := copy(p, e.s)
	e.s = e.s[n:]
	return n, nil
}

// dataAndErr returns s together with err in a single read.
type dataAndErr struct {
	s   string
	err error
}

func (e *dataAndErr) Read(p []byte) (int, error) {
	n := copy(p, e.s)
	e.s = e.s[n:]
	if e.s == "" {
		return n, e.err
	}
	return n, nil
}

func TestReadErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		r    io.Reader
		want []ev
		err  error
	}{
		{"error at once", iotest.ErrReader(boom), nil, boom},
		{"cancelled after an event", &errAfter{"data: a\n\ndata: partial\n", context.Canceled}, []ev{{Data: "a"}}, context.Canceled},
		{"deadline after an event", &errAfter{"data: a\n\n", context.DeadlineExceeded}, []ev{{Data: "a"}}, context.DeadlineExceeded},
		{"error with the last data", &dataAndErr{"data: a\n\ndata: b\n\ndata: c", boom}, []ev{{Data: "a"}, {Data: "b"}}, boom},
		{"unexpected EOF", &errAfter{"data: a\n\ndata: b", io.ErrUnexpectedEOF}, []ev{{Data: "a"}}, io.ErrUnexpectedEOF},
		{"timeout after the data", iotest.TimeoutReader(strings.NewReader("data: a\n\ndata: b\n\n")), []ev{{Data: "a"}, {Data: "b"}}, iotest.ErrTimeout},
		{"timeout mid-stream", iotest.TimeoutReader(io.MultiReader(strings.NewReader("data: a\n\ndata: b"), strings.NewReader("\n\n"))), []ev{{Data: "a"}}, iotest.ErrTimeout},
		{"timeout on first read", iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader("data: a\n\n"))), nil, iotest.ErrTimeout},
		{"no progress", &errAfter{"data: a\n\n", nil}, []ev{{Data: "a"}}, io.ErrNoProgress},
		{"wrapped cancel", &errAfter{"", wrapErr{context.Canceled}}, nil, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(tt.r)
			var got []ev
			for d.Next() {
				got = append(got, ev{d.Event().Type, d.Event().ID, string(d.Event().Data)})
			}
			assert.Equal(t, tt.want, got)
			if tt.err == nil {
				assert.NoError(t, d.Err())
				return
			}
			assert.ErrorIs(t, d.Err(), tt.err)
			// Errors stay, and Next stays false.
			assert.False(t, d.Next())
			assert.ErrorIs(t, d.Err(), tt.err)
		})
	}
}

func TestReadErrorUnchanged(t *testing.T) {
	boom := errors.New("boom")
	d := NewDecoder(&errAfter{"data: a\n\n", boom})
	for d.Next() {
	}
	assert.Same(t, boom, d.Err())

	d = NewDecoder(iotest.ErrReader(context.Canceled))
	assert.False(t, d.Next())
	assert.Equal(t, context.Canceled, d.Err())
}

type wrapErr struct{ err error }

func (w wrapErr) Error() string { return "read body: " + w.err.Error() }
func (w wrapErr) Unwrap() error { return w.err }

// badReader claims to have read more than it was given.
type badReader struct{}

func (badReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestInvalidReadCount(t *testing.T) {
	d := NewDecoder(badReader{})
	assert.False(t, d.Next())
	assert.Error(t, d.Err())
}

func TestCRLFSplitAcrossReads(t *testing.T) {
	// The CR of a CRLF at the end of one read and the LF at the start of
	// the next make a single line ending.
	r := io.MultiReader(strings.NewReader("data: a\r"), strings.NewReader("\ndata: b\r"), strings.NewReader("\n\r"), strings.NewReader("\n"))
	got, err := decodeAll(r)
	require.NoError(t, err)
	assert.Equal(t, []ev{{Data: "a\nb"}}, got)
}

func TestLongLinesAcrossBufferBoundaries(t *testing.T) {
	// Lines longer than the read buffer, and events whose lines straddle
	// buffer boundaries, in every position.
	var in bytes.Buffer
	var want []ev
	for i := range 200 {
		n := i * 97
		line := strings.Repeat(string(rune('a'+i%26)), n)
		in.WriteString("event: e" + string(rune('a'+i%26)) + "\r\n")
		in.WriteString("data: " + line + "\ndata: " + line[:n/2] + "\r")
		in.WriteString("\r\n")
		want = append(want, ev{Type: "e" + string(rune('a'+i%26)), Data: line + "\n" + line[:n/2]})
	}
	for rname, r := range readers(in.String()) {
		t.Run(rname, func(t *testing.T) {
			got, err := decodeAll(r)
			require.NoError(t, err)
			require.Equal(t, len(want), len(got))
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("event %d: got type %q, %d bytes of data; want type %q, %d bytes", i, got[i].Type, len(got[i].Data), want[i].Type, len(want[i].Data))
				}
			}
		})
	}
}
