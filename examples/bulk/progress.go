package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress redraws "[#####.....] 4200/10000  812/s  429s: 3  heap 9.1 MiB"
// ten times a second, and samples the heap as it goes.
type progress struct {
	w        io.Writer
	total    int
	done     atomic.Int64
	rejected *atomic.Int64
	start    time.Time
	peak     uint64
	mu       sync.Mutex // serialises writes to w
	quit     chan struct{}
	stopped  sync.WaitGroup
}

func startProgress(w io.Writer, total int, rejected *atomic.Int64) *progress {
	p := &progress{w: w, total: total, rejected: rejected, start: time.Now(), quit: make(chan struct{})}
	p.stopped.Add(1)
	go func() {
		defer p.stopped.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.draw()
			case <-p.quit:
				return
			}
		}
	}()
	return p
}

func (p *progress) add(n int) { p.done.Add(int64(n)) }

// log prints a message on a line of its own.
func (p *progress) log(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K%s\n", msg)
}

func (p *progress) draw() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.peak = max(p.peak, ms.HeapAlloc)
	const width = 30
	done := int(p.done.Load())
	filled := width
	if p.total > 0 {
		filled = width * done / p.total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d  %.0f/s  429s: %d  heap %.1f MiB", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		done, p.total, float64(done)/time.Since(p.start).Seconds(), p.rejected.Load(), float64(ms.HeapAlloc)/(1<<20))
}

// stop draws the last state, ends the line and returns the peak heap seen.
func (p *progress) stop() uint64 {
	close(p.quit)
	p.stopped.Wait()
	p.draw()
	fmt.Fprintln(p.w)
	return p.peak
}
