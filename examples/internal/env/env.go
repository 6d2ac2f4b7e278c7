// Package env builds the API clients every example starts with: the real
// services when their keys are set, a server named by *_BASE_URL (the
// conformance mocks, say), or the in-process fakes, and says which in one
// line.
package env

import (
	"fmt"
	"io"
	"os"

	"github.com/reachkit/reachkit/brevo"
	"github.com/reachkit/reachkit/brevo/brevotest"
	"github.com/reachkit/reachkit/openai"
	"github.com/reachkit/reachkit/openai/openaitest"
)

// OpenAI returns a client for the real API when OPENAI_API_KEY is set (or a
// server at OPENAI_BASE_URL), and otherwise one wired to a fresh in-process
// fake built with fakeOpts. close releases the fake; it is a no-op for a
// real client.
func OpenAI(log io.Writer, fakeOpts []openaitest.Option, opts ...openai.Option) (c *openai.Client, fake *openaitest.Server, close func(), err error) {
	if os.Getenv("OPENAI_API_KEY") != "" || os.Getenv("OPENAI_BASE_URL") != "" {
		if os.Getenv("OPENAI_API_KEY") == "" {
			opts = append([]openai.Option{openai.WithAPIKey("sk-unused")}, opts...)
		}
		c, err = openai.NewClient(opts...)
		return c, nil, func() {}, err
	}
	fake = openaitest.NewServer(nil, fakeOpts...)
	fmt.Fprintln(log, "OPENAI_API_KEY is not set: using the in-process fake OpenAI server (openaitest).")
	return fake.Client(opts...), fake, fake.Close, nil
}

// Brevo returns a client for the real API when BREVO_API_KEY is set (or a
// server at BREVO_BASE_URL), and otherwise one wired to a fresh in-process
// fake.
func Brevo(log io.Writer, fakeOpts []brevotest.Option, opts ...brevo.Option) (c *brevo.Client, fake *brevotest.Server, close func(), err error) {
	if os.Getenv("BREVO_API_KEY") != "" || os.Getenv("BREVO_BASE_URL") != "" {
		if os.Getenv("BREVO_API_KEY") == "" {
			opts = append([]brevo.Option{brevo.WithAPIKey("xkeysib-unused")}, opts...)
		}
		c, err = brevo.NewClient(opts...)
		return c, nil, func() {}, err
	}
	fake = brevotest.NewServer(nil, fakeOpts...)
	fmt.Fprintln(log, "BREVO_API_KEY is not set: using the in-process fake Brevo server (brevotest).")
	return fake.Client(opts...), fake, fake.Close, nil
}
