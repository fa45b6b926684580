package rpc

import (
	"context"
	"sync"
)

// gate hands out worker slots. Readers ask for slots before reading, so a server never takes
// more entries than it has free workers. When slots are scarce the highest class waiting is
// served first, but a waiting lower class is served after skipLimit grants went past it, so
// no lane starves.
type gate struct {
	mu      sync.Mutex
	total   int
	free    int
	queues  [numClasses][]*slotWaiter
	skipped [numClasses]int
	idle    chan struct{} // closed when free == total, for drain
}

const numClasses = 3

// skipLimit[c]: how many grants may pass class c while it waits.
var skipLimit = [numClasses]int{0, 3, 7}

type slotWaiter struct {
	max int
	ch  chan int
}

func newGate(n int) *gate { return &gate{total: n, free: n} }

// acquire blocks until at least one slot is free for class and returns how many it took, at
// most max.
func (g *gate) acquire(ctx context.Context, class, max int) (int, error) {
	return g.await(ctx, class, g.request(class, max))
}

// request queues for up to max slots for class (granted at once when slots are free and
// nobody waits). A reader requests its next slots before it hands out the entries it just
// read, so it is already waiting, with its priority, when their slots come back.
func (g *gate) request(class, max int) *slotWaiter {
	w := &slotWaiter{max: max, ch: make(chan int, 1)}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.free > 0 && g.waitingLocked() == 0 {
		n := min(g.free, max)
		g.free -= n
		w.ch <- n
		return w
	}
	g.queues[class] = append(g.queues[class], w)
	g.grantLocked()
	return w
}

// await waits for w's grant; when ctx ends first, w is withdrawn (or its grant given back).
func (g *gate) await(ctx context.Context, class int, w *slotWaiter) (int, error) {
	if ctx.Err() == nil {
		select {
		case n := <-w.ch:
			return n, nil
		case <-ctx.Done():
		}
	}
	g.mu.Lock()
	removed := g.removeLocked(class, w)
	g.mu.Unlock()
	if !removed {
		g.release(<-w.ch)
	}
	return 0, ctx.Err()
}

// tryAcquire takes up to max free slots without waiting.
func (g *gate) tryAcquire(max int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.waitingLocked() > 0 {
		return 0
	}
	n := min(g.free, max)
	g.free -= n
	return n
}

// contended reports whether someone else is waiting for a slot.
func (g *gate) contended() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waitingLocked() > 0
}

func (g *gate) release(n int) {
	if n <= 0 {
		return
	}
	g.mu.Lock()
	g.free += n
	g.grantLocked()
	if g.free == g.total && g.idle != nil {
		close(g.idle)
		g.idle = nil
	}
	g.mu.Unlock()
}

func (g *gate) inUse() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total - g.free
}

// wait blocks until every slot is back or ctx ends.
func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	if g.free == g.total {
		g.mu.Unlock()
		return nil
	}
	if g.idle == nil {
		g.idle = make(chan struct{})
	}
	idle := g.idle
	g.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) waitingLocked() int {
	n := 0
	for _, q := range g.queues {
		n += len(q)
	}
	return n
}

func (g *gate) grantLocked() {
	for g.free > 0 {
		c := g.pickLocked()
		if c < 0 {
			return
		}
		w := g.queues[c][0]
		g.queues[c] = g.queues[c][1:]
		n := min(g.free, w.max)
		g.free -= n
		w.ch <- n
	}
}

// pickLocked chooses the class to serve next: a starved class first, else the highest waiting.
func (g *gate) pickLocked() int {
	pick := -1
	for c := numClasses - 1; c > 0; c-- {
		if len(g.queues[c]) > 0 && g.skipped[c] >= skipLimit[c] {
			pick = c
			break
		}
	}
	if pick < 0 {
		for c := range numClasses {
			if len(g.queues[c]) > 0 {
				pick = c
				break
			}
		}
	}
	if pick < 0 {
		return -1
	}
	for c := range numClasses {
		if c != pick && len(g.queues[c]) > 0 {
			g.skipped[c]++
		}
	}
	g.skipped[pick] = 0
	return pick
}

func (g *gate) removeLocked(class int, w *slotWaiter) bool {
	q := g.queues[class]
	for i, x := range q {
		if x == w {
			g.queues[class] = append(q[:i:i], q[i+1:]...)
			return true
		}
	}
	return false
}
