// Command database runs the database service: the only holder of PostgreSQL connections. It
// serves typed data methods over pkg/rpc, caches hot reads, relays the outbox to the event bus
// and keeps partitions and statistics up to date.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/lifecycle"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/database/internal/database"
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
	metrics, err := database.NewMetrics(p.Metrics)
	if err != nil {
		return closeWith(p, fmt.Errorf("metrics: %w", err))
	}
	cache := database.NewCache(p.Redis, database.CacheOptions{Namespace: cfg.Namespace,
		TTL: cfg.CacheTTL, L1TTL: cfg.L1TTL, Metrics: metrics, Logger: p.Logger})
	store, err := database.New(ctx, database.Options{
		WriteURL: cfg.DatabaseURL, ReadURL: cfg.DatabaseReadURL,
		WriteConns: int32(cfg.WriteConns), ReadConns: int32(cfg.ReadConns), TxAttempts: cfg.TxAttempts,
		Cipher: cfg.Cipher, Region: cfg.Region, Cache: cache, Metrics: metrics, Logger: p.Logger,
	})
	if err != nil {
		return closeWith(p, fmt.Errorf("open store: %w", err))
	}
	p.OnClose(func() error { store.Close(); return nil })
	p.Health.Add("postgres", store.Ping)

	srv, err := rpc.NewServer(p.Redis, rpc.ServerConfig{Service: "database", Instance: cfg.Instance,
		Namespace: cfg.Namespace, Workers: cfg.Workers, DrainTimeout: cfg.DrainTimeout,
		ClaimMinIdle: cfg.ClaimMinIdle,
		Version:      lifecycle.Version}, p.Logger, p.Metrics)
	if err != nil {
		return closeWith(p, fmt.Errorf("rpc server: %w", err))
	}
	database.Register(srv, store)
	bus, err := rpc.NewClient(p.Redis, rpc.ClientConfig{Instance: cfg.Instance + "-outbox",
		Namespace: cfg.Namespace}, p.Logger, p.Metrics)
	if err != nil {
		return closeWith(p, fmt.Errorf("rpc client: %w", err))
	}
	p.OnClose(bus.Close)

	relay := database.NewRelay(store.WritePool(), bus, database.RelayOptions{
		Batch: cfg.OutboxBatch, Interval: cfg.OutboxInterval, Metrics: metrics, Logger: p.Logger})
	maintenance := database.NewMaintenance(store.WritePool(), database.MaintenanceOptions{
		Interval: cfg.MaintenanceInterval, MonthsAhead: cfg.PartitionsAhead,
		OutboxRetention: cfg.OutboxRetention, InboxRetention: cfg.InboxRetention, Logger: p.Logger})
	p.Health.Add("rpc", srv.Ready)
	return p.Run(ctx, srv.Run, cache.Listen, relay.Run, maintenance.Run)
}

// closeWith releases what Start acquired when wiring fails before Run.
func closeWith(p *lifecycle.Process, err error) error {
	_ = p.Close()
	return err
}
