package tokens

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const offlineChildEnv = "TOKENS_OFFLINE_CHILD"

// TestOffline loads and uses both encodings in a fresh process whose home,
// cache and temp directories cannot be created and whose HTTP(S) proxy is a
// closed port: any attempt to download or cache the vocabularies would fail.
func TestOffline(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more

	// Paths below a regular file can be neither read nor created, even by root.
	cache := filepath.Join(blocker, "cache")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		offlineChildEnv+"=1",
		"HOME="+filepath.Join(blocker, "home"),
		"TIKTOKEN_CACHE_DIR="+cache,
		"DATA_GYM_CACHE_DIR="+cache,
		"XDG_CACHE_HOME="+cache,
		"TMPDIR="+filepath.Join(blocker, "tmp"),
		"HTTP_PROXY="+proxy, "HTTPS_PROXY="+proxy, "http_proxy="+proxy, "https_proxy="+proxy,
		"NO_PROXY=", "no_proxy=",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("offline child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "offline ok") {
		t.Fatalf("offline child did not report success:\n%s", out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}

// runOfflineChild is the child process of TestOffline.
func runOfflineChild() int {
	http.DefaultTransport = networkForbidden{}
	checks := []struct {
		encoding string
		text     string
		ids      []int
	}{
		{O200kBase, "Hello, world!", []int{13225, 11, 2375, 0}},
		{Cl100kBase, "Hello, world!", []int{9906, 11, 1917, 0}},
	}
	for _, c := range checks {
		enc, err := Get(c.encoding)
		if err != nil {
			fmt.Println("offline child:", err)
			return 1
		}
		if got := enc.Encode(c.text); fmt.Sprint(got) != fmt.Sprint(c.ids) {
			fmt.Printf("offline child: %s Encode = %v, want %v\n", c.encoding, got, c.ids)
			return 1
		}
		if got := enc.Count(c.text); got != len(c.ids) {
			fmt.Printf("offline child: %s Count = %d, want %d\n", c.encoding, got, len(c.ids))
			return 1
		}
	}
	if _, err := os.Stat(os.Getenv("TIKTOKEN_CACHE_DIR")); !errors.Is(err, os.ErrNotExist) && !isNotDir(err) {
		fmt.Println("offline child: cache directory appeared:", err)
		return 1
	}
	fmt.Println("offline ok: o200k_base and cl100k_base loaded and counted without network or cache")
	return 0
}

func isNotDir(err error) bool {
	return err != nil && strings.Contains(err.Error(), "not a directory")
}

// networkForbidden fails any HTTP request made through the default client.
type networkForbidden struct{}

func (networkForbidden) RoundTrip(r *http.Request) (*http.Response, error) {
	fmt.Println("offline child: network request to", r.URL)
	os.Exit(3)
	return nil, nil
}
