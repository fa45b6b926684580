package booking

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// HandleConflict offers alternatives to a slot that is gone: the same staff member at the
// nearest times that day, other staff at the same time, and the next days nearest the same time
// of day. c.At is the wished start; c.StaffID the wished staff member (empty: anybody).
func (s *Service) HandleConflict(ctx context.Context, c Criteria) (Alternatives, error) {
	if c.At.IsZero() {
		return Alternatives{}, fmt.Errorf("handle conflict: %w", invalid("at", "missing"))
	}
	cat, err := s.loadCatalogue(ctx, c.CompanyID, c.BranchID, c.EventTypeID, c.TimeZone)
	if err != nil {
		return Alternatives{}, fmt.Errorf("handle conflict: %w", err)
	}
	wished, err := cat.candidates(c.StaffID)
	if err != nil {
		return Alternatives{}, fmt.Errorf("handle conflict: %w", err)
	}
	limit := c.Limit
	if limit <= 0 {
		limit = DefaultOptions
	}
	var a Alternatives
	if a.SameStaff, err = s.sameDay(ctx, c, cat, wished, limit); err != nil {
		return Alternatives{}, fmt.Errorf("handle conflict: same staff: %w", err)
	}
	if c.StaffID != "" {
		if a.OtherStaff, err = s.otherStaff(ctx, c, cat, limit); err != nil {
			return Alternatives{}, fmt.Errorf("handle conflict: other staff: %w", err)
		}
	}
	if a.NextDays, err = s.nextDays(ctx, c, cat, wished, limit); err != nil {
		return Alternatives{}, fmt.Errorf("handle conflict: next days: %w", err)
	}
	a.Message = alternativesSentence(c.At, a, cat.loc)
	if refusal := s.ruleRefusal(ctx, c.CompanyID, cat, wished, c.At); refusal != nil {
		all := a.all()
		a.Message = refusal.listing(all[:min(len(all), 3)])
	}
	return a, nil
}

func (s *Service) sameDay(ctx context.Context, c Criteria, cat catalogue, staff []Staff, limit int) ([]Option, error) {
	from, to := localDay(c.At, cat.loc)
	opts, err := s.freeOptions(ctx, c.CompanyID, cat, staff, from, to, "")
	if err != nil {
		return nil, err
	}
	kept := opts[:0]
	for _, o := range opts {
		if !o.Start.Equal(c.At) {
			kept = append(kept, o)
		}
	}
	return nearest(kept, c.At, limit), nil
}

func (s *Service) otherStaff(ctx context.Context, c Criteria, cat catalogue, limit int) ([]Option, error) {
	var others []Staff
	for _, st := range cat.staff {
		if st.ID != c.StaffID {
			others = append(others, st)
		}
	}
	opts, err := s.freeOptions(ctx, c.CompanyID, cat, others, c.At, c.At.Add(time.Minute), "")
	if err != nil {
		return nil, err
	}
	return nearest(opts, c.At, limit), nil
}

// nextDays asks once for the whole look-ahead and keeps, per local day, the option nearest the
// wished time of day, for up to limit days.
func (s *Service) nextDays(ctx context.Context, c Criteria, cat catalogue, staff []Staff, limit int) ([]Option, error) {
	_, from := localDay(c.At, cat.loc)
	to := from.In(cat.loc).AddDate(0, 0, s.cfg.SearchDays).UTC()
	opts, err := s.freeOptions(ctx, c.CompanyID, cat, staff, from, to, "")
	if err != nil {
		return nil, err
	}
	byDay := map[string][]Option{}
	var days []string
	for _, o := range opts {
		d := o.Start.In(cat.loc).Format(time.DateOnly)
		if _, ok := byDay[d]; !ok {
			days = append(days, d)
		}
		byDay[d] = append(byDay[d], o)
	}
	slices.Sort(days)
	var out []Option
	for _, d := range days[:min(len(days), limit)] {
		day, _ := time.ParseInLocation(time.DateOnly, d, cat.loc)
		w := c.At.In(cat.loc)
		sameTime := time.Date(day.Year(), day.Month(), day.Day(), w.Hour(), w.Minute(), 0, 0, cat.loc)
		out = append(out, nearest(byDay[d], sameTime, 1)...)
	}
	return out, nil
}
