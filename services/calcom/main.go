// Command calcom runs the calcom service: the Cal.com API v2 adapter: availability, bookings, event types, breaker, rate limit, cache.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/lifecycle"
	"github.com/askproai/backend/pkg/rpc"
	client "github.com/askproai/backend/services/calcom/internal/calcom"
	"github.com/askproai/backend/services/calcom/internal/handler"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, config.OSLookup); err != nil {
		fmt.Fprintln(os.Stderr, "calcom:", err)
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
	cal, err := newCalcomClient(cfg, p)
	if err != nil {
		_ = p.Close()
		return err
	}
	srv, err := rpc.NewServer(p.Redis, rpc.ServerConfig{Service: calcom.Service, Instance: cfg.Instance,
		Namespace: cfg.Namespace, DrainTimeout: cfg.DrainTimeout, ClaimMinIdle: cfg.ClaimMinIdle,
		Version: lifecycle.Version}, p.Logger, p.Metrics)
	if err != nil {
		_ = p.Close()
		return fmt.Errorf("rpc server: %w", err)
	}
	bus, err := rpc.NewClient(p.Redis, rpc.ClientConfig{Instance: cfg.Instance, Namespace: cfg.Namespace}, p.Logger, p.Metrics)
	if err != nil {
		_ = p.Close()
		return fmt.Errorf("rpc client: %w", err)
	}
	p.OnClose(bus.Close)
	db := database.NewClient(bus)
	var keys handler.Keys = handler.NewDatabaseKeys(db, cfg.KeyCacheTTL, nil)
	if cfg.APIKey != "" {
		keys = handler.StaticKeys(cfg.APIKey)
	}
	handler.New(cal, keys, db, cfg.BulkConcurrency, cfg.Region).Register(srv)
	p.Health.Add("rpc", srv.Ready)
	components := []lifecycle.Component{srv.Run}
	if cfg.WebhookAddr != "" {
		wh := &client.WebhookHandler{Secret: []byte(cfg.WebhookSecret), Client: cal, Logger: p.Logger,
			OnEvent: handler.WebhookEvents(bus)}
		components = append(components, serveWebhooks(cfg.WebhookAddr, wh))
	}
	return p.Run(ctx, components...)
}

func newCalcomClient(cfg Config, p *lifecycle.Process) (*client.Client, error) {
	return client.New(client.Options{
		BaseURL: cfg.BaseURL, Redis: p.Redis, KeyPrefix: cfg.KeyPrefix, RequestTimeout: cfg.RequestTimeout,
		BreakerFailures: uint32(cfg.BreakerFailures), BreakerOpenTimeout: cfg.BreakerOpenTimeout,
		RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst, MaxRateWait: cfg.MaxRateWait,
		RetryAttempts: cfg.RetryAttempts, CacheTTL: cfg.CacheTTL, Logger: p.Logger, Metrics: p.Metrics,
	})
}

// serveWebhooks serves POST /webhooks/calcom until ctx ends.
func serveWebhooks(addr string, h http.Handler) lifecycle.Component {
	return func(ctx context.Context) error {
		mux := http.NewServeMux()
		mux.Handle("POST /webhooks/calcom", h)
		srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		errc := make(chan error, 1)
		go func() { errc <- srv.ListenAndServe() }()
		select {
		case err := <-errc:
			return fmt.Errorf("webhook server: %w", err)
		case <-ctx.Done():
		}
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("webhook server shutdown: %w", err)
		}
		return nil
	}
}
