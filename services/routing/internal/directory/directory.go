// Package directory reads branches and catalogues from the database service for routing: it
// implements routing.Directory over pkg/api/database and turns the wire shapes into the
// domain's.
package directory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/routing/internal/routing"
)

// Database is the part of the database client routing uses.
type Database interface {
	BranchByPhone(ctx context.Context, p database.BranchByPhoneParams, opts ...rpc.CallOption) (database.Branch, error)
	Branch(ctx context.Context, p database.BranchParams, opts ...rpc.CallOption) (database.Branch, error)
	EventTypes(ctx context.Context, p database.CatalogueParams, opts ...rpc.CallOption) (database.EventTypeList, error)
	Staff(ctx context.Context, p database.CatalogueParams, opts ...rpc.CallOption) (database.StaffList, error)
}

// Directory implements routing.Directory. Lookups run on the high lane: a caller is waiting.
type Directory struct{ db Database }

// New returns a Directory over db.
func New(db Database) *Directory { return &Directory{db: db} }

var _ routing.Directory = (*Directory)(nil)

// BranchByPhone implements routing.Directory. Inactive branches answer no calls.
func (d *Directory) BranchByPhone(ctx context.Context, e164 string) (routing.Branch, error) {
	b, err := d.db.BranchByPhone(ctx, database.BranchByPhoneParams{PhoneNumber: e164}, rpc.WithLane(rpc.LaneHigh))
	if err == nil && !b.Active {
		return routing.Branch{}, routing.ErrNotFound
	}
	return toBranch(b), domainError(err)
}

// Branch implements routing.Directory.
func (d *Directory) Branch(ctx context.Context, companyID, branchID string) (routing.Branch, error) {
	b, err := d.db.Branch(ctx, database.BranchParams{CompanyID: companyID, BranchID: branchID}, rpc.WithLane(rpc.LaneHigh))
	return toBranch(b), domainError(err)
}

// EventTypes implements routing.Directory; inactive ones are left out.
func (d *Directory) EventTypes(ctx context.Context, companyID, branchID string) ([]routing.EventType, error) {
	list, err := d.db.EventTypes(ctx, database.CatalogueParams{CompanyID: companyID, BranchID: branchID}, rpc.WithLane(rpc.LaneHigh))
	if err != nil {
		return nil, domainError(err)
	}
	var out []routing.EventType
	for _, et := range list.EventTypes {
		if et.Active {
			out = append(out, routing.EventType{ID: et.ID, Name: et.Name, Aliases: et.Aliases})
		}
	}
	return out, nil
}

// Staff implements routing.Directory; inactive staff are left out.
func (d *Directory) Staff(ctx context.Context, companyID, branchID string) ([]routing.BranchStaff, error) {
	list, err := d.db.Staff(ctx, database.CatalogueParams{CompanyID: companyID, BranchID: branchID}, rpc.WithLane(rpc.LaneHigh))
	if err != nil {
		return nil, domainError(err)
	}
	var out []routing.BranchStaff
	for _, s := range list.Staff {
		if s.Active {
			out = append(out, routing.BranchStaff{
				StaffMember:  routing.StaffMember{ID: s.ID, Name: s.Name, Aliases: s.Aliases},
				EventTypeIDs: s.EventTypeIDs,
			})
		}
	}
	return out, nil
}

func domainError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, rpc.ErrNotFound) {
		return fmt.Errorf("%w: %w", routing.ErrNotFound, err)
	}
	return err
}

func toBranch(b database.Branch) routing.Branch {
	return routing.Branch{
		ID: b.ID, CompanyID: b.CompanyID, Name: b.Name, PhoneNumber: b.PhoneNumber, TimeZone: b.TimeZone,
		Hours: Hours(b.OpeningHours),
	}
}

var dayKeys = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Hours converts the database's opening hours ("mon": [{"09:00", "18:00"}]) to the domain's.
// Malformed intervals are skipped rather than failing the call: the parser then falls back to
// plausible hours for that day.
func Hours(oh database.OpeningHours) routing.OpeningHours {
	var h routing.OpeningHours
	for key, ranges := range oh {
		wd, ok := dayKeys[strings.ToLower(key)]
		if !ok {
			continue
		}
		for _, r := range ranges {
			from, okF := minutes(r.From)
			to, okT := minutes(r.To)
			if okF && okT && from < to {
				h[wd] = append(h[wd], routing.Span{From: from, To: to})
			}
		}
	}
	return h
}

// minutes parses "09:00" or "24:00" into minutes after midnight.
func minutes(hhmm string) (int, bool) {
	hs, ms, ok := strings.Cut(hhmm, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h*60+m > 24*60 {
		return 0, false
	}
	return h*60 + m, true
}
