// Package booking is the booking domain: finding free slots, booking them without ever
// double-booking a staff member, offering alternatives when a slot is gone, cancelling and
// moving appointments, and composing German confirmations. It talks to the outside only through
// the ports in ports.go; it knows nothing of Redis, PostgreSQL or the bus.
package booking

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/phone"
)

// DefaultOptions is how many options checkAvailability offers when the criteria do not say.
const DefaultOptions = 3

// Config tunes the Service; zero values take the defaults noted.
type Config struct {
	LockTTL        time.Duration // reservation lifetime; default 30s
	IdempotencyTTL time.Duration // how long a create result is remembered; default 24h
	CompensateTTL  time.Duration // budget for undoing an upstream booking; default 10s
	LockMargin     time.Duration // the write must finish this long before the lock expires; default 1s
	SearchDays     int           // days handleConflict looks ahead; default 7
	ReconcileAfter time.Duration // orphan records younger than this are left alone; default 2m
	Region         string        // region of phone numbers without country code; default phone.DefaultRegion
	Now            func() time.Time
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.LockTTL, 30*time.Second)
	def(&c.IdempotencyTTL, 24*time.Hour)
	def(&c.CompensateTTL, 10*time.Second)
	def(&c.LockMargin, time.Second)
	def(&c.ReconcileAfter, 2*time.Minute)
	if c.SearchDays <= 0 {
		c.SearchDays = 7
	}
	if c.Region == "" {
		c.Region = phone.DefaultRegion
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Service books, moves and cancels appointments.
type Service struct {
	store    Store
	calendar Calendar
	locker   Locker
	ledger   Ledger
	notifier Notifier
	cfg      Config
	log      zerolog.Logger
}

// Deps are the ports a Service needs.
type Deps struct {
	Store    Store
	Calendar Calendar
	Locker   Locker
	Ledger   Ledger
	Notifier Notifier // may be nil: confirmations are then not sent
}

// New builds a Service.
func New(d Deps, cfg Config, log zerolog.Logger) (*Service, error) {
	if d.Store == nil || d.Calendar == nil || d.Locker == nil || d.Ledger == nil {
		return nil, fmt.Errorf("new booking service: store, calendar, locker and ledger are required")
	}
	return &Service{store: d.Store, calendar: d.Calendar, locker: d.Locker, ledger: d.Ledger,
		notifier: d.Notifier, cfg: cfg.withDefaults(), log: log}, nil
}

// catalogue is what one request needs to know about a branch.
type catalogue struct {
	branch    Branch
	loc       *time.Location
	eventType EventType
	staff     []Staff // active staff who offer the event type
}

func (s *Service) loadCatalogue(ctx context.Context, companyID, branchID, eventTypeID, tz string) (catalogue, error) {
	if companyID == "" || branchID == "" || eventTypeID == "" {
		return catalogue{}, invalid("company_id/branch_id/event_type_id", "missing")
	}
	branch, err := s.store.Branch(ctx, companyID, branchID)
	if err != nil {
		return catalogue{}, fmt.Errorf("load branch: %w", err)
	}
	if tz == "" {
		tz = branch.TimeZone
	}
	loc, err := location(tz)
	if err != nil {
		return catalogue{}, err
	}
	et, err := s.eventType(ctx, companyID, branchID, eventTypeID)
	if err != nil {
		return catalogue{}, err
	}
	all, err := s.store.Staff(ctx, companyID, branchID)
	if err != nil {
		return catalogue{}, fmt.Errorf("load staff: %w", err)
	}
	c := catalogue{branch: branch, loc: loc, eventType: et}
	for _, st := range all {
		if st.Offers(eventTypeID) {
			c.staff = append(c.staff, st)
		}
	}
	return c, nil
}

func (s *Service) eventType(ctx context.Context, companyID, branchID, id string) (EventType, error) {
	types, err := s.store.EventTypes(ctx, companyID, branchID)
	if err != nil {
		return EventType{}, fmt.Errorf("load event types: %w", err)
	}
	for _, et := range types {
		if et.ID == id {
			if et.Duration <= 0 {
				return EventType{}, invalid("event_type_id", "event type has no duration")
			}
			return et, nil
		}
	}
	return EventType{}, fmt.Errorf("event type %s: %w", id, ErrNotFound)
}

// pick returns the staff member with id, or ErrValidation when they do not offer the service.
func (c catalogue) pick(id string) (Staff, error) {
	for _, st := range c.staff {
		if st.ID == id {
			return st, nil
		}
	}
	return Staff{}, invalid("staff_id", "staff member does not offer this service")
}

// candidates is the staff to search: the one asked for, or everybody who offers the service.
func (c catalogue) candidates(staffID string) ([]Staff, error) {
	if staffID == "" {
		return c.staff, nil
	}
	st, err := c.pick(staffID)
	if err != nil {
		return nil, err
	}
	return []Staff{st}, nil
}

// detached is a context for undoing work after the request's own context ended: it keeps the
// values (tenant, trace) and gets its own budget.
func (s *Service) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.cfg.CompensateTTL)
}

// MaxReservation bounds how long reserveSlot may hold a slot.
const MaxReservation = 5 * time.Minute

// ReserveSlot holds slot for ttl (the service's lock TTL when zero) so a caller can decide
// without losing it; create books under it with the returned token. The staff member must be
// the tenant's own.
func (s *Service) ReserveSlot(ctx context.Context, companyID string, slot Slot, ttl time.Duration) (Lock, error) {
	switch {
	case companyID == "":
		return Lock{}, fmt.Errorf("reserve slot: %w", invalid("company_id", "missing"))
	case slot.StaffID == "":
		return Lock{}, fmt.Errorf("reserve slot: %w", invalid("staff_id", "missing"))
	case slot.Start.IsZero() || !slot.End.After(slot.Start):
		return Lock{}, fmt.Errorf("reserve slot: %w", invalid("start/duration", "empty interval"))
	case ttl > MaxReservation:
		return Lock{}, fmt.Errorf("reserve slot: %w", invalid("ttl", "at most 5 minutes"))
	case ttl <= 0:
		ttl = s.cfg.LockTTL
	}
	staff, err := s.store.Staff(ctx, companyID, "")
	if err != nil {
		return Lock{}, fmt.Errorf("reserve slot: load staff: %w", err)
	}
	if !slices.ContainsFunc(staff, func(st Staff) bool { return st.ID == slot.StaffID }) {
		return Lock{}, fmt.Errorf("reserve slot: staff %s: %w", slot.StaffID, ErrNotFound)
	}
	l, err := s.locker.Reserve(ctx, slot, ttl)
	if err != nil {
		return Lock{}, fmt.Errorf("reserve slot: %w", err)
	}
	return l, nil
}
