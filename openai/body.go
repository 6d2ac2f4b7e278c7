package openai

import "bytes"

func newBodyReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
