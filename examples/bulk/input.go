package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
)

// Request is one line of the input.
type Request struct {
	ID        string `json:"id"`
	Prompt    string `json:"prompt"`
	MaxTokens int    `json:"max_tokens"`
}

// generate writes n requests for product descriptions to path. It writes a
// temporary file and renames it, so a crash never leaves half an input.
func generate(path string, n int) error {
	adjectives := []string{"lightweight", "waterproof", "organic", "handmade", "recycled", "compact", "insulated", "breathable"}
	products := []string{"trail running shoe", "espresso grinder", "wireless controller", "rain jacket", "yoga mat", "travel mug", "hiking backpack", "desk lamp"}
	audiences := []string{"commuters", "beginners", "parents", "students", "athletes", "remote workers"}
	rng := rand.New(rand.NewPCG(42, 7))
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for i := range n {
		enc.Encode(Request{
			ID: fmt.Sprintf("req-%06d", i+1),
			Prompt: fmt.Sprintf("Write a one-sentence product description of a %s %s for %s. Product #%d.",
				adjectives[rng.IntN(len(adjectives))], products[rng.IntN(len(products))], audiences[rng.IntN(len(audiences))], i+1),
			MaxTokens: 40 + rng.IntN(41),
		})
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// scan calls fn for each request of the file at path, with its line number.
func scan(path string, fn func(line int, r Request) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for line := 1; sc.Scan(); line++ {
		var r Request
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.ID == "" {
			return fmt.Errorf("%s:%d: not a request with an id: %v", path, line, err)
		}
		if err := fn(line, r); err != nil {
			return err
		}
	}
	return sc.Err()
}

// count returns the number of distinct ids in the input and how many of
// them are done.
func count(path string, done map[string]bool) (total, skipped int, err error) {
	seen := map[string]bool{}
	err = scan(path, func(_ int, r Request) error {
		if !seen[r.ID] {
			seen[r.ID] = true
			total++
			if done[r.ID] {
				skipped++
			}
		}
		return nil
	})
	return total, skipped, err
}

// feed sends the requests not done yet, each id once, until ctx ends.
// It marks the ids it sends in done, which it alone uses from now on.
func feed(ctx context.Context, path string, done map[string]bool, items chan<- Request) error {
	return scan(path, func(_ int, r Request) error {
		if done[r.ID] {
			return nil
		}
		done[r.ID] = true
		select {
		case items <- r:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}
