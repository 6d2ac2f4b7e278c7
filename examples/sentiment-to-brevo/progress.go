package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line bar on a terminal: "[#####.....] 12/40".
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	done  int
	drawn time.Time
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if total > 0 {
		p.draw()
	}
	return p
}

// add counts n more items done and redraws at most ten times a second.
func (p *progress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.done == p.total || time.Since(p.drawn) >= 100*time.Millisecond {
		p.draw()
	}
}

// log prints a message on a line of its own and redraws the bar under it.
func (p *progress) log(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K%s\n", msg)
	p.draw()
}

func (p *progress) draw() {
	const width = 30
	filled := width
	if p.total > 0 {
		filled = width * p.done / p.total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.done, p.total)
	p.drawn = time.Now()
}

// finish ends the line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total > 0 {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
