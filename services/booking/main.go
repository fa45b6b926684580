// Command booking runs the booking service: bookings end to end: slot locks, availability, conflicts, cancel, reschedule, confirmations.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/lifecycle"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, config.OSLookup); err != nil {
		fmt.Fprintln(os.Stderr, "booking:", err)
		os.Exit(1)
	}
}

// run wires the service from its environment and blocks until ctx ends and in-flight work is
// drained.
func run(ctx context.Context, lookup config.LookupFunc) error {
	cfg, err := loadConfig(lookup)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	p, err := lifecycle.Start(ctx, cfg.Common)
	if err != nil {
		return err
	}
	return p.Run(ctx)
}
