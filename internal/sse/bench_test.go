package sse

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// chatEvent is one event of a typical chat completion stream.
const chatEvent = `data: {"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"tok"},"finish_reason":null}]}` + "\n\n"

// responsesEvents are events of a typical Responses API stream.
var responsesEvents = []string{
	"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"tok\"}\n\n",
	"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":5,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\" en\"}\n\n",
	"event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"sequence_number\":6,\"item_id\":\"fc_1\",\"output_index\":1,\"delta\":\"{\\\"a\"}\n\n",
	"event: response.reasoning_summary_text.delta\ndata: {\"type\":\"response.reasoning_summary_text.delta\",\"sequence_number\":7,\"item_id\":\"rs_1\",\"output_index\":0,\"summary_index\":0,\"delta\":\"so\"}\n\n",
}

// repeatReader endlessly repeats a stream, so one decoder can run forever.
type repeatReader struct {
	s   []byte
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.s[r.off:])
		n += k
		r.off = (r.off + k) % len(r.s)
	}
	return n, nil
}

func chatStream(events int) []byte {
	return bytes.Repeat([]byte(chatEvent), events)
}

// BenchmarkDecode decodes whole chat streams of 1,000 and 100,000 events,
// a new decoder for each stream: B/op and allocs/op are the cost of one
// stream, the same for both sizes.
func BenchmarkDecode(b *testing.B) {
	for _, events := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("events=%d", events), func(b *testing.B) {
			stream := chatStream(events)
			r := bytes.NewReader(stream)
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			b.ResetTimer()
			for b.Loop() {
				r.Reset(stream)
				d := NewDecoder(r)
				n := 0
				for d.Next() {
					n++
				}
				if n != events || d.Err() != nil {
					b.Fatalf("%d events, err %v", n, d.Err())
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms1)
			total := float64(b.N) * float64(events)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/event")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/total, "allocs/event")
		})
	}
}

// BenchmarkDecodeSteady runs one decoder over an endless stream: the cost of
// one more event once the buffers are warm.
func BenchmarkDecodeSteady(b *testing.B) {
	for name, stream := range map[string][]byte{
		"chat":      []byte(chatEvent),
		"responses": []byte(responsesEvents[0] + responsesEvents[1] + responsesEvents[2] + responsesEvents[3]),
	} {
		b.Run(name, func(b *testing.B) {
			d := NewDecoder(&repeatReader{s: stream})
			d.Next()
			b.ReportAllocs()
			for b.Loop() {
				if !d.Next() {
					b.Fatal(d.Err())
				}
			}
		})
	}
}

func TestNoAllocsPerEvent(t *testing.T) {
	for name, stream := range map[string][]byte{
		"chat":            []byte(chatEvent),
		"responses":       []byte(responsesEvents[0] + responsesEvents[1] + responsesEvents[2] + responsesEvents[3]),
		"multi-line CRLF": []byte("id: 1\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n: ping\r\n\r\n"),
		"long lines":      bytes.Repeat([]byte("data: "+string(bytes.Repeat([]byte("x"), 3000))+"\n\n"), 5),
	} {
		t.Run(name, func(t *testing.T) {
			d := NewDecoder(&repeatReader{s: stream})
			for range 100 {
				d.Next()
			}
			allocs := testing.AllocsPerRun(1000, func() {
				if !d.Next() {
					t.Fatal(d.Err())
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per event, want 0", allocs)
			}
		})
	}
}

func TestMemoryFlat(t *testing.T) {
	// Decoding 100 times as many events allocates no more.
	measure := func(events int) uint64 {
		stream := chatStream(events)
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		d := NewDecoder(bytes.NewReader(stream))
		for d.Next() {
		}
		runtime.ReadMemStats(&ms1)
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
		return ms1.TotalAlloc - ms0.TotalAlloc
	}
	small, large := measure(1_000), measure(100_000)
	t.Logf("bytes allocated: 1k events %d, 100k events %d", small, large)
	if large > small+1024 {
		t.Errorf("100k events allocated %d bytes, 1k events %d", large, small)
	}
}

var _ io.Reader = (*repeatReader)(nil)
