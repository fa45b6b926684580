package booking

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/askproai/backend/pkg/schedule"
)

// CheckAvailability offers the free slots nearest the wished time: slots Cal.com offers, minus
// our active appointments and live reservations, for staff who offer the service.
func (s *Service) CheckAvailability(ctx context.Context, c Criteria) (Availability, error) {
	if c.At.IsZero() && (c.From.IsZero() || !c.To.After(c.From)) {
		return Availability{}, invalid("at/from/to", "give a time or a non-empty range")
	}
	cat, err := s.loadCatalogue(ctx, c.CompanyID, c.BranchID, c.EventTypeID, c.TimeZone)
	if err != nil {
		return Availability{}, fmt.Errorf("check availability: %w", err)
	}
	staff, err := cat.candidates(c.StaffID)
	if err != nil {
		return Availability{}, fmt.Errorf("check availability: %w", err)
	}
	from, to := c.From, c.To
	if from.IsZero() {
		from, to = localDay(c.At, cat.loc)
	}
	opts, err := s.freeOptions(ctx, c.CompanyID, cat, staff, from, to, "")
	if err != nil {
		return Availability{}, fmt.Errorf("check availability: %w", err)
	}
	limit := c.Limit
	if limit <= 0 {
		limit = DefaultOptions
	}
	a := Availability{Options: nearest(opts, c.At, limit)}
	a.Exact = !c.At.IsZero() && len(a.Options) > 0 && a.Options[0].Start.Equal(c.At)
	a.Message = availabilitySentence(a, cat.loc)
	if !c.At.IsZero() && !a.Exact {
		if err := s.ruleRefusal(ctx, c.CompanyID, cat, staff, c.At); err != nil {
			a.Reason = err.Reason
			a.Message = err.listing(a.Options)
		}
	}
	if c.At.IsZero() && len(a.Options) == 0 {
		if err := s.closedRange(ctx, c.CompanyID, cat, staff, from, to); err != nil {
			a.Reason, a.Message = err.Reason, err.Message
		}
	}
	return a, nil
}

// closedRange is the refusal of a range asked for as a whole ("am Sonntag") when the branch is
// closed on every day of it (up to a year of them), said for its first day; nil when it opens
// on one of them.
func (s *Service) closedRange(ctx context.Context, companyID string, cat catalogue, staff []Staff, from, to time.Time) *RuleError {
	if len(staff) == 0 {
		return nil
	}
	r := cat.rules(Staff{})
	first := from.In(cat.loc)
	var verdict schedule.Verdict
	for i, day := 0, schedule.DateOf(first); i < 366 && day.Midnight(cat.loc).Before(to); i, day = i+1, schedule.DateOf(day.Midnight(cat.loc).AddDate(0, 0, 1)) {
		v := r.DayClosed(day)
		if v.OK() {
			return nil
		}
		if verdict.OK() {
			verdict = v
		}
	}
	if verdict.OK() {
		return nil
	}
	return s.refusal(ctx, refusalQuery{companyID: companyID, cat: cat, staff: staff}, staff[0], verdict, first)
}

// freeOptions lists every free start of the given staff in [from, to), skipping the appointment
// ignoreID (the one being moved). Staff members are asked in parallel.
func (s *Service) freeOptions(ctx context.Context, companyID string, cat catalogue, staff []Staff, from, to time.Time, ignoreID string) ([]Option, error) {
	if now := s.cfg.Now(); from.Before(now) {
		from = now
	}
	if !to.After(from) {
		return nil, nil
	}
	results := make([][]Option, len(staff))
	errs := make([]error, len(staff))
	var wg sync.WaitGroup
	for i, st := range staff {
		wg.Go(func() {
			results[i], errs[i] = s.staffOptions(ctx, companyID, cat, st, from, to, ignoreID)
		})
	}
	wg.Wait()
	var all []Option
	for i := range staff {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all = append(all, results[i]...)
	}
	return all, nil
}

func (s *Service) staffOptions(ctx context.Context, companyID string, cat catalogue, st Staff, from, to time.Time, ignoreID string) ([]Option, error) {
	starts, err := s.calendar.Slots(ctx, SlotQuery{CompanyID: companyID, EventType: cat.eventType,
		Staff: st, From: from, To: to, TimeZone: cat.loc.String()})
	if err != nil {
		return nil, fmt.Errorf("calendar slots of %s: %w", st.ID, err)
	}
	busy, err := s.busy(ctx, companyID, st.ID, from, to.Add(cat.eventType.Duration), ignoreID, "")
	if err != nil {
		return nil, err
	}
	rules, now := cat.rules(st), s.cfg.Now()
	var opts []Option
	for _, start := range starts {
		end := start.Add(cat.eventType.Duration)
		if start.Before(from) || !start.Before(to) || overlapsAny(busy, start, end) || !rules.Check(start, end, now).OK() {
			continue
		}
		opts = append(opts, Option{Slot: Slot{StaffID: st.ID, Start: start.UTC(), End: end.UTC()},
			StaffName: st.Name, Spoken: SpokenTime(start, cat.loc)})
	}
	return opts, nil
}

// busy is what blocks a staff member's time on our side: active appointments (except ignoreID)
// and live reservations (except the one holding ownToken).
func (s *Service) busy(ctx context.Context, companyID, staffID string, from, to time.Time, ignoreID, ownToken string) ([]Slot, error) {
	appts, err := s.store.ActiveAppointments(ctx, companyID, staffID, from, to)
	if err != nil {
		return nil, fmt.Errorf("active appointments of %s: %w", staffID, err)
	}
	locks, err := s.locker.Reservations(ctx, staffID)
	if err != nil {
		return nil, fmt.Errorf("reservations of %s: %w", staffID, err)
	}
	out := make([]Slot, 0, len(appts)+len(locks))
	for _, a := range appts {
		if a.ID != ignoreID {
			out = append(out, Slot{StaffID: staffID, Start: a.Start, End: a.End})
		}
	}
	for _, l := range locks {
		if l.Token != ownToken {
			out = append(out, l.Slot)
		}
	}
	return out, nil
}

// slotFree re-checks one slot right before booking it: Cal.com still offers the start and
// nothing of ours overlaps it.
//
// For a move (moving is the appointment being moved), Cal.com cannot offer a time that overlaps
// the appointment's own old time; there its reschedule call is the check.
func (s *Service) slotFree(ctx context.Context, companyID string, cat catalogue, st Staff, slot Slot, moving Booking, ownToken string) (bool, error) {
	if moving.StaffID != st.ID || !moving.Slot().Overlaps(slot.Start, slot.End) {
		starts, err := s.calendar.Slots(ctx, SlotQuery{CompanyID: companyID, EventType: cat.eventType,
			Staff: st, From: slot.Start, To: slot.End, TimeZone: cat.loc.String()})
		if err != nil {
			return false, fmt.Errorf("calendar slots of %s: %w", st.ID, err)
		}
		if !slices.ContainsFunc(starts, slot.Start.Equal) {
			return false, nil
		}
	}
	busy, err := s.busy(ctx, companyID, st.ID, slot.Start, slot.End, moving.ID, ownToken)
	if err != nil {
		return false, err
	}
	return !overlapsAny(busy, slot.Start, slot.End), nil
}

func overlapsAny(busy []Slot, start, end time.Time) bool {
	return slices.ContainsFunc(busy, func(b Slot) bool { return b.Overlaps(start, end) })
}

// nearest orders options by distance from at (earliest first when at is zero; ties by start,
// then staff name) and keeps limit of them.
func nearest(opts []Option, at time.Time, limit int) []Option {
	dist := func(o Option) time.Duration {
		if at.IsZero() {
			return 0
		}
		return absDur(o.Start.Sub(at))
	}
	slices.SortStableFunc(opts, func(a, b Option) int {
		if d := dist(a) - dist(b); d != 0 {
			return sign(d)
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.StaffName, b.StaffName)
	})
	return opts[:min(len(opts), limit)]
}

// localDay is the local calendar day around t: [midnight, next midnight) in loc, which is 23 or
// 25 hours long in the weeks the clocks change.
func localDay(t time.Time, loc *time.Location) (time.Time, time.Time) {
	l := t.In(loc)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	return start.UTC(), start.AddDate(0, 0, 1).UTC()
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func sign(d time.Duration) int {
	if d < 0 {
		return -1
	}
	return 1
}
