package main

import (
	"bytes"
	"context"
	"testing"
)

func TestQuickstartOffline(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got == "" || !bytes.Contains(out.Bytes(), []byte("spring sale")) {
		t.Fatalf("unexpected reply %q", got)
	}
	if !bytes.Contains(errOut.Bytes(), []byte("in-process fake server")) {
		t.Fatalf("the offline run must say so, got %q", errOut.String())
	}
}
