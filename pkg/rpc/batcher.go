package rpc

import "sync"

// batcher groups work submitted concurrently: the first submitter runs flush itself (no
// hand-off on an idle path), and items that arrive while a flush is in flight join the next
// one, so one round trip carries many of them under load.
type batcher[T any] struct {
	mu    sync.Mutex
	queue []T
	spare []T // the previous batch, reused so a steady load allocates nothing here
	busy  bool
	flush func([]T)
}

func (b *batcher[T]) submit(item T) {
	b.mu.Lock()
	b.queue = append(b.queue, item)
	if b.busy {
		b.mu.Unlock()
		return
	}
	b.busy = true
	for len(b.queue) > 0 {
		batch := b.queue
		b.queue, b.spare = b.spare[:0], nil
		b.mu.Unlock()
		b.flush(batch)
		clear(batch) // drop references held by the flushed items
		b.mu.Lock()
		b.spare = batch[:0]
	}
	b.busy = false
	b.mu.Unlock()
}
