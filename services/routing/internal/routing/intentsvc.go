package routing

import (
	"context"
	"fmt"
	"time"
)

// AnalyzeIntent understands text against a branch's catalogue and opening hours, in its time
// zone. Without a branch it uses the tenant's whole catalogue and the default zone.
func (s *Service) AnalyzeIntent(ctx context.Context, companyID, branchID, text string, ref time.Time) (Intent, error) {
	cat, err := s.catalog(ctx, companyID, branchID)
	if err != nil {
		return Intent{}, err
	}
	if ref.IsZero() {
		ref = s.opts.Now()
	}
	return cat.parser.Analyze(text, ref, cat.loc), nil
}

// FindAvailableStaff lists the staff of a branch who offer eventTypeID and, by the booking
// side's answer, are free at start.
func (s *Service) FindAvailableStaff(ctx context.Context, companyID, branchID, eventTypeID string, start time.Time) ([]StaffMember, error) {
	cat, err := s.catalog(ctx, companyID, branchID)
	if err != nil {
		return nil, err
	}
	offering := offeringStaff(cat.staff, eventTypeID)
	if len(offering) == 0 {
		return nil, nil
	}
	free, err := s.avail.FreeStaff(ctx, SlotQuery{
		CompanyID: companyID, BranchID: branchID, EventTypeID: eventTypeID, Start: start, TimeZone: cat.loc.String(),
	})
	if err != nil {
		return nil, fmt.Errorf("free staff: %w", err)
	}
	isFree := make(map[string]bool, len(free))
	for _, id := range free {
		isFree[id] = true
	}
	var out []StaffMember
	for _, st := range offering {
		if isFree[st.ID] {
			out = append(out, st.StaffMember)
		}
	}
	return out, nil
}

func offeringStaff(staff []BranchStaff, eventTypeID string) []BranchStaff {
	var out []BranchStaff
	for _, st := range staff {
		for _, id := range st.EventTypeIDs {
			if id == eventTypeID {
				out = append(out, st)
				break
			}
		}
	}
	return out
}

// catalog loads and prepares a branch's catalogue through the cache.
func (s *Service) catalog(ctx context.Context, companyID, branchID string) (*branchCatalog, error) {
	key := companyID + "/" + branchID
	if c, ok := s.catalogs.get(key); ok {
		return c, nil
	}
	c, err := s.loadCatalog(ctx, companyID, branchID)
	if err != nil {
		return nil, err
	}
	s.catalogs.put(key, branchID, c)
	return c, nil
}

func (s *Service) loadCatalog(ctx context.Context, companyID, branchID string) (*branchCatalog, error) {
	cat := Catalog{}
	loc := s.defLoc
	if branchID != "" {
		b, err := s.branch(ctx, companyID, branchID)
		if err != nil {
			return nil, err
		}
		cat.Hours = b.Hours
		if l, err := time.LoadLocation(b.TimeZone); err == nil && b.TimeZone != "" {
			loc = l
		}
	}
	ets, err := s.dir.EventTypes(ctx, companyID, branchID)
	if err != nil {
		return nil, fmt.Errorf("load event types: %w", err)
	}
	staff, err := s.dir.Staff(ctx, companyID, branchID)
	if err != nil {
		return nil, fmt.Errorf("load staff: %w", err)
	}
	cat.EventTypes = ets
	cat.Region = s.opts.Region
	for _, st := range staff {
		cat.Staff = append(cat.Staff, st.StaffMember)
	}
	return &branchCatalog{parser: NewParser(cat), staff: staff, loc: loc}, nil
}
