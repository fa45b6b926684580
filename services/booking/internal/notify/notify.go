// Package notify sends booking confirmations (booking.Notifier) on every channel a caller can
// be reached on: e-mail over SMTP and SMS through a Provider. Each delivery is retried with
// exponential backoff and full jitter, and sent at most once per event and channel: an
// in-progress marker is taken with SET NX before sending and replaced by a "sent" marker after
// success (both in Redis, one key per event and channel), so a redelivered event, or two
// instances handling it at once, never send twice.
package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/services/booking/internal/booking"
)

// Channel is one way to reach a caller.
type Channel interface {
	// Name is stable: it is part of the sent-marker key.
	Name() string
	// Reaches reports whether the contact can be reached on this channel.
	Reaches(c booking.Contact) bool
	Send(ctx context.Context, c booking.Confirmation) error
}

// ErrPermanent marks a failure that retrying will not fix (a refused address, a 4xx).
var ErrPermanent = errors.New("permanent delivery failure")

// Config tunes delivery.
type Config struct {
	Attempts    int           // per channel and event; default 4
	BaseBackoff time.Duration // first pause; doubles each attempt, with full jitter; default 200ms
	InFlightTTL time.Duration // how long an in-progress marker blocks others; default 2m
	SentTTL     time.Duration // how long a sent marker is remembered; default 30 days
}

// Dispatcher is the booking.Notifier.
type Dispatcher struct {
	rdb      redis.Cmdable
	ns       string
	channels []Channel
	cfg      Config
	log      zerolog.Logger
}

var _ booking.Notifier = (*Dispatcher)(nil)

// New returns a Dispatcher whose markers live under <namespace>:booking:notify:.
func New(rdb redis.Cmdable, namespace string, cfg Config, log zerolog.Logger, channels ...Channel) *Dispatcher {
	if cfg.Attempts <= 0 {
		cfg.Attempts = 4
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = 200 * time.Millisecond
	}
	if cfg.InFlightTTL <= 0 {
		cfg.InFlightTTL = 2 * time.Minute
	}
	if cfg.SentTTL <= 0 {
		cfg.SentTTL = 30 * 24 * time.Hour
	}
	return &Dispatcher{rdb: rdb, ns: namespace + ":booking:notify:", channels: channels, cfg: cfg, log: log}
}

const (
	markInFlight = "in_progress"
	markSent     = "sent"
)

// Notify delivers c on every channel that reaches its contact. It returns an error when a
// channel failed, so that the event is delivered again; channels already done are skipped then.
func (d *Dispatcher) Notify(ctx context.Context, c booking.Confirmation) error {
	var errs []error
	for _, ch := range d.channels {
		if !ch.Reaches(c.To) {
			continue
		}
		if err := d.deliverOnce(ctx, ch, c); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Name(), err))
		}
	}
	return errors.Join(errs...)
}

func (d *Dispatcher) deliverOnce(ctx context.Context, ch Channel, c booking.Confirmation) error {
	key := d.ns + c.EventID + ":" + ch.Name()
	ok, err := d.rdb.SetNX(ctx, key, markInFlight, d.cfg.InFlightTTL).Result()
	if err != nil {
		return fmt.Errorf("take in-progress marker: %w", err)
	}
	if !ok {
		mark, err := d.rdb.Get(ctx, key).Result()
		if err == nil && mark == markSent {
			return nil
		}
		return fmt.Errorf("delivery of event %s: %w", c.EventID, booking.ErrInProgress)
	}
	if err := d.retry(ctx, ch, c); err != nil {
		if derr := d.rdb.Del(context.WithoutCancel(ctx), key).Err(); derr != nil {
			d.log.Warn().Err(derr).Str("event_id", c.EventID).Msg("notify_marker_not_cleared")
		}
		return err
	}
	if err := d.rdb.Set(context.WithoutCancel(ctx), key, markSent, d.cfg.SentTTL).Err(); err != nil {
		// Sent, but the marker stays in_progress and expires: a redelivery after that could repeat it.
		d.log.Warn().Err(err).Str("event_id", c.EventID).Msg("notify_sent_marker_not_written")
	}
	d.log.Info().Str("event_id", c.EventID).Str("channel", ch.Name()).Str("kind", string(c.Kind)).
		Str("to_phone", logging.Phone(c.To.Phone)).Msg("confirmation_sent")
	return nil
}

func (d *Dispatcher) retry(ctx context.Context, ch Channel, c booking.Confirmation) error {
	var err error
	for attempt := range d.cfg.Attempts {
		if err = ch.Send(ctx, c); err == nil || errors.Is(err, ErrPermanent) {
			return err
		}
		if attempt == d.cfg.Attempts-1 {
			break
		}
		pause := rand.N(d.cfg.BaseBackoff << attempt)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("send: %w (last error: %w)", ctx.Err(), err)
		case <-t.C:
		}
	}
	return fmt.Errorf("send after %d attempts: %w", d.cfg.Attempts, err)
}
