package checkpoint

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

type rec struct {
	ID string `json:"id"`
	N  int    `json:"n"`
}

func ids(t *testing.T, path string) []string {
	t.Helper()
	var got []string
	l, err := Open(path, 1, func(r rec) { got = append(got, r.ID) })
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestAppendReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp.jsonl")
	l, err := Open(path, 3, func(rec) { t.Fatal("a new checkpoint has no records") })
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Append(rec{ID: id}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got := ids(t, path)
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Fatalf("records = %v", got)
	}
}

func TestTornTailIsCutAndRedone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cp.jsonl")
	for name, tail := range map[string]string{
		"cut short": `{"id":"c","n"`,
		"garbage":   "\x00\x00\x00\n{\"id\":\"d\"}\n",
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte("{\"id\":\"a\"}\n{\"id\":\"b\"}\n"+tail), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := ids(t, path); !slices.Equal(got, []string{"a", "b"}) {
				t.Fatalf("records = %v", got)
			}
			l, err := Open(path, 1, func(rec) {})
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Append(rec{ID: "c"}); err != nil {
				t.Fatal(err)
			}
			l.Close()
			if got := ids(t, path); !slices.Equal(got, []string{"a", "b", "c"}) {
				t.Fatalf("after append: %v", got)
			}
		})
	}
}
