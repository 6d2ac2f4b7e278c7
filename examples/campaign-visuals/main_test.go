package main

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reachkit/reachkit/openai/openaitest"
)

func TestOfflineSavesADecodablePNG(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	dir := filepath.Join(t.TempDir(), "new", "folder")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-out", dir, "-n", "2"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "in-process fake") {
		t.Errorf("the offline run must say so; stderr: %q", errOut.String())
	}
	paths := strings.Fields(out.String())
	if len(paths) != 2 {
		t.Fatalf("want 2 paths, got %q", out.String())
	}
	for _, p := range paths {
		if filepath.Dir(p) != dir || !strings.HasPrefix(filepath.Base(p), "a-trail-runner-cresting-a-") {
			t.Errorf("unexpected path %s", p)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if b := img.Bounds(); b.Dx() != 2 || b.Dy() != 2 {
			t.Errorf("%s is %v, want the fake's 2x2 image", p, b)
		}
	}
}

func TestFlaggedPromptIsRefused(t *testing.T) {
	fake := openaitest.NewServer(t)
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", fake.URL())
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-out", dir, "-prompt", "A runner who would kill for these shoes"}, &out, &errOut)
	if !errors.Is(err, errRefused) {
		t.Fatalf("err = %v, want errRefused", err)
	}
	if want := "[refused: the prompt was flagged by moderation for violence; nothing was generated]\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	if n := fake.RequestCount("images/generations"); n != 0 {
		t.Errorf("%d image requests sent for a refused prompt", n)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written for a refused prompt: %v", entries)
	}
}

func TestRequestAsksForPNG(t *testing.T) {
	fake := openaitest.NewServer(t)
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", fake.URL())
	if err := run(context.Background(), []string{"-out", t.TempDir(), "-size", "1536x1024"}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	reqs := fake.Requests()
	if err := reqs[len(reqs)-1].DecodeJSON(&sent); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"model": "gpt-image-1", "output_format": "png", "size": "1536x1024", "quality": "low"} {
		if sent[k] != want {
			t.Errorf("%s = %v, want %v", k, sent[k], want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"A trail runner cresting a ridge at sunrise": "a-trail-runner-cresting-a",
		"Früh-Jahr: 20% OFF!":                        "früh-jahr-20-off",
		"¡¿!":                                        "visual",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
