package booking

import (
	"context"
	"time"

	"github.com/askproai/backend/pkg/schedule"
)

// rules are the booking rules of st at the catalogue's branch for its event type: the one
// source of truth for availability, conflict alternatives, create and reschedule. A branch that
// configures no opening hours is closed: nothing is offered or booked there until it has hours.
func (c catalogue) rules(st Staff) schedule.Rules {
	r := schedule.Rules{Location: c.loc, State: c.branch.State, Closings: c.branch.Closings,
		OpenOnHolidays: c.branch.OpenOnHolidays, TimeOff: st.TimeOff,
		Notice: c.eventType.Notice, HorizonDays: c.eventType.HorizonDays}
	if c.branch.Hours != nil {
		r.Branch = *c.branch.Hours
	}
	if w, ok := st.Hours[c.branch.ID]; ok {
		r.Staff = &w
	}
	return r
}

// refusalQuery is what a refusal's sentence needs to look for what is possible instead: whose
// calendar to search, and the appointment being moved (its own time does not count as busy).
type refusalQuery struct {
	companyID string
	cat       catalogue
	staff     []Staff
	ignoreID  string
}

// checkRules refuses a slot that breaks a rule with a *RuleError carrying a German sentence
// whose offer is a start the calendar has free for st.
func (s *Service) checkRules(ctx context.Context, companyID string, cat catalogue, st Staff, slot Slot, ignoreID string) error {
	r := cat.rules(st)
	v := r.Check(slot.Start, slot.End, s.cfg.Now())
	if v.OK() {
		return nil
	}
	q := refusalQuery{companyID: companyID, cat: cat, staff: []Staff{st}, ignoreID: ignoreID}
	return s.refusal(ctx, q, st, v, slot.Start)
}

// ruleRefusal is the rule the wished start breaks for every candidate (the first candidate's
// reason and sentence, offering the earliest free start of any candidate), or nil when some
// candidate may be booked then by the rules.
func (s *Service) ruleRefusal(ctx context.Context, companyID string, cat catalogue, staff []Staff, at time.Time) *RuleError {
	now := s.cfg.Now()
	var first *Staff
	var verdict schedule.Verdict
	for i, st := range staff {
		v := cat.rules(st).Check(at, at.Add(cat.eventType.Duration), now)
		if v.OK() {
			return nil
		}
		if first == nil {
			first, verdict = &staff[i], v
		}
	}
	if first == nil {
		return nil
	}
	return s.refusal(ctx, refusalQuery{companyID: companyID, cat: cat, staff: staff}, *first, verdict, at)
}

// refusal is the *RuleError of the wished start: what is true (head) and what is possible
// instead (offer).
func (s *Service) refusal(ctx context.Context, q refusalQuery, st Staff, v schedule.Verdict, start time.Time) *RuleError {
	now := s.cfg.Now()
	r := q.cat.rules(st)
	msg := refusalHead(q.cat, r, st, v, start, now)
	if offer := s.refusalOffer(ctx, q, v, start); offer != "" {
		msg += " " + offer
	}
	return &RuleError{Reason: v.Reason, Message: msg, head: refusalHead(q.cat, r, st, v, start, now)}
}

// refusalOffer says what is possible instead of start: the earliest start after it (for
// too_far: the latest before the horizon) that the calendar really has free. When the calendar
// cannot be asked, it names the start the rules allow and says that it could not check it;
// it never calls a start free that nobody checked.
func (s *Service) refusalOffer(ctx context.Context, q refusalQuery, v schedule.Verdict, start time.Time) string {
	if !hasHours(q.cat.rules(Staff{}).Branch) {
		return "" // the head says that nothing can be booked here
	}
	now, d := s.cfg.Now(), q.cat.eventType.Duration
	if v.Reason == schedule.ReasonTooFar {
		last, ok := latestByRules(q, d, now)
		if !ok {
			return ""
		}
		from := last.Add(-time.Duration(s.cfg.SearchDays) * 24 * time.Hour)
		opts, err := s.freeOptions(ctx, q.companyID, q.cat, q.staff, from, last.Add(time.Minute), q.ignoreID)
		switch {
		case err != nil:
			s.log.Warn().Err(err).Msg("refusal_offer_unchecked")
			return "Spätestens ginge es am " + SpokenTime(last, q.cat.loc) + "; ob dann etwas frei ist, kann ich gerade leider nicht nachsehen."
		case len(opts) == 0:
			return "Auch in den Tagen davor ist leider alles ausgebucht."
		}
		o := latestOption(opts)
		return "Der späteste freie Termin wäre am " + SpokenTime(o.Start, q.cat.loc) + withStaff(o.StaffName) + "."
	}
	next, ok := earliestByRules(q, start, d, now)
	if !ok {
		return "Bis zum Ende meines Buchungszeitraums kann ich leider keinen Termin mehr anbieten."
	}
	to := next.In(q.cat.loc).AddDate(0, 0, s.cfg.SearchDays)
	opts, err := s.freeOptions(ctx, q.companyID, q.cat, q.staff, next, to, q.ignoreID)
	if err != nil {
		s.log.Warn().Err(err).Msg("refusal_offer_unchecked")
		return "Frühestens ginge es wieder am " + SpokenTime(next, q.cat.loc) + "; ob dann etwas frei ist, kann ich gerade leider nicht nachsehen."
	}
	if len(opts) == 0 {
		last := to.AddDate(0, 0, -1)
		return "Bis zum " + spokenDate(last) + " ist" + withStaff(staffNameIfOne(q.staff)) + " leider alles ausgebucht."
	}
	o := nearest(opts, time.Time{}, 1)[0]
	return "Am " + SpokenTime(o.Start, q.cat.loc) + " wäre" + withStaff(o.StaffName) + " etwas frei."
}

// earliestByRules is the earliest start at or after start that the rules of any of the staff
// allow.
func earliestByRules(q refusalQuery, start time.Time, d time.Duration, now time.Time) (time.Time, bool) {
	var best time.Time
	for _, st := range q.staff {
		if t, ok := q.cat.rules(st).NextPossible(start, d, now); ok && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	return best, !best.IsZero()
}

// latestByRules is the latest start before the horizon that the rules of any of the staff allow.
func latestByRules(q refusalQuery, d time.Duration, now time.Time) (time.Time, bool) {
	var best time.Time
	for _, st := range q.staff {
		if t, ok := q.cat.rules(st).LastPossible(d, now); ok && t.After(best) {
			best = t
		}
	}
	return best, !best.IsZero()
}

func latestOption(opts []Option) Option {
	best := opts[0]
	for _, o := range opts[1:] {
		if o.Start.After(best.Start) {
			best = o
		}
	}
	return best
}

func staffNameIfOne(staff []Staff) string {
	if len(staff) == 1 {
		return staff[0].Name
	}
	return ""
}
