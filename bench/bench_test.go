package bench

import (
	"context"
	"runtime"
	"testing"
)

// The transports every workload runs over.
const (
	netLoopback = "loopback"
	netMem      = "mem"
)

// perOp configures what a benchmark reports besides ns/op, B/op and
// allocs/op.
type perOp struct {
	// events divides the time and the allocations into ns/chunk and
	// allocs/chunk when set.
	events int
	// respBytes reports the response body size as resp-B/op when set.
	respBytes bool
}

// runMatrix runs workload w for every SDK over both transports, with the
// same reply, as sub-benchmarks named net=<transport>/sdk=<sdk>.
func runMatrix(b *testing.B, reply *Reply, w Workload, po perOp) {
	for _, netName := range []string{netLoopback, netMem} {
		for _, sdk := range SDKs {
			b.Run("net="+netName+"/sdk="+sdk, func(b *testing.B) {
				runOne(b, netName, sdk, reply, w, po)
			})
		}
	}
}

func runOne(b *testing.B, netName, sdk string, reply *Reply, w Workload, po perOp) {
	var (
		t   Target
		srv *Server
	)
	switch netName {
	case netLoopback:
		srv = NewServer(reply)
		defer srv.Close()
		hc := LoopbackClient()
		defer hc.CloseIdleConnections()
		t = Target{BaseURL: srv.BaseURL(), HTTP: hc}
	case netMem:
		tr := NewMemTransport(reply)
		t = Target{BaseURL: "http://127.0.0.1:1/v1", HTTP: tr.MemClient()}
	}
	op, err := w(sdk, t)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// One call outside the measurement opens the connection and checks
	// that the SDK decodes the reply completely.
	if err := op(ctx); err != nil {
		b.Fatal(err)
	}
	var wire0 int64
	if srv != nil {
		wire0 = srv.WireBytes()
	}
	var m0, m1 runtime.MemStats
	b.ReportAllocs()
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := op(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	n := float64(b.N)
	if po.events > 0 {
		ev := n * float64(po.events)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/ev, "ns/chunk")
		b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/ev, "allocs/chunk")
	}
	if srv != nil {
		b.ReportMetric(float64(srv.WireBytes()-wire0)/n, "wire-B/op")
	}
	if po.respBytes {
		b.ReportMetric(float64(len(reply.Body)), "resp-B/op")
	}
}

// BenchmarkChatNew: a non-streaming chat completion with a ~1 KB reply.
func BenchmarkChatNew(b *testing.B) {
	runMatrix(b, ChatReply(), ChatNew, perOp{})
}

// BenchmarkChatStream: a 1,000-token chat stream (plus the finish and
// usage chunks and [DONE]) read to the end and concatenated.
func BenchmarkChatStream(b *testing.B) {
	runMatrix(b, ChatStreamReply(), ChatStream, perOp{events: StreamEvents})
}

// BenchmarkResponses: a non-streaming Responses API call with a ~1 KB
// reply.
func BenchmarkResponses(b *testing.B) {
	runMatrix(b, ResponsesReply(), Responses, perOp{})
}

// BenchmarkEmbeddings: 2,048 inputs × 1,536 dimensions, returned as float
// JSON and as base64; each SDK decodes the format itself.
func BenchmarkEmbeddings(b *testing.B) {
	for _, format := range []string{FormatFloat, FormatBase64} {
		b.Run("format="+format, func(b *testing.B) {
			ec := CachedEmbeddingsCase(format, EmbeddingCount, EmbeddingDims)
			runMatrix(b, ec.Reply, EmbeddingsWorkload(ec), perOp{respBytes: true})
		})
	}
}
