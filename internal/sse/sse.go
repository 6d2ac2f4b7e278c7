// Package sse decodes server-sent events (the text/event-stream format of the
// WHATWG HTML standard) from a response body. Every streaming endpoint of the
// SDK reads its body through one [Decoder]:
//
//	d := sse.NewDecoder(resp.Body)
//	for d.Next() {
//		ev := d.Event()
//		if ev.IsDone() {
//			break
//		}
//		// use ev.Type and ev.Data; ev.Data is only valid until the next call to Next
//	}
//	if err := d.Err(); err != nil {
//		// a read error, unchanged, or an *EventTooLargeError
//	}
//
// The decoder follows the standard's parsing rules: lines end in LF, CRLF or a
// lone CR; a leading UTF-8 byte order mark is skipped; lines starting with a
// colon are comments; "data" lines are joined with "\n"; "event" sets the
// type of the event being built and "id" the last event ID, which carries
// over to later events; "retry" and unknown fields are ignored; a line without
// a colon is a field name with an empty value; one space after the colon is
// dropped; a blank line dispatches the event, unless it has no data line.
//
// One deliberate departure: at the end of the body an event that has at least
// one data line but no closing blank line is still dispatched (the standard
// drops it), because real servers do cut the final blank line, and a last
// line without any line ending counts as a complete line.
//
// The decoder does not interpret payloads; [Event.IsDone] recognizes the
// "[DONE]" sentinel that ends OpenAI chat streams.
//
// Decoding reuses its buffers: after the first few events a stream costs no
// allocation per event. The size of one event is bounded (see
// [WithMaxEventSize]), and so is the memory a decoder holds.
package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxEventSize is the largest event data, in bytes, a [Decoder]
// accepts unless configured otherwise with [WithMaxEventSize]: 32 MiB, room
// for the base64 images some Responses API events carry.
const DefaultMaxEventSize = 32 << 20

const (
	// readSize is the size of the initial read buffer and the most a
	// decoder reads past what it must hold.
	readSize = 8 << 10

	// maxFieldValue is the longest "event" or "id" value accepted.
	maxFieldValue = 4 << 10

	// lineSlack is how much longer than the data limit a line may be: room
	// for a field name, or for an "event" or "id" value.
	lineSlack = maxFieldValue + 16

	// maxEmptyReads is how many reads in a row may return no data and no
	// error before the decoder gives up with io.ErrNoProgress.
	maxEmptyReads = 100

	// Event types are interned so that a stream repeating the same few
	// types allocates each one once; these bound the intern table.
	maxInterned     = 64
	maxInternLength = 128

	// shrinkAbove is the buffer capacity past which a buffer grown for one
	// large event is released once that event is done.
	shrinkAbove = 1 << 20
)

// utf8BOM is the byte order mark skipped at the start of a stream.
const utf8BOM = "\xEF\xBB\xBF"

// Event is one dispatched server-sent event.
type Event struct {
	// Type is the value of the event's last "event" field, or "" when it
	// had none (the standard calls such an event a "message" event).
	Type string

	// ID is the last event ID: the value of the most recent "id" field in
	// the stream so far, in this event or an earlier one.
	ID string

	// Data is the values of the event's "data" lines joined with "\n". It
	// may alias a buffer of the decoder and is valid only until the next
	// call to Next; copy it to keep it longer.
	Data []byte
}

// IsDone reports whether the event's data is exactly "[DONE]", the sentinel
// that ends an OpenAI chat completion stream.
func (e Event) IsDone() bool {
	return string(e.Data) == "[DONE]"
}

// EventTooLargeError is the error a [Decoder] reports when an event's data,
// or a single line, is larger than the decoder's limit (see
// [WithMaxEventSize]).
type EventTooLargeError struct {
	// Limit is the maximum event size, in bytes, that was exceeded.
	Limit int
}

// Error describes the limit that was exceeded.
func (e *EventTooLargeError) Error() string {
	return fmt.Sprintf("sse: event larger than the limit of %d bytes", e.Limit)
}

// Option configures a [Decoder].
type Option func(*Decoder)

// WithMaxEventSize sets the largest event data, in bytes, the decoder
// accepts; n <= 0 means [DefaultMaxEventSize]. The values of the "data"
// lines of one event, joined, may be at most n bytes; together with the line
// being read they may not pass n plus a few KiB (room for a field name, an
// "event" or "id" value, a comment); an "event" or "id" value may be at most
// 4 KiB. Past that, Next returns false and Err returns an
// [*EventTooLargeError]. So a decoder never holds more than about n bytes
// plus one read buffer, however long a line or an event in the input is.
func WithMaxEventSize(n int) Option {
	return func(d *Decoder) {
		if n <= 0 {
			n = DefaultMaxEventSize
		}
		d.max = n
	}
}

// Decoder reads server-sent events from an io.Reader. It is not safe for
// concurrent use. It never closes the reader.
type Decoder struct {
	rd  io.Reader
	max int

	// buf[r:w] is input read but not yet parsed. Line endings have been
	// searched for in buf[r:scan]; lf is the index of the first LF at or
	// after scan when it is known, else it is < scan.
	buf  []byte
	r, w int
	scan int
	lf   int

	skipLF  bool  // the last line ended in CR: drop an LF right after it
	started bool  // the first line (which may carry a BOM) has been read
	rerr    error // the error the reader returned, pending until buf is used up
	err     error // the error Err reports; set, it ends decoding
	done    bool  // the input is finished

	// The event being built. Its data is alias when a single data line is
	// still in buf, else data. hasData tells whether it has any data line.
	data    []byte
	alias   []byte
	hasData bool
	typ     []byte
	id      string

	lastType string
	types    map[string]string

	ev Event
}

// NewDecoder returns a decoder reading events from r.
func NewDecoder(r io.Reader, opts ...Option) *Decoder {
	d := &Decoder{rd: r, max: DefaultMaxEventSize, lf: -1}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Next reads the next event, which Event then returns. It returns false at
// the end of the input or on an error; Err tells which. When the input ends
// (io.EOF) inside an event that has data, that event is still returned; when
// a read fails, the event being read is dropped and Err returns the error.
// Once Next has returned false it keeps doing so.
func (d *Decoder) Next() bool {
	if d.err != nil || d.done {
		return false
	}
	d.reset()
	for {
		line, ok := d.readLine()
		if !ok {
			d.done = true
			if d.err == nil && d.hasData {
				d.dispatch()
				return true
			}
			return false
		}
		if len(line) == 0 {
			if d.hasData {
				d.dispatch()
				return true
			}
			d.typ = d.typ[:0]
			continue
		}
		if !d.field(line) {
			return false
		}
	}
}

// Event returns the event read by the last successful call to Next. Its Data
// is valid only until the next call to Next.
func (d *Decoder) Event() Event {
	return d.ev
}

// Err returns the error that ended decoding, or nil if the input ended
// normally. Errors from the reader are returned as they are (io.EOF is the
// normal end); an event over the size limit gives an [*EventTooLargeError].
func (d *Decoder) Err() error {
	return d.err
}

// reset clears the event being built and releases buffers grown for an
// earlier large event.
func (d *Decoder) reset() {
	d.ev = Event{}
	d.alias = nil
	d.hasData = false
	d.typ = d.typ[:0]
	if cap(d.data) > shrinkAbove {
		d.data = nil
	}
	d.data = d.data[:0]
	if len(d.buf) > shrinkAbove && d.w-d.r <= readSize {
		nb := make([]byte, readSize)
		copy(nb, d.buf[d.r:d.w])
		d.buf = nb
		d.shift(d.r)
	}
}

// dispatch makes the event being built the current event.
func (d *Decoder) dispatch() {
	data := d.data
	if d.alias != nil {
		data = d.alias
	}
	d.ev = Event{Type: d.typeString(), ID: d.id, Data: data[:len(data):len(data)]}
}

// typeString returns the event type as a string, interned so that repeated
// types do not allocate.
func (d *Decoder) typeString() string {
	if len(d.typ) == 0 {
		return ""
	}
	if string(d.typ) == d.lastType {
		return d.lastType
	}
	s, ok := d.types[string(d.typ)]
	if !ok {
		s = string(d.typ)
		if len(d.types) < maxInterned && len(s) <= maxInternLength {
			if d.types == nil {
				d.types = make(map[string]string)
			}
			d.types[s] = s
		}
	}
	d.lastType = s
	return s
}

// field processes one non-empty line. It returns false when the event has
// grown past the limit.
func (d *Decoder) field(line []byte) bool {
	if line[0] == ':' {
		return true
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		return d.appendData(value)
	case "event":
		if len(value) > maxFieldValue {
			d.err = &EventTooLargeError{Limit: d.max}
			return false
		}
		d.typ = append(d.typ[:0], value...)
	case "id":
		if len(value) > maxFieldValue {
			d.err = &EventTooLargeError{Limit: d.max}
			return false
		}
		if bytes.IndexByte(value, 0) < 0 && string(value) != d.id {
			d.id = string(value)
		}
	}
	return true
}

// appendData adds the value of a data line to the event being built.
func (d *Decoder) appendData(value []byte) bool {
	size := len(value)
	if d.hasData {
		size += d.dataLen() + 1
	}
	if size > d.max {
		d.err = &EventTooLargeError{Limit: d.max}
		return false
	}
	switch {
	case !d.hasData:
		// value lies in buf: keep it there unless buf must move.
		d.alias = value
		if d.alias == nil {
			d.alias = d.buf[:0]
		}
	default:
		d.materialize()
		d.data = append(append(d.data, '\n'), value...)
	}
	d.hasData = true
	return true
}

// dataLen is the length of the data of the event being built.
func (d *Decoder) dataLen() int {
	if d.alias != nil {
		return len(d.alias)
	}
	return len(d.data)
}

// materialize copies data aliasing buf into the decoder's own data buffer.
func (d *Decoder) materialize() {
	if d.alias != nil {
		d.data = append(d.data[:0], d.alias...)
		d.alias = nil
	}
}

// lineCap is the longest line the event being built may still accept.
func (d *Decoder) lineCap() int {
	return d.max + lineSlack - d.dataLen()
}

// readLine returns the next line without its line ending. The line aliases
// buf and is valid until the next call. It returns false at the end of the
// input or on an error, which it then records in d.err (io.EOF excepted).
func (d *Decoder) readLine() ([]byte, bool) {
	for {
		if d.skipLF && d.r < d.w {
			d.skipLF = false
			if d.buf[d.r] == '\n' {
				d.r++
				d.scan = d.r
			}
		}
		if line, ok := d.scanLine(); ok {
			return d.checkLine(line)
		}
		if d.w-d.r > d.lineCap() {
			d.err = &EventTooLargeError{Limit: d.max}
			return nil, false
		}
		if d.rerr != nil {
			if d.rerr != io.EOF {
				d.err = d.rerr
				return nil, false
			}
			if d.r == d.w {
				return nil, false
			}
			line := d.buf[d.r:d.w]
			d.r, d.scan = d.w, d.w
			return d.checkLine(line)
		}
		d.fill()
	}
}

// checkLine strips a byte order mark from the first line and enforces the
// line limit.
func (d *Decoder) checkLine(line []byte) ([]byte, bool) {
	if len(line) > d.lineCap() {
		d.err = &EventTooLargeError{Limit: d.max}
		return nil, false
	}
	if !d.started {
		d.started = true
		line = bytes.TrimPrefix(line, []byte(utf8BOM))
	}
	return line, true
}

// scanLine finds the next line ending in buf[r:w], searching only bytes not
// searched before.
func (d *Decoder) scanLine() ([]byte, bool) {
	if d.lf < d.scan {
		d.lf = -1
		if i := bytes.IndexByte(d.buf[d.scan:d.w], '\n'); i >= 0 {
			d.lf = d.scan + i
		}
	}
	end := d.w
	if d.lf >= 0 {
		end = d.lf
	}
	if i := bytes.IndexByte(d.buf[d.scan:end], '\r'); i >= 0 {
		cr := d.scan + i
		line := d.buf[d.r:cr]
		d.r, d.scan = cr+1, cr+1
		d.skipLF = true
		return line, true
	}
	if d.lf >= 0 {
		line := d.buf[d.r:d.lf]
		d.r, d.scan = d.lf+1, d.lf+1
		return line, true
	}
	d.scan = d.w
	return nil, false
}

// fill reads more input into buf, first moving unparsed bytes to its front
// or growing it when it is full.
func (d *Decoder) fill() {
	if d.buf == nil {
		d.buf = make([]byte, readSize)
	}
	if d.r == d.w && d.alias == nil {
		d.shift(d.r) // nothing pending: start over at the front
	}
	// Move the pending partial line to the front unless a data line
	// aliased in buf would have to be copied for little gain.
	if d.r > 0 && (d.alias == nil || len(d.buf)-d.w < len(d.buf)/4) {
		d.materialize()
		copy(d.buf, d.buf[d.r:d.w])
		d.shift(d.r)
	}
	if d.w == len(d.buf) {
		// buf holds one partial line (r == 0), no longer than lineCap:
		// grow it, but never past what that line may still reach plus
		// one read.
		d.materialize()
		n := 2 * len(d.buf)
		if most := d.lineCap() + readSize; n > most {
			n = most
		}
		nb := make([]byte, n)
		copy(nb, d.buf[:d.w])
		d.buf = nb
	}
	for range maxEmptyReads {
		n, err := d.rd.Read(d.buf[d.w:])
		if n < 0 || n > len(d.buf)-d.w {
			d.rerr = errors.New("sse: reader returned an invalid count")
			return
		}
		d.w += n
		if err != nil {
			d.rerr = err
			return
		}
		if n > 0 {
			return
		}
	}
	d.rerr = io.ErrNoProgress
}

// shift moves the buffer indexes n bytes back after the bytes before them
// were dropped.
func (d *Decoder) shift(n int) {
	d.r -= n
	d.w -= n
	d.scan -= n
	if d.lf >= 0 {
		d.lf -= n
	}
}
