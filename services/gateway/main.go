// Command gateway runs the gateway: the HTTP edge for Retell's webhooks and function calls,
// and JSON-RPC over HTTP for other teams.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/askproai/backend/pkg/retell"

	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/lifecycle"
	"github.com/askproai/backend/pkg/ratelimit"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/telemetry"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, config.OSLookup); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

// run wires the gateway from its environment and serves until ctx ends.
func run(ctx context.Context, lookup config.LookupFunc) error {
	cfg, err := loadConfig(lookup)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	p, err := lifecycle.Start(ctx, cfg.Common)
	if err != nil {
		return err
	}
	bus, err := rpc.NewClient(p.Redis, rpc.ClientConfig{Instance: cfg.Instance, Namespace: cfg.Namespace}, p.Logger, p.Metrics)
	if err != nil {
		_ = p.Close()
		return fmt.Errorf("rpc client: %w", err)
	}
	p.OnClose(bus.Close)
	verifier, err := retell.NewVerifier(cfg.RetellKeys, time.Now)
	if err != nil {
		_ = p.Close()
		return err
	}
	limiter, err := gateway.NewRateLimiter(p.Redis, cfg.Namespace, gateway.RateLimits{
		Total:       ratelimit.PerMinute(cfg.RateLimitPerMinute, cfg.RateLimitBurst),
		Read:        ratelimit.PerMinute(cfg.ReadRateLimitPerMinute, cfg.ReadRateLimitBurst),
		CalcomWrite: ratelimit.PerMinute(cfg.WriteRateLimitPerMinute, cfg.WriteRateLimitBurst),
	})
	if err != nil {
		_ = p.Close()
		return err
	}
	failures, err := gateway.NewFailureLimiter(p.Redis, cfg.Namespace, gateway.FailureLimits{
		Address: ratelimit.PerMinute(cfg.AuthFailuresPerMinute, cfg.AuthFailuresBurst),
		Prefix:  ratelimit.PerMinute(cfg.AuthFailuresPerPrefixPerMinute, cfg.AuthFailuresPerPrefixBurst),
	}, time.Now)
	if err != nil {
		_ = p.Close()
		return err
	}
	auth := gateway.NewAuthenticator(bus, cfg.AuthCacheTTL, gateway.WithKeyCacheSize(cfg.AuthCacheSize),
		gateway.WithNegativeCache(cfg.AuthNegativeCacheSize, cfg.AuthNegativeCacheTTL), gateway.WithFailureLimiter(failures))
	// The gateway serves no methods; its bus server only reads broadcast events: auth.changed,
	// so that a revoked key or a deactivated tenant is refused by every replica at once.
	events, err := rpc.NewServer(p.Redis, rpc.ServerConfig{Service: "gateway", Instance: cfg.Instance,
		Namespace: cfg.Namespace, Version: lifecycle.Version}, p.Logger, p.Metrics)
	if err != nil {
		_ = p.Close()
		return fmt.Errorf("rpc server: %w", err)
	}
	auth.Subscribe(events)
	srv := gateway.NewServer(gateway.Options{
		Verifier:     verifier,
		Inbox:        gateway.NewInbox(p.Redis, bus.Publish, cfg.Namespace, cfg.DedupTTL),
		Limiter:      limiter,
		Auth:         auth,
		Bus:          bus,
		Logger:       p.Logger,
		Health:       p.Health,
		Metrics:      telemetry.MetricsHandler(p.Metrics),
		Registry:     p.Metrics,
		InboxTimeout: cfg.InboxTimeout,

		RPC:                 bus,
		Redis:               p.Redis,
		Namespace:           cfg.Namespace,
		FunctionTimeout:     cfg.FunctionTimeout,
		FunctionResultTTL:   cfg.FunctionResultTTL,
		InboundTimeout:      cfg.InboundTimeout,
		UnknownNumberPolicy: cfg.UnknownNumberPolicy,
		DefaultLocation:     cfg.DefaultLocation,
		TrustedProxies:      cfg.TrustedProxies,
		Now:                 clock.Now,
	})
	return p.Run(ctx, func(ctx context.Context) error { return serveHTTP(ctx, cfg, srv) }, events.Run)
}

// serveHTTP serves until ctx ends, then stops taking connections and lets requests in flight
// finish within the shutdown timeout.
func serveHTTP(ctx context.Context, cfg Config, h http.Handler) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
