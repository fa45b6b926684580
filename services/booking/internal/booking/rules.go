package booking

import (
	"fmt"
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

// checkRules refuses a slot that breaks a rule with a *RuleError carrying a German sentence.
func (s *Service) checkRules(cat catalogue, st Staff, slot Slot) error {
	r := cat.rules(st)
	now := s.cfg.Now()
	v := r.Check(slot.Start, slot.End, now)
	if v.OK() {
		return nil
	}
	return &RuleError{Reason: v.Reason, Message: ruleSentence(r, v, cat.eventType, slot.Start, slot.End.Sub(slot.Start), now)}
}

// ruleSentence says what is true about the wished start and offers the next possible start.
func ruleSentence(r schedule.Rules, v schedule.Verdict, et EventType, start time.Time, d time.Duration, now time.Time) string {
	loc := r.Location
	l := start.In(loc)
	var head string
	switch v.Reason {
	case schedule.ReasonInThePast:
		head = "Dieser Zeitpunkt liegt in der Vergangenheit."
	case schedule.ReasonTooSoon:
		head = fmt.Sprintf("So kurzfristig kann ich leider nicht buchen; Termine gehen frühestens %s im Voraus.", spokenDuration(noticeOf(r)))
	case schedule.ReasonTooFar:
		head = "So weit im Voraus kann ich leider noch nicht buchen."
	case schedule.ReasonHoliday:
		head = fmt.Sprintf("Am %d. %s ist %s, da haben wir geschlossen.", l.Day(), germanMonths[l.Month()-1], v.Holiday)
	case schedule.ReasonClosed:
		switch {
		case v.Closing != nil && v.Closing.Label != "":
			head = fmt.Sprintf("Am %d. %s haben wir %s.", l.Day(), germanMonths[l.Month()-1], v.Closing.Label)
		case v.Closing != nil:
			head = fmt.Sprintf("Am %d. %s haben wir geschlossen.", l.Day(), germanMonths[l.Month()-1])
		default:
			head = fmt.Sprintf("%ss haben wir geschlossen.", germanWeekdays[l.Weekday()])
		}
	case schedule.ReasonOutsideOpeningHours:
		if !v.Closes.IsZero() && !v.LastStart.IsZero() {
			head = fmt.Sprintf("%ss schließen wir um %s; der letzte Termin für %s ist um %s.",
				germanWeekdays[l.Weekday()], spokenClock(v.Closes, loc), et.Name, spokenClock(v.LastStart, loc))
		} else {
			head = "Zu dieser Uhrzeit haben wir nicht geöffnet."
		}
	case schedule.ReasonStaffAbsent:
		head = "Zu dieser Zeit ist die Mitarbeiterin oder der Mitarbeiter leider nicht da."
	default:
		head = "Dieser Termin ist leider nicht möglich."
	}
	after := start
	if v.Reason == schedule.ReasonTooFar {
		return head
	}
	if next, ok := r.NextPossible(after, d, now); ok {
		return head + " " + fmt.Sprintf("Möglich wäre es wieder ab %s.", SpokenTime(next, loc))
	}
	return head
}

func noticeOf(r schedule.Rules) time.Duration {
	if r.Notice <= 0 {
		return schedule.DefaultNotice
	}
	return r.Notice
}

// spokenDuration is "2 Stunden", "90 Minuten", "1 Stunde".
func spokenDuration(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case m == 60:
		return "eine Stunde"
	case m%60 == 0:
		return fmt.Sprintf("%d Stunden", m/60)
	default:
		return fmt.Sprintf("%d Minuten", m)
	}
}

// ruleRefusal is the rule the wished start breaks for every candidate (the first candidate's
// reason and sentence), or nil when some candidate may be booked then by the rules.
func (s *Service) ruleRefusal(cat catalogue, staff []Staff, at time.Time) *RuleError {
	var first *RuleError
	for _, st := range staff {
		err := s.checkRules(cat, st, Slot{StaffID: st.ID, Start: at, End: at.Add(cat.eventType.Duration)})
		if err == nil {
			return nil
		}
		if first == nil {
			first = err.(*RuleError)
		}
	}
	return first
}
