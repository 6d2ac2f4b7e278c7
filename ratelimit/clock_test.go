package ratelimit_test

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a manual clock: time moves only when Advance is called.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	regs   int // timers ever registered
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), ch})
	c.regs++
	return ch
}

// Advance moves time forward and fires the timers that are due. It returns
// the count of registrations so far, for waitTimer.
func (c *fakeClock) Advance(d time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.c <- c.now
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
	return c.regs
}

func (c *fakeClock) registered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.regs
}

// waitTimer waits until a timer beyond the first n has been registered:
// a waiter has computed its wait from the current time and sleeps.
func (c *fakeClock) waitTimer(t *testing.T, what string, n int) {
	t.Helper()
	eventually(t, what, func() bool { return c.registered() > n })
}

// eventually polls cond for up to two seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Microsecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
