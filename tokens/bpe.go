package tokens

import (
	"math"
	"sync"
)

// Byte-pair merging of one piece, as OpenAI's tokenizer does it: start from
// single bytes, repeatedly merge the adjacent pair whose concatenation has the
// lowest rank (the leftmost one on ties) until no adjacent pair is a token.
//
// Short pieces (nearly all of them) use the reference quadratic scan over a
// stack buffer. Long pieces (long runs of one script, whitespace or base64)
// use a heap keyed by (rank, position), which picks the same pair at every
// step in O(n log n) instead of O(n²).

const (
	noRank = math.MaxUint32
	// shortPiece is the longest piece merged with the quadratic scan.
	shortPiece = 96
)

// boundary is a part of a piece being merged: where it starts and the rank
// of the token it would form with the part after it.
type boundary struct {
	start int
	rank  uint32
}

// mergeShort merges piece (len(piece) <= shortPiece) and returns the token
// boundaries: parts[k].start..parts[k+1].start is token k.
func (e *Encoding) mergeShort(piece string, parts []boundary) []boundary {
	n := len(piece)
	parts = parts[:0]
	for i := 0; i <= n; i++ {
		parts = append(parts, boundary{start: i, rank: noRank})
	}
	for i := 0; i+2 <= n; i++ {
		parts[i].rank = e.rank(piece[i : i+2])
	}
	for len(parts) > 1 {
		minRank, minIdx := uint32(noRank), -1
		for i := 0; i < len(parts)-1; i++ {
			if parts[i].rank < minRank {
				minRank, minIdx = parts[i].rank, i
			}
		}
		if minIdx < 0 {
			break
		}
		i := minIdx
		// After merging parts i and i+1, part i pairs with part i+2 and
		// part i-1 pairs with the merged part i.
		if i+3 < len(parts) {
			parts[i].rank = e.rank(piece[parts[i].start:parts[i+3].start])
		} else {
			parts[i].rank = noRank
		}
		if i > 0 {
			parts[i-1].rank = e.rank(piece[parts[i-1].start:parts[i+2].start])
		}
		parts = append(parts[:i+1], parts[i+2:]...)
	}
	return parts
}

func (e *Encoding) rank(b string) uint32 {
	if len(b) == 2 {
		return e.pairs[uint16(b[0])<<8|uint16(b[1])]
	}
	if r, ok := e.ranks[b]; ok {
		return uint32(r)
	}
	return noRank
}

// longScratch holds the buffers of one long-piece merge.
type longScratch struct {
	next, prev []int32
	rank       []uint32
	heap       []uint64
}

// Each Encoding keeps a few scratch buffers for reuse, so that repeated
// counts do not allocate. Unlike a sync.Pool the list survives garbage
// collections; buffers grown for pieces longer than maxKeptPiece are not
// kept, so one huge input does not pin its memory.
const (
	maxKeptScratch = 8
	maxKeptPiece   = 64 << 10
)

type scratchList struct {
	mu   sync.Mutex
	free []*longScratch
}

func (l *scratchList) get() *longScratch {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		sc := l.free[n-1]
		l.free = l.free[:n-1]
		return sc
	}
	return new(longScratch)
}

func (l *scratchList) put(sc *longScratch) {
	if cap(sc.next) > maxKeptPiece+1 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) < maxKeptScratch {
		l.free = append(l.free, sc)
	}
}

// mergeLong merges a piece of any length and calls emit for every token, in
// order, with its byte range in piece.
func (e *Encoding) mergeLong(piece string, emit func(start, end int)) {
	n := len(piece)
	sc := e.scratch.get()
	defer e.scratch.put(sc)
	next := grow(sc.next, n+1)
	prev := grow(sc.prev, n+1)
	rank := grow(sc.rank, n+1)
	h := sc.heap[:0]

	// Nodes are byte offsets 0..n; node n is the end sentinel.
	for i := 0; i <= n; i++ {
		next[i] = int32(i + 1)
		prev[i] = int32(i - 1)
		rank[i] = noRank
	}
	for i := 0; i+2 <= n; i++ {
		if r := e.rank(piece[i : i+2]); r != noRank {
			rank[i] = r
			h = heapPush(h, uint64(r)<<32|uint64(i))
		}
	}
	// pairRank is the rank of node i merged with its successor.
	pairRank := func(i int32) uint32 {
		j := next[i]
		if int(j) >= n {
			return noRank
		}
		return e.rank(piece[i:next[j]])
	}
	for len(h) > 0 {
		var top uint64
		h, top = heapPop(h)
		r, i := uint32(top>>32), int32(uint32(top))
		if next[i] < 0 || rank[i] != r {
			continue // stale: merged away or re-ranked since pushed
		}
		j := next[i]
		next[i] = next[j]
		prev[next[j]] = i
		next[j] = -1 // dead
		if rank[i] = pairRank(i); rank[i] != noRank {
			h = heapPush(h, uint64(rank[i])<<32|uint64(i))
		}
		if p := prev[i]; p >= 0 {
			if rank[p] = pairRank(p); rank[p] != noRank {
				h = heapPush(h, uint64(rank[p])<<32|uint64(p))
			}
		}
	}
	for i := int32(0); int(i) < n; i = next[i] {
		emit(int(i), int(next[i]))
	}
	sc.next, sc.prev, sc.rank, sc.heap = next, prev, rank, h
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// heapPush and heapPop implement a binary min-heap of packed (rank, node)
// keys, so ties on rank go to the leftmost node.
func heapPush(h []uint64, v uint64) []uint64 {
	h = append(h, v)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p] <= v {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = v
	return h
}

func heapPop(h []uint64) ([]uint64, uint64) {
	top := h[0]
	last := h[len(h)-1]
	h = h[:len(h)-1]
	n := len(h)
	if n == 0 {
		return h, top
	}
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		if r := l + 1; r < n && h[r] < h[l] {
			l = r
		}
		if last <= h[l] {
			break
		}
		h[i] = h[l]
		i = l
	}
	h[i] = last
	return h, top
}
