package openai

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Cache stores API replies so that a repeated deterministic request is
// answered without a call. Implementations must be safe for concurrent use;
// a Cache backed by Redis or memcached lets replicas share replies.
type Cache interface {
	// Get returns the value stored under key, if any and not expired.
	Get(ctx context.Context, key string) ([]byte, bool)
	// Set stores value under key for ttl (0 means no expiry).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration)
}

// WithCache answers repeated requests from c. Only non-streaming requests
// are cached, and only when they are deterministic (temperature 0 or a seed
// set) or marked with the Cacheable request option; errors and partial
// results are never stored. Identical requests made at the same time are
// sent once. Meta.Cached reports a reply served from the cache; such a reply
// costs no request against the throttle. ttl is how long a reply is kept (0:
// until evicted).
func WithCache(c Cache, ttl time.Duration) Option {
	return func(cfg *config) { cfg.cache, cfg.cacheTTL = c, ttl }
}

// Cacheable marks one call as cacheable even though it is not
// deterministic, for example a generated subject line that may be reused.
func Cacheable() RequestOption { return func(r *requestConfig) { r.cacheable = true } }

// cacheKey hashes everything that makes two requests the same: the base URL
// (two services may share one cache), method, path, organization, project
// and the exact body.
func (co *core) cacheKey(cl *call) string {
	h := sha256.New()
	for _, part := range [...]string{co.baseURL, cl.method, cl.path, first(co.org), first(co.project)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(cl.body)
	return "reachkit:openai:" + hex.EncodeToString(h.Sum(nil))
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// flight is one in-progress request that identical requests wait for.
type flight struct {
	done chan struct{}
	body []byte // the reply on success, nil otherwise
	meta Meta
}

// flights coalesces identical concurrent requests (what
// golang.org/x/sync/singleflight does; written here to keep the module's
// dependencies to the few it names).
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// join returns the flight for key and whether the caller leads it (and must
// call land).
func (f *flights) join(key string) (*flight, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[key]; ok {
		return fl, false
	}
	if f.m == nil {
		f.m = make(map[string]*flight)
	}
	fl := &flight{done: make(chan struct{})}
	f.m[key] = fl
	return fl, true
}

func (f *flights) land(key string, fl *flight) {
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
	close(fl.done)
}

// LRUCache is an in-memory Cache bounded by the total size of its values:
// past the bound, the least recently used entries are evicted.
type LRUCache struct {
	mu       sync.Mutex
	maxBytes int64
	size     int64
	ll       *list.List
	items    map[string]*list.Element
	now      func() time.Time
}

type lruEntry struct {
	key     string
	value   []byte
	expires time.Time // zero: never
}

// NewLRUCache returns a cache holding at most maxBytes of keys and values
// (64 MiB when maxBytes <= 0).
func NewLRUCache(maxBytes int64) *LRUCache {
	if maxBytes <= 0 {
		maxBytes = 64 << 20
	}
	return &LRUCache{maxBytes: maxBytes, ll: list.New(), items: make(map[string]*list.Element), now: time.Now}
}

// entryOverhead approximates the bookkeeping memory of one entry.
const entryOverhead = 128

// Get returns a value and marks it recently used.
func (c *LRUCache) Get(_ context.Context, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*lruEntry)
	if !e.expires.IsZero() && c.now().After(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.ll.MoveToFront(el)
	return e.value, true
}

// Set stores a value, evicting the least recently used entries to stay
// within the size bound. A value larger than the bound is not stored.
func (c *LRUCache) Set(_ context.Context, key string, value []byte, ttl time.Duration) {
	cost := int64(len(key)+len(value)) + entryOverhead
	if cost > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	e := &lruEntry{key: key, value: value}
	if ttl > 0 {
		e.expires = c.now().Add(ttl)
	}
	c.items[key] = c.ll.PushFront(e)
	c.size += cost
	for c.size > c.maxBytes {
		c.remove(c.ll.Back())
	}
}

// Len returns the number of entries.
func (c *LRUCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// Size returns the bytes the entries account for.
func (c *LRUCache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *LRUCache) remove(el *list.Element) {
	e := el.Value.(*lruEntry)
	c.ll.Remove(el)
	delete(c.items, e.key)
	c.size -= int64(len(e.key)+len(e.value)) + entryOverhead
}
