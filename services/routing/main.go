// Command routing runs the routing service: which branch was called, what the caller wants, when, and with whom.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/askproai/backend/pkg/api/booking"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/lifecycle"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/routing/internal/availability"
	"github.com/askproai/backend/services/routing/internal/directory"
	"github.com/askproai/backend/services/routing/internal/handler"
	"github.com/askproai/backend/services/routing/internal/routing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, config.OSLookup); err != nil {
		fmt.Fprintln(os.Stderr, "routing:", err)
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
	srv, err := wire(p, cfg)
	if err != nil {
		_ = p.Close()
		return err
	}
	dropLegacyGroups(ctx, p.Redis, cfg.Namespace, p.Logger)
	p.Health.Add("rpc", srv.Ready)
	return p.Run(ctx, srv.Run)
}

// wire builds the bus client, the adapters, the domain service and the RPC server.
func wire(p *lifecycle.Process, cfg Config) (*rpc.Server, error) {
	bus, err := rpc.NewClient(p.Redis, rpc.ClientConfig{Instance: cfg.Instance, Namespace: cfg.Namespace}, p.Logger, p.Metrics)
	if err != nil {
		return nil, fmt.Errorf("rpc client: %w", err)
	}
	p.OnClose(bus.Close)
	svc, err := routing.NewService(
		directory.New(database.NewClient(bus)),
		availability.New(booking.NewClient(bus)),
		routing.Options{Region: cfg.Region, CacheTTL: cfg.CacheTTL, DefaultTimeZone: cfg.TimeZone, Agents: cfg.Agents,
			Now: clock.Now},
	)
	if err != nil {
		return nil, err
	}
	srv, err := rpc.NewServer(p.Redis, rpc.ServerConfig{
		Service: "routing", Instance: cfg.Instance, Namespace: cfg.Namespace,
		Workers: cfg.Workers, DrainTimeout: cfg.DrainTimeout,
		ClaimMinIdle: cfg.ClaimMinIdle, Version: lifecycle.Version,
	}, p.Logger, p.Metrics)
	if err != nil {
		return nil, fmt.Errorf("rpc server: %w", err)
	}
	handler.New(svc).Register(srv)
	return srv, nil
}
