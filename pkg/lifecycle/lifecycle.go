// Package lifecycle holds what every service process does the same way: build the logger,
// tracing, metrics registry, readiness checks and the Redis client from config.Common; serve
// the ops endpoints; run the service's components; and shut down in one order:
//
//  1. the context ends (SIGTERM): components stop taking new work;
//  2. components finish in-flight work within DrainTimeout and return;
//  3. the Redis client closes (after the last acknowledgement was written);
//  4. telemetry is flushed;
//  5. "stopped" is logged.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/health"
	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/telemetry"
	"github.com/askproai/backend/pkg/tlsconf"
)

// startPingTimeout bounds the first Redis round trip at start.
const startPingTimeout = 3 * time.Second

// Version is the build's version, set with -ldflags "-X .../lifecycle.Version=...".
var Version = "dev"

// Process is one running service instance's shared machinery.
type Process struct {
	Config  config.Common
	Logger  zerolog.Logger
	Redis   *redis.Client
	Metrics *prometheus.Registry
	Health  *health.Checker
	started time.Time

	closers  []func() error
	shutdown telemetry.ShutdownFunc
}

// Start builds a Process. Close it with Run, or with Close when Run is never called.
func Start(ctx context.Context, cfg config.Common) (*Process, error) {
	logger := logging.New(logging.Config{
		Service: cfg.Service, Instance: cfg.Instance, Level: cfg.LogLevel, Format: cfg.LogFormat,
	})
	shutdown, err := telemetry.Start(ctx, telemetry.Config{
		Service: cfg.Service, Instance: cfg.Instance, Version: Version, OTLPEndpoint: cfg.OTLPEndpoint,
	})
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	rdb, err := tlsconf.NewRedis(cfg.RedisURL, cfg.RedisTLS, cfg.Service+":"+cfg.Instance)
	if err != nil {
		_ = shutdown(context.WithoutCancel(ctx))
		return nil, err
	}
	// A Redis that is down may come back, and readiness says so meanwhile; a TLS handshake
	// that fails (wrong CA, refused client certificate) never will, so the process stops.
	pctx, cancel := context.WithTimeout(ctx, startPingTimeout)
	err = rdb.Ping(pctx).Err()
	cancel()
	if tlsconf.HandshakeFailed(err) {
		_ = rdb.Close()
		_ = shutdown(context.WithoutCancel(ctx))
		return nil, tlsconf.ExplainRedis(cfg.RedisURL, err)
	}
	if err != nil {
		logger.Warn().Err(tlsconf.ExplainRedis(cfg.RedisURL, err)).Msg("redis_unreachable_at_start")
	}
	p := &Process{
		Config:   cfg,
		Logger:   logger,
		Redis:    rdb,
		Metrics:  telemetry.NewRegistry(),
		Health:   health.NewChecker(2 * time.Second),
		started:  time.Now(),
		shutdown: shutdown,
	}
	p.Health.Add("redis", func(ctx context.Context) error {
		return tlsconf.ExplainRedis(cfg.RedisURL, rdb.Ping(ctx).Err())
	})
	return p, nil
}

// OnClose registers fn to run after the components stopped and before Redis closes, in reverse
// order of registration (database pools, HTTP clients).
func (p *Process) OnClose(fn func() error) {
	p.closers = append(p.closers, fn)
}

// Component is a long-running part of a service (an RPC server, an HTTP server, a relay). It
// returns nil after ctx ends and its in-flight work is done.
type Component func(ctx context.Context) error

// Run serves the ops endpoints and runs every component until ctx ends or one of them fails,
// then shuts everything down in order. The error of the first failing component is returned.
func (p *Process) Run(ctx context.Context, components ...Component) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.Logger.Info().Str("version", Version).Str("ops_addr", p.Config.OpsAddr).Msg("starting")
	if clock.Overridable {
		// Only tests build this; seen anywhere else, the binary is the wrong one.
		p.Logger.Warn().Str("clock_env", clock.EnvFile).Msg("test_clock_compiled_in")
	}

	if p.Config.OpsAddr != "" {
		components = append(components, func(ctx context.Context) error {
			return health.Serve(ctx, p.Config.OpsAddr, p.Health, telemetry.MetricsHandler(p.Metrics))
		})
	}
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for _, c := range components {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c(ctx); err != nil && !errors.Is(err, context.Canceled) {
				once.Do(func() { firstErr = err })
				cancel()
			}
		}()
	}
	<-ctx.Done()
	p.Logger.Info().Msg("draining")
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(p.Config.DrainTimeout + 5*time.Second):
		p.Logger.Warn().Msg("drain_timeout_passed_stopping_with_work_in_flight")
	}
	if err := p.Close(); err != nil && firstErr == nil {
		firstErr = err
	}
	if firstErr != nil {
		p.Logger.Error().Err(firstErr).Msg("stopped_with_error")
		return firstErr
	}
	p.Logger.Info().Dur("uptime", time.Since(p.started)).Msg("stopped")
	return nil
}

// Close releases what Start and OnClose acquired, in shutdown order.
func (p *Process) Close() error {
	var errs []error
	for i := len(p.closers) - 1; i >= 0; i-- {
		errs = append(errs, p.closers[i]())
	}
	errs = append(errs, p.Redis.Close())
	fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs = append(errs, p.shutdown(fctx))
	return errors.Join(errs...)
}
