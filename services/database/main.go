// Command database runs the database service: the only holder of PostgreSQL connections: typed data operations, caching, transactions.
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
		fmt.Fprintln(os.Stderr, "database:", err)
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
