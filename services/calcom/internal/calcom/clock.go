package calcom

import (
	"context"
	"time"
)

// Clock is the time source of the client; tests inject a fake one so waiting costs nothing.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends, whichever comes first.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
