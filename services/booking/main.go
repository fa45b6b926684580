// Command booking runs the booking service: bookings end to end: slot locks, availability,
// conflicts and alternatives, cancel, reschedule, confirmations.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/lifecycle"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/calendar"
	"github.com/askproai/backend/services/booking/internal/dbstore"
	"github.com/askproai/backend/services/booking/internal/handler"
	"github.com/askproai/backend/services/booking/internal/ledger"
	"github.com/askproai/backend/services/booking/internal/lock"
	"github.com/askproai/backend/services/booking/internal/notify"
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
	bus, err := rpc.NewClient(p.Redis, rpc.ClientConfig{Instance: cfg.Instance, Namespace: cfg.Namespace}, p.Logger, p.Metrics)
	if err != nil {
		return closeWith(p, fmt.Errorf("rpc client: %w", err))
	}
	p.OnClose(bus.Close)
	svc, err := booking.New(booking.Deps{
		Store:    dbstore.New(database.NewClient(bus), cfg.CatalogueTTL),
		Calendar: calendar.New(bus),
		Locker:   lock.New(p.Redis, cfg.Namespace),
		Ledger:   ledger.New(p.Redis, cfg.Namespace, 0),
		Notifier: notifier(cfg, p),
	}, booking.Config{LockTTL: cfg.LockTTL, IdempotencyTTL: cfg.IdempotencyTTL, SearchDays: cfg.SearchDays,
		ReconcileAfter: cfg.ReconcileAfter, Region: cfg.Region, Now: clock.Now}, p.Logger)
	if err != nil {
		return closeWith(p, err)
	}
	srv, err := rpc.NewServer(p.Redis, rpc.ServerConfig{Service: "booking", Instance: cfg.Instance,
		Namespace: cfg.Namespace, Workers: cfg.Workers, DrainTimeout: cfg.DrainTimeout,
		ClaimMinIdle: cfg.ClaimMinIdle,
		Version:      lifecycle.Version}, p.Logger, p.Metrics)
	if err != nil {
		return closeWith(p, fmt.Errorf("rpc server: %w", err))
	}
	h := handler.New(svc, bus)
	handler.Register(srv, h)
	handler.Subscribe(srv, h, cfg.ConfirmGroup)
	reconcile := func(ctx context.Context) error { return svc.RunReconciler(ctx, cfg.ReconcileEvery) }
	p.Health.Add("rpc", srv.Ready)
	return p.Run(ctx, srv.Run, reconcile)
}

// notifier builds the confirmation channels the configuration enables.
func notifier(cfg Config, p *lifecycle.Process) *notify.Dispatcher {
	var channels []notify.Channel
	if cfg.SMTP.Addr != "" {
		channels = append(channels, notify.NewSMTP(notify.SMTPConfig{Addr: cfg.SMTP.Addr, From: cfg.SMTP.From,
			Username: cfg.SMTP.Username, Password: cfg.SMTP.Password, StartTLS: cfg.SMTP.StartTLS}))
	}
	switch cfg.SMS.Provider {
	case "http":
		channels = append(channels, notify.NewSMS(notify.NewHTTPProvider(cfg.SMS.URL, cfg.SMS.Token, cfg.SMS.Sender, 0)))
	case "log":
		channels = append(channels, notify.NewSMS(notify.NewLogProvider(p.Logger.With().Str("component", "sms").Logger())))
	}
	return notify.New(p.Redis, cfg.Namespace, notify.Config{}, p.Logger.With().Str("component", "notify").Logger(), channels...)
}

// closeWith releases what Start acquired when wiring fails before Run.
func closeWith(p *lifecycle.Process, err error) error {
	_ = p.Close()
	return err
}
