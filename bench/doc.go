// Package bench compares reachkit's OpenAI client with the peer SDKs
// (github.com/openai/openai-go/v3 and github.com/sashabaranov/go-openai)
// on the same workloads: every SDK sends the same request to the same
// server, which answers with the same pre-built bytes, so that the only
// thing that differs between two benchmarks of a workload is the client.
//
// Each workload runs over two transports:
//
//   - net=loopback: a real HTTP/1.1 exchange with an httptest server on
//     127.0.0.1; allocation counts include the in-process server's, which
//     are the same for every SDK;
//   - net=mem: an in-memory http.RoundTripper that drains the request and
//     returns the pre-built reply, so the figures are the client's own cost.
//
// The benchmarks live in the _test.go files; this package holds the
// payloads, the server and the transports they share. See run.sh for the
// full comparison and ci.sh for the smoke run.
package bench
