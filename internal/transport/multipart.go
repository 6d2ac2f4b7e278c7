package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"os"
	"strings"
)

// FilePart is a file to upload in a multipart body.
type FilePart struct {
	Field       string    // form field name, e.g. "file" or "image[]"
	Filename    string    // the file name the server sees; its extension often decides the format
	ContentType string    // optional; application/octet-stream when empty
	Reader      io.Reader // the content, read once per attempt
}

// Multipart is a multipart/form-data body whose files are streamed from
// their readers, never copied into memory: the body is the fields and part
// headers (small, built once) interleaved with the file readers.
//
// When every reader can be rewound (an io.Seeker such as *os.File,
// *bytes.Reader or *strings.Reader) the body can be sent again, so a retry
// can replay it; otherwise Replayable reports false and the reason.
type Multipart struct {
	segments    [][]byte // segments[i] precedes files[i]; the last one closes the body
	files       []FilePart
	starts      []int64 // each seekable reader's start offset
	contentType string
	length      int64 // -1 when a file's size is unknown
	replayable  bool
	why         string
	used        bool
}

// NewMultipart builds a body from fields (in order, each value a separate
// part; a key may repeat) and files.
func NewMultipart(fields [][2]string, files []FilePart) (*Multipart, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	m := &Multipart{contentType: w.FormDataContentType(), length: 0, replayable: true}
	for i, f := range files {
		if f.Reader == nil {
			return nil, fmt.Errorf("file %q: no reader", f.Field)
		}
		if strings.TrimSpace(f.Filename) == "" {
			return nil, fmt.Errorf("file %q: a filename is required (the server reads the format from its extension)", f.Field)
		}
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, escapeQuotes(f.Field), escapeQuotes(f.Filename)))
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		if _, err := w.CreatePart(h); err != nil {
			return nil, err
		}
		m.segments = append(m.segments, append([]byte(nil), buf.Bytes()...))
		buf.Reset()
		m.files = append(m.files, f)
		start, size, ok := position(f.Reader)
		m.starts = append(m.starts, start)
		if !ok {
			m.replayable = false
			m.why = fmt.Sprintf("file %d (%s) is read from a stream that cannot be rewound; pass an *os.File or *bytes.Reader to allow retries", i, f.Filename)
		}
		if size < 0 || m.length < 0 {
			m.length = -1
		} else {
			m.length += size
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	m.segments = append(m.segments, append([]byte(nil), buf.Bytes()...))
	if m.length >= 0 {
		for _, s := range m.segments {
			m.length += int64(len(s))
		}
	}
	return m, nil
}

// quoteEscaper is safe for concurrent use, so one serves every call.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

// position returns the reader's current offset and remaining size, and
// whether it can be rewound to that offset.
func position(r io.Reader) (start, size int64, ok bool) {
	s, isSeeker := r.(io.Seeker)
	if !isSeeker {
		if l, hasLen := r.(interface{ Len() int }); hasLen {
			return 0, int64(l.Len()), false
		}
		return 0, -1, false
	}
	cur, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, -1, false
	}
	if f, isFile := r.(*os.File); isFile {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return cur, st.Size() - cur, true
		}
		return cur, -1, true
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return cur, -1, false
	}
	if _, err := s.Seek(cur, io.SeekStart); err != nil {
		return cur, -1, false
	}
	return cur, end - cur, true
}

// ContentType is the body's Content-Type, with its boundary.
func (m *Multipart) ContentType() string { return m.contentType }

// Length is the body's size in bytes, or -1 when a file's size is unknown.
func (m *Multipart) Length() int64 { return m.length }

// Replayable reports whether the body can be sent more than once, and if
// not, why.
func (m *Multipart) Replayable() (bool, string) { return m.replayable, m.why }

// ErrNotReplayable is returned by Body when a body that cannot be rewound is
// asked for a second time.
var ErrNotReplayable = errors.New("the request body cannot be sent again")

// Body returns a reader over the whole body. The first call reads the files
// from where they are; later calls rewind them first, and fail with
// ErrNotReplayable when a reader cannot be rewound.
func (m *Multipart) Body() (io.ReadCloser, error) {
	if m.used {
		if !m.replayable {
			return nil, fmt.Errorf("%w: %s", ErrNotReplayable, m.why)
		}
		for i, f := range m.files {
			if _, err := f.Reader.(io.Seeker).Seek(m.starts[i], io.SeekStart); err != nil {
				return nil, fmt.Errorf("rewinding %s: %w", f.Filename, err)
			}
		}
	}
	m.used = true
	readers := make([]io.Reader, 0, 2*len(m.files)+1)
	for i, f := range m.files {
		readers = append(readers, bytes.NewReader(m.segments[i]), f.Reader)
	}
	readers = append(readers, bytes.NewReader(m.segments[len(m.segments)-1]))
	return io.NopCloser(io.MultiReader(readers...)), nil
}
