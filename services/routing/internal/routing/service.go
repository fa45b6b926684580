package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/askproai/backend/pkg/phone"
)

// Branch is a location of a tenant as routing needs it.
type Branch struct {
	ID, CompanyID, Name, PhoneNumber, TimeZone string
	Hours                                      OpeningHours
}

// BranchStaff is a staff member with the services (event type ids) they offer.
type BranchStaff struct {
	StaffMember
	EventTypeIDs []string
}

// Directory reads branches and catalogues (the database service). Lookups of records that do
// not exist, or belong to another tenant, return an error matching ErrNotFound.
type Directory interface {
	BranchByPhone(ctx context.Context, e164 string) (Branch, error)
	Branch(ctx context.Context, companyID, branchID string) (Branch, error)
	EventTypes(ctx context.Context, companyID, branchID string) ([]EventType, error)
	Staff(ctx context.Context, companyID, branchID string) ([]BranchStaff, error)
}

// SlotQuery asks who is free for an event type at one start time.
type SlotQuery struct {
	CompanyID, BranchID, EventTypeID string
	Start                            time.Time
	TimeZone                         string
}

// Availability asks the booking side which staff are free; routing never reads calendars
// itself.
type Availability interface {
	FreeStaff(ctx context.Context, q SlotQuery) (staffIDs []string, err error)
}

// BranchRef names a branch of a tenant.
type BranchRef struct{ CompanyID, BranchID string }

// Options configure a Service; zero values take the defaults noted.
type Options struct {
	Region          string               // region of numbers without country code, phone.DefaultRegion
	CacheTTL        time.Duration        // how long branches and catalogues are cached, 1 h
	DefaultTimeZone string               // when no branch is named, "Europe/Berlin"
	Agents          map[string]BranchRef // Retell agent id → branch, for web calls
	Now             func() time.Time     // time.Now
}

// Service answers routing's four questions.
type Service struct {
	dir      Directory
	avail    Availability
	opts     Options
	defLoc   *time.Location
	byPhone  *ttlCache[Branch]
	byID     *ttlCache[Branch]
	catalogs *ttlCache[*branchCatalog]
}

// branchCatalog is a branch's prepared parser with its staff and zone.
type branchCatalog struct {
	parser *Parser
	staff  []BranchStaff
	loc    *time.Location
}

// NewService builds a Service.
func NewService(dir Directory, avail Availability, opts Options) (*Service, error) {
	if dir == nil || avail == nil {
		return nil, errors.New("routing service needs a directory and an availability source")
	}
	opts = withDefaults(opts)
	loc, err := time.LoadLocation(opts.DefaultTimeZone)
	if err != nil {
		return nil, fmt.Errorf("default time zone: %w", err)
	}
	return &Service{
		dir: dir, avail: avail, opts: opts, defLoc: loc,
		byPhone:  newTTLCache[Branch](opts.CacheTTL, opts.Now),
		byID:     newTTLCache[Branch](opts.CacheTTL, opts.Now),
		catalogs: newTTLCache[*branchCatalog](opts.CacheTTL, opts.Now),
	}, nil
}

func withDefaults(o Options) Options {
	if o.Region == "" {
		o.Region = phone.DefaultRegion
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = time.Hour
	}
	if o.DefaultTimeZone == "" {
		o.DefaultTimeZone = "Europe/Berlin"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ResolveBranch finds the branch a number (in any common notation) belongs to, from the cache
// when it can. An unknown number is an *UnknownNumberError, text that is no number a
// *phone.Error (errors.Is phone.ErrInvalid).
func (s *Service) ResolveBranch(ctx context.Context, raw string) (Branch, error) {
	e164, err := phone.Normalize(raw, s.opts.Region)
	if err != nil {
		return Branch{}, fmt.Errorf("resolve branch: %w", err)
	}
	if b, ok := s.byPhone.get(e164); ok {
		return b, nil
	}
	b, err := s.dir.BranchByPhone(ctx, e164)
	if errors.Is(err, ErrNotFound) {
		return Branch{}, &UnknownNumberError{Number: e164}
	}
	if err != nil {
		return Branch{}, fmt.Errorf("branch by phone: %w", err)
	}
	s.byPhone.put(e164, b.ID, b)
	return b, nil
}

// InvalidateBranch drops everything cached about a branch and its numbers (old and new).
func (s *Service) InvalidateBranch(branchID string, phones ...string) {
	var keys []string
	for _, p := range phones {
		if e164, err := phone.Normalize(p, s.opts.Region); err == nil {
			keys = append(keys, e164)
		}
	}
	s.byPhone.drop(branchID, keys...)
	s.byID.drop(branchID, branchID)
	s.catalogs.drop(branchID, branchID)
}

// branch loads a branch of a tenant through the cache.
func (s *Service) branch(ctx context.Context, companyID, branchID string) (Branch, error) {
	key := companyID + "/" + branchID
	if b, ok := s.byID.get(key); ok {
		return b, nil
	}
	b, err := s.dir.Branch(ctx, companyID, branchID)
	if err != nil {
		return Branch{}, fmt.Errorf("load branch: %w", err)
	}
	s.byID.put(key, b.ID, b)
	return b, nil
}
