package sse

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordedDir returns the folder of recorded streams: testdata/sse in the
// shared folder named by REACHKIT_SHARED, else in ../../../shared. It skips
// the test when the folder is absent.
func recordedDir(t testing.TB) string {
	t.Helper()
	shared := os.Getenv("REACHKIT_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "..", "..", "shared")
	}
	dir := filepath.Join(shared, "testdata", "sse")
	files, _ := filepath.Glob(filepath.Join(dir, "*.sse"))
	if len(files) == 0 {
		t.Skipf("no recorded streams in %s: set REACHKIT_SHARED to the shared folder to run this test", dir)
	}
	return dir
}

// expectedStream is the part of a NAME.expected.json file these tests use.
type expectedStream struct {
	Stream struct {
		Events              int  `json:"events"`
		DoneSentinel        bool `json:"done_sentinel"`
		EventFieldMatchType bool `json:"event_field_matches_type"`
	} `json:"_stream"`
}

func TestRecordedStreams(t *testing.T) {
	dir := recordedDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.sse"))
	require.NoError(t, err)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".sse")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			require.NoError(t, err)
			var want expectedStream
			if raw, err := os.ReadFile(filepath.Join(dir, name+".expected.json")); err == nil {
				require.NoError(t, json.Unmarshal(raw, &want))
			} else {
				want.Stream.Events = -1
			}

			got, err := decodeAll(bytes.NewReader(body))
			require.NoError(t, err)
			require.NotEmpty(t, got)
			if want.Stream.Events >= 0 {
				assert.Len(t, got, want.Stream.Events, "events")
			}
			isResponses := strings.HasPrefix(name, "responses-")
			for i, e := range got {
				if (Event{Data: []byte(e.Data)}).IsDone() {
					assert.Equal(t, len(got)-1, i, "[DONE] is the last event")
					continue
				}
				require.True(t, json.Valid([]byte(e.Data)), "event %d is not JSON: %.200q", i, e.Data)
				if isResponses {
					var payload struct {
						Type string `json:"type"`
					}
					require.NoError(t, json.Unmarshal([]byte(e.Data), &payload))
					assert.Equal(t, payload.Type, e.Type, "event %d: event field and payload type", i)
				} else {
					assert.Empty(t, e.Type, "event %d", i)
				}
			}
			if strings.HasPrefix(name, "chat-") {
				assert.Equal(t, "[DONE]", got[len(got)-1].Data)
			}

			// The same events whatever the reads look like.
			for rname, r := range map[string]io.Reader{
				"one-byte":            iotest.OneByteReader(bytes.NewReader(body)),
				"half":                iotest.HalfReader(bytes.NewReader(body)),
				"chunk-7":             &chunkReader{s: string(body), n: 7},
				"CRLF":                strings.NewReader(strings.ReplaceAll(string(body), "\n", "\r\n")),
				"CR":                  strings.NewReader(strings.ReplaceAll(string(body), "\n", "\r")),
				"no final blank line": bytes.NewReader(bytes.TrimRight(body, "\n")),
			} {
				again, err := decodeAll(r)
				require.NoError(t, err, rname)
				assert.Equal(t, got, again, rname)
			}
		})
	}
}
