package booking_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/dbstore"
)

// The opening-rules property test (issue 23): for every branch of the demo tenant and of a
// test tenant in two states, every day of 2027 (both DST changes, the holidays of Berlin and
// Bavaria), every 15-minute start, every staff member and every service, what
// checkAvailability offers, through the service's real code path over a calendar that has
// everything free, is exactly what the oracle (oracle_test.go) allows. Create is asked at
// every start the oracle allows and on both sides of every change of its answer (every start,
// for everyone, on the days where staff or clock make the day special; see day and creates):
// it books exactly what the oracle allows and refuses the rest with the oracle's reason.
// Reschedule is asked the same on every third day, and every fifth day the conflict
// alternatives around a wished start must all be slots the oracle allows. The
// clock is fixed: a series of fixed instants, one per 28-day window, so that each day is judged
// inside the booking horizon once, and the days at each service's horizon are judged as well.
//
// Create is sampled, not exhaustive, to keep the run short under -race: a million creates
// through the real path take minutes there. Offers are never sampled.

// tenant is one tenant of testdata/tenants.json, in the database service's wire form.
type tenant struct {
	Company    api.Company     `json:"company"`
	Branches   []api.Branch    `json:"branches"`
	EventTypes []api.EventType `json:"event_types"`
	Staff      []api.Staff     `json:"staff"`
}

func loadTenants(t *testing.T) []tenant {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "tenants.json"))
	require.NoError(t, err)
	var file struct {
		Tenants []tenant `json:"tenants"`
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	require.Len(t, file.Tenants, 2, "the demo tenant and the test tenant")
	return file.Tenants
}

// propertyClocks are the fixed clocks: from 30 December 2026, every 28 days at a different time
// of day (notice across midnight included), until the windows cover 2027.
func propertyClocks(loc *time.Location) []time.Time {
	times := [][2]int{{14, 7}, {7, 52}, {23, 20}, {17, 59}, {0, 10}, {11, 33}, {21, 1}}
	var out []time.Time
	for i := 0; ; i++ {
		day := time.Date(2026, 12, 30+28*i, 0, 0, 0, 0, loc)
		if day.Year() > 2027 {
			return out
		}
		hm := times[i%len(times)]
		out = append(out, time.Date(day.Year(), day.Month(), day.Day(), hm[0], hm[1], 0, 0, loc))
	}
}

func TestOpeningRulesProperty(t *testing.T) {
	for _, tn := range loadTenants(t) {
		t.Run(tn.Company.Name, func(t *testing.T) {
			store := newTenantStore(t, tn)
			for _, b := range tn.Branches {
				t.Run(b.Name, func(t *testing.T) {
					t.Parallel()
					o, err := newOracle(tn) // one per branch: it caches, unlocked
					require.NoError(t, err)
					checkBranch(t, tn, o, store, b)
				})
			}
		})
	}
}

// checkBranch judges every window of every clock at branch b.
func checkBranch(t *testing.T, tn tenant, o *oracle, store *tenantStore, b api.Branch) {
	loc := o.zones[b.ID]
	clocks := propertyClocks(loc)
	end := time.Date(2028, 1, 1, 0, 0, 0, 0, loc)
	events := offeredAt(tn, b)
	require.NotEmpty(t, events)
	c := &propCheck{t: t, tn: tn, o: o, b: b, loc: loc}
	c.refusesOthers(store)
	for i, now := range clocks {
		svc := newPropService(t, store, now)
		first := day0(now, loc)
		if i == 0 {
			first = first.AddDate(0, 0, -1) // a day in the past
		}
		last := end
		if i+1 < len(clocks) {
			last = day0(clocks[i+1], loc)
		}
		for day := first; day.Before(last); day = day.AddDate(0, 0, 1) {
			first := i == 0 && !day.After(day0(now, loc)) // the past day and the day of the first clock
			c.day(svc, now, day, events, first || c.special(day), first || c.clocksChange(day))
		}
		for horizon, ets := range byHorizon(o, events) { // the last day inside the horizon, the first beyond
			edge := day0(now, loc).AddDate(0, 0, horizon)
			c.day(svc, now, edge, ets, false, false)
			c.day(svc, now, edge.AddDate(0, 0, 1), ets, false, false)
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%s: %d availability answers, %d options offered, %d creates (%d booked), %d reschedules, "+
		"%d conflicts with %d alternatives", b.Name, c.availability, c.offered, c.created, c.booked, c.moved,
		c.conflicts, c.alternatives)
}

type propCheck struct {
	t   *testing.T
	tn  tenant
	o   *oracle
	b   api.Branch
	loc *time.Location
	// figures for the log, and a cap on reported mismatches
	availability, created, booked, offered, moved, conflicts, alternatives, mismatches int
}

func (c *propCheck) fail(format string, args ...any) {
	c.t.Helper()
	c.mismatches++
	if c.mismatches <= 20 {
		c.t.Errorf(format, args...)
	}
	if c.mismatches == 20 {
		c.t.FailNow()
	}
}

// day checks one local day: every start offered for every service and staff member, and
// creates (see creates) for every staff member and service when allJobs is set, else for one
// of them, taken in turn from day to day.
func (c *propCheck) day(svc *booking.Service, now, day time.Time, events []api.EventType, allJobs, allStarts bool) {
	ctx := c.t.Context()
	next := day.AddDate(0, 0, 1)
	type offer struct {
		staff string
		at    int64
	}
	for _, et := range events {
		c.availability++
		av, err := svc.CheckAvailability(ctx, booking.Criteria{CompanyID: c.tn.Company.ID, BranchID: c.b.ID,
			EventTypeID: et.ID, From: day, To: next, Limit: 1 << 20})
		require.NoError(c.t, err)
		got := map[offer]bool{}
		for _, opt := range av.Options {
			got[offer{opt.StaffID, opt.Start.Unix()}] = true
		}
		c.offered += len(av.Options)
		for _, st := range candidates(c.tn, c.b, et) {
			for start := quarter(day); start.Before(next); start = start.Add(15 * time.Minute) {
				key := offer{st.ID, start.Unix()}
				want := c.o.judge(c.b, st, et, start, now)
				if offerable := want == okSlot; got[key] != offerable {
					c.fail("%s at %s, %s with %s, now %s: offered=%v, oracle says %q",
						et.Name, c.b.Name, start.In(c.loc).Format("Mon 2006-01-02 15:04 MST"), st.Name,
						now.In(c.loc).Format("2006-01-02 15:04"), got[key], want)
				}
				delete(got, key)
			}
		}
		for key := range got {
			c.fail("%s at %s: offered %s with %s, no 15-minute start of a candidate", et.Name, c.b.Name,
				time.Unix(key.at, 0).In(c.loc), key.staff)
		}
	}
	jobs := c.createJobs(events)
	n := daysBetween(time.Date(2026, 12, 28, 12, 0, 0, 0, c.loc), day)
	if !allJobs {
		// Shift by a week's days each week, so that each staff member and service meets
		// every weekday.
		jobs = jobs[(n+n/7)%len(jobs):][:1]
	}
	for _, job := range jobs {
		for _, start := range c.creates(job, day, next, now, allStarts, n) {
			c.create(ctx, svc, job.st, job.et, start, now)
			if n%3 == 0 {
				c.reschedule(ctx, svc, job.st, job.et, start, now)
			}
		}
		if n%5 == 0 {
			c.conflict(ctx, svc, job.st, job.et, day.Add(time.Duration(8*60+(n%12)*75)*time.Minute), now)
		}
	}
}

// reschedule moves an appointment of the staff member (made long ago) to start, and compares
// as create does.
func (c *propCheck) reschedule(ctx context.Context, svc *booking.Service, st api.Staff, et api.EventType, start, now time.Time) {
	c.moved++
	want := c.o.judge(c.b, st, et, start, now)
	res, err := svc.Reschedule(ctx, booking.RescheduleRequest{CompanyID: c.tn.Company.ID,
		AppointmentID: movingID(c.b.ID, st.ID, et.ID), Start: start})
	got := okSlot
	var rule *booking.RuleError
	switch {
	case err == nil:
		if !res.Booking.Start.Equal(start) || res.Booking.End.Sub(start) != time.Duration(et.DurationMinutes)*time.Minute {
			c.fail("reschedule %s to %s: moved to %s-%s", et.Name, start, res.Booking.Start, res.Booking.End)
		}
	case errors.As(err, &rule):
		got = string(rule.Reason)
	default:
		c.fail("reschedule %s to %s with %s: %v", et.Name, start, st.Name, err)
		return
	}
	if got != want {
		c.fail("reschedule %s at %s to %s with %s, now %s: got %q, oracle says %q",
			et.Name, c.b.Name, start.In(c.loc).Format("Mon 2006-01-02 15:04 MST"), st.Name,
			now.In(c.loc).Format("2006-01-02 15:04"), got, want)
	}
}

// conflict asks for alternatives to a wished start with the staff member: every alternative
// (same staff that day, other staff then, the next days) must be one the oracle allows.
func (c *propCheck) conflict(ctx context.Context, svc *booking.Service, st api.Staff, et api.EventType, at, now time.Time) {
	c.conflicts++
	alt, err := svc.HandleConflict(ctx, booking.Criteria{CompanyID: c.tn.Company.ID, BranchID: c.b.ID,
		EventTypeID: et.ID, StaffID: st.ID, At: at, Limit: 1000})
	require.NoError(c.t, err)
	require.NotEmpty(c.t, alt.Message)
	for _, opt := range slices.Concat(alt.SameStaff, alt.OtherStaff, alt.NextDays) {
		c.alternatives++
		i := slices.IndexFunc(c.tn.Staff, func(s api.Staff) bool { return s.ID == opt.StaffID })
		require.GreaterOrEqual(c.t, i, 0, "alternative with unknown staff %s", opt.StaffID)
		if want := c.o.judge(c.b, c.tn.Staff[i], et, opt.Start, now); want != okSlot {
			c.fail("conflict %s at %s %s with %s, now %s: alternative %s with %s, oracle says %q",
				et.Name, c.b.Name, at.In(c.loc).Format("Mon 2006-01-02 15:04"), st.Name, now.In(c.loc).Format("2006-01-02 15:04"),
				opt.Start.In(c.loc).Format("Mon 2006-01-02 15:04 MST"), opt.StaffName, want)
		}
	}
}

// movingID names the appointment reschedule moves: one per branch, staff member and service.
func movingID(branchID, staffID, eventTypeID string) string {
	return "move|" + branchID + "|" + staffID + "|" + eventTypeID
}

// creates are the starts of the day to create at: all of them when all is set; else every
// start the oracle allows, every start on either side of a change of the oracle's answer,
// and every fourth of the rest (which fourth shifts from day to day).
func (c *propCheck) creates(job createJob, day, next, now time.Time, all bool, n int) []time.Time {
	var starts []time.Time
	var reasons []string
	for start := quarter(day); start.Before(next); start = start.Add(15 * time.Minute) {
		starts = append(starts, start)
		reasons = append(reasons, c.o.judge(c.b, job.st, job.et, start, now))
	}
	if all {
		return starts
	}
	var out []time.Time
	for i, start := range starts {
		edge := (i > 0 && reasons[i-1] != reasons[i]) || (i+1 < len(reasons) && reasons[i+1] != reasons[i])
		if reasons[i] == okSlot || edge || (i+n)%4 == 0 {
			out = append(out, start)
		}
	}
	return out
}

// create books the slot and compares with the oracle: booked when it allows, else refused with
// its reason.
func (c *propCheck) create(ctx context.Context, svc *booking.Service, st api.Staff, et api.EventType, start, now time.Time) {
	c.created++
	want := c.o.judge(c.b, st, et, start, now)
	res, err := svc.Create(ctx, booking.CreateRequest{CompanyID: c.tn.Company.ID, BranchID: c.b.ID,
		EventTypeID: et.ID, StaffID: st.ID, Start: start})
	got := okSlot
	var rule *booking.RuleError
	switch {
	case err == nil:
		c.booked++
		if !res.Booking.Start.Equal(start) {
			c.fail("create %s at %s: booked %s", et.Name, start, res.Booking.Start)
		}
	case errors.As(err, &rule):
		got = string(rule.Reason)
		if rule.Message == "" {
			c.fail("create %s at %s: refusal %s without a sentence", et.Name, start, got)
		}
	default:
		c.fail("create %s at %s with %s: %v", et.Name, start, st.Name, err)
		return
	}
	if got != want {
		c.fail("create %s at %s, %s with %s, now %s: got %q, oracle says %q",
			et.Name, c.b.Name, start.In(c.loc).Format("Mon 2006-01-02 15:04 MST"), st.Name,
			now.In(c.loc).Format("2006-01-02 15:04"), got, want)
	}
}

// special reports whether day deserves creates of every staff member and service: a day the
// clocks change, a holiday the branch opens on, or a day of time off of someone who works here.
// (A day closed as a whole is judged alike for everyone.)
func (c *propCheck) special(day time.Time) bool {
	next := day.AddDate(0, 0, 1)
	if c.clocksChange(day) || contains(c.b.OpenOnHolidays, day.Format(time.DateOnly)) {
		return true
	}
	for _, st := range c.tn.Staff {
		_, hours := st.WorkingHours[c.b.ID]
		if st.BranchID != c.b.ID && !hours {
			continue
		}
		for _, off := range st.TimeOff {
			if day.Before(off.To) && off.From.Before(next) {
				return true
			}
		}
	}
	return false
}

// clocksChange reports whether the local day is not 24 hours long.
func (c *propCheck) clocksChange(day time.Time) bool {
	return day.AddDate(0, 0, 1).Sub(day) != 24*time.Hour
}

type createJob struct {
	st api.Staff
	et api.EventType
}

// createJobs are the staff and services to create for: per staff member, one service of each
// distinct duration, notice and horizon (services alike in those are judged alike).
func (c *propCheck) createJobs(events []api.EventType) []createJob {
	var jobs []createJob
	seen := map[string]bool{}
	for _, et := range events {
		for _, st := range candidates(c.tn, c.b, et) {
			key := fmt.Sprintf("%s|%d|%d|%d", st.ID, et.DurationMinutes, c.o.noticeMinutes(et), c.o.horizonDays(et))
			if !seen[key] {
				seen[key] = true
				jobs = append(jobs, createJob{st: st, et: et})
			}
		}
	}
	return jobs
}

// refusesOthers checks that services not offered at the branch are not found, and staff who
// do not work there, are inactive or do not offer the service cannot be booked.
func (c *propCheck) refusesOthers(store *tenantStore) {
	svc := newPropService(c.t, store, time.Date(2026, 12, 30, 12, 0, 0, 0, c.loc))
	start := time.Date(2027, 1, 13, 11, 0, 0, 0, c.loc) // a Wednesday
	for _, et := range c.tn.EventTypes {
		offered := slices.ContainsFunc(offeredAt(c.tn, c.b), func(e api.EventType) bool { return e.ID == et.ID })
		_, err := svc.CheckAvailability(c.t.Context(), booking.Criteria{CompanyID: c.tn.Company.ID, BranchID: c.b.ID,
			EventTypeID: et.ID, At: start})
		if !offered {
			require.ErrorIs(c.t, err, booking.ErrNotFound, "%s at %s", et.Name, c.b.Name)
			continue
		}
		require.NoError(c.t, err)
		for _, st := range c.tn.Staff {
			if slices.ContainsFunc(candidates(c.tn, c.b, et), func(s api.Staff) bool { return s.ID == st.ID }) {
				continue
			}
			_, err := svc.Create(c.t.Context(), booking.CreateRequest{CompanyID: c.tn.Company.ID, BranchID: c.b.ID,
				EventTypeID: et.ID, StaffID: st.ID, Start: start})
			require.ErrorIs(c.t, err, booking.ErrValidation, "%s with %s at %s", et.Name, st.Name, c.b.Name)
		}
	}
}

// byHorizon groups the services by their booking horizon in days.
func byHorizon(o *oracle, events []api.EventType) map[int][]api.EventType {
	out := map[int][]api.EventType{}
	for _, et := range events {
		out[o.horizonDays(et)] = append(out[o.horizonDays(et)], et)
	}
	return out
}

// offeredAt lists the active services of the tenant offered at branch b.
func offeredAt(tn tenant, b api.Branch) []api.EventType {
	var out []api.EventType
	for _, et := range tn.EventTypes {
		if et.Active && (et.BranchID == "" || et.BranchID == b.ID) {
			out = append(out, et)
		}
	}
	return out
}

// candidates lists the active staff who offer et and work at b: their own branch, or a branch
// they have working hours at.
func candidates(tn tenant, b api.Branch, et api.EventType) []api.Staff {
	var out []api.Staff
	for _, st := range tn.Staff {
		_, hours := st.WorkingHours[b.ID]
		if st.Active && contains(st.EventTypeIDs, et.ID) && (st.BranchID == b.ID || hours) {
			out = append(out, st)
		}
	}
	return out
}

func day0(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// quarter is the first quarter hour at or after t.
func quarter(t time.Time) time.Time {
	q := t.Truncate(15 * time.Minute)
	if q.Before(t) {
		q = q.Add(15 * time.Minute)
	}
	return q
}

func newPropService(t *testing.T, store *tenantStore, now time.Time) *booking.Service {
	t.Helper()
	svc, err := booking.New(booking.Deps{Store: store, Calendar: freeCalendar{}, Locker: memLocker{}, Ledger: noLedger{}},
		booking.Config{Now: func() time.Time { return now }, SearchDays: 1}, zerolog.Nop())
	require.NoError(t, err)
	return svc
}

// tenantStore is the database service over one wire tenant, listing as it does (active
// records; staff of a branch: its own and those with working hours there; services of a
// branch: its own and those of every branch) and mapped by dbstore as the real adapter maps.
// It keeps no appointments: each create is judged on its own.
type tenantStore struct {
	companyID  string
	tz         string
	branches   map[string]booking.Branch
	eventTypes map[string][]booking.EventType
	staff      map[string][]booking.Staff
}

func newTenantStore(t *testing.T, tn tenant) *tenantStore {
	t.Helper()
	s := &tenantStore{companyID: tn.Company.ID, tz: tn.Company.TimeZone, branches: map[string]booking.Branch{},
		eventTypes: map[string][]booking.EventType{}, staff: map[string][]booking.Staff{}}
	for _, b := range tn.Branches {
		mb, err := dbstore.ToBranch(b)
		require.NoError(t, err)
		s.branches[b.ID] = mb
		for _, et := range tn.EventTypes {
			if et.Active && (et.BranchID == "" || et.BranchID == b.ID) {
				s.eventTypes[b.ID] = append(s.eventTypes[b.ID], dbstore.ToEventType(tn.Company, et))
			}
		}
	}
	for _, st := range tn.Staff {
		if !st.Active {
			continue
		}
		ms, err := dbstore.ToStaff(st)
		require.NoError(t, err)
		s.staff[""] = append(s.staff[""], ms)
		for _, b := range tn.Branches {
			if _, ok := st.WorkingHours[b.ID]; ok || st.BranchID == b.ID {
				s.staff[b.ID] = append(s.staff[b.ID], ms)
			}
		}
	}
	return s
}

func (s *tenantStore) Branch(_ context.Context, companyID, branchID string) (booking.Branch, error) {
	b, ok := s.branches[branchID]
	if !ok || companyID != s.companyID {
		return booking.Branch{}, booking.ErrNotFound
	}
	return b, nil
}

func (s *tenantStore) CompanyTimeZone(context.Context, string) (string, error) { return s.tz, nil }

func (s *tenantStore) EventTypes(_ context.Context, _, branchID string) ([]booking.EventType, error) {
	return s.eventTypes[branchID], nil
}

func (s *tenantStore) Staff(_ context.Context, _, branchID string) ([]booking.Staff, error) {
	return s.staff[branchID], nil
}

func (s *tenantStore) ActiveAppointments(context.Context, string, string, time.Time, time.Time) ([]booking.Booking, error) {
	return nil, nil
}

func (s *tenantStore) FindOrCreateCustomer(context.Context, string, booking.Contact) (string, error) {
	return "cust-1", nil
}

func (s *tenantStore) Customer(context.Context, string, string) (booking.Contact, error) {
	return booking.Contact{}, booking.ErrNotFound
}

func (s *tenantStore) CreateAppointment(_ context.Context, n booking.NewAppointment) (booking.Booking, error) {
	return booking.Booking{ID: "appt-1", CompanyID: n.CompanyID, BranchID: n.BranchID, StaffID: n.StaffID,
		EventTypeID: n.EventTypeID, CalcomBookingID: n.CalcomBookingID, Start: n.Start, End: n.End,
		Status: booking.StatusScheduled, ConfirmationNumber: "K7M2P9"}, nil
}

// Appointment is the appointment reschedule moves (see movingID): long past, so it is in
// nobody's way.
func (s *tenantStore) Appointment(_ context.Context, companyID, id string) (booking.Booking, error) {
	parts := strings.Split(id, "|")
	if len(parts) != 4 || parts[0] != "move" || companyID != s.companyID {
		return booking.Booking{}, booking.ErrNotFound
	}
	i := slices.IndexFunc(s.eventTypes[parts[1]], func(et booking.EventType) bool { return et.ID == parts[3] })
	if i < 0 {
		return booking.Booking{}, booking.ErrNotFound
	}
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	return booking.Booking{ID: id, CompanyID: companyID, BranchID: parts[1], StaffID: parts[2], EventTypeID: parts[3],
		CalcomBookingID: "cal-0", Start: start, End: start.Add(s.eventTypes[parts[1]][i].Duration),
		Status: booking.StatusScheduled, ConfirmationNumber: "M0V3D1"}, nil
}

func (s *tenantStore) ByConfirmation(context.Context, string, string) (booking.Booking, error) {
	return booking.Booking{}, booking.ErrNotFound
}

func (s *tenantStore) ByCustomerPhone(context.Context, string, string, time.Time) ([]booking.Booking, error) {
	return nil, nil
}

func (s *tenantStore) CancelAppointment(context.Context, string, string, string) (booking.Booking, error) {
	return booking.Booking{}, booking.ErrNotFound
}

func (s *tenantStore) RescheduleAppointment(ctx context.Context, m booking.Move) (booking.Booking, error) {
	old, err := s.Appointment(ctx, m.CompanyID, m.AppointmentID)
	if err != nil {
		return booking.Booking{}, err
	}
	b := old
	b.ID, b.StaffID, b.Start, b.End, b.CalcomBookingID, b.RescheduledFrom = "appt-2", m.StaffID, m.Start, m.End, m.CalcomBookingID, old.ID
	return b, nil
}

func (s *tenantStore) Audit(context.Context, booking.AuditEntry) error { return nil }

// freeCalendar is a Cal.com calendar with everything free: every quarter hour, day and night,
// so that only our rules decide.
type freeCalendar struct{}

func (freeCalendar) Slots(_ context.Context, q booking.SlotQuery) ([]time.Time, error) {
	var out []time.Time
	for s := quarter(q.From); s.Before(q.To); s = s.Add(15 * time.Minute) {
		out = append(out, s.UTC())
	}
	return out, nil
}

func (freeCalendar) CreateBooking(context.Context, booking.CalendarBooking) (string, error) {
	return "cal-1", nil
}

func (freeCalendar) CancelBooking(context.Context, string, string, string) error { return nil }

func (freeCalendar) RescheduleBooking(context.Context, string, string, time.Time, string) (string, error) {
	return "cal-2", nil
}

func (freeCalendar) FindBooking(context.Context, string, int64, time.Time, string) (string, bool, error) {
	return "", false, nil
}

// memLocker grants every reservation: the property test books one slot at a time, so it needs
// none of Redis's arbitration, and a million creates stay fast.
type memLocker struct{}

func (memLocker) Reserve(_ context.Context, slot booking.Slot, ttl time.Duration) (booking.Lock, error) {
	return booking.Lock{Slot: slot, Token: "token", Fence: 1}, nil
}

func (l memLocker) ReserveAs(ctx context.Context, slot booking.Slot, ttl time.Duration, _ string) (booking.Lock, error) {
	return l.Reserve(ctx, slot, ttl)
}

func (memLocker) Extend(_ context.Context, lock booking.Lock, _ time.Duration) (booking.Lock, error) {
	return lock, nil
}

func (memLocker) Release(context.Context, booking.Lock) error { return nil }

func (memLocker) Reservations(context.Context, string) ([]booking.Lock, error) { return nil, nil }

func (memLocker) Lookup(context.Context, string, string) (booking.Lock, error) {
	return booking.Lock{}, booking.ErrLockLost
}

// noLedger remembers nothing: the property test's creates carry no idempotency key.
type noLedger struct{}

func (noLedger) Begin(context.Context, string, time.Duration) (booking.CreateResult, bool, error) {
	return booking.CreateResult{}, false, nil
}

func (noLedger) Complete(context.Context, string, booking.CreateResult, time.Duration) error {
	return nil
}

func (noLedger) Abort(context.Context, string) error { return nil }

func (noLedger) RecordOrphan(context.Context, booking.Orphan) (string, error) { return "", nil }

func (noLedger) Orphans(context.Context) ([]booking.Orphan, error) { return nil, nil }

func (noLedger) ResolveOrphan(context.Context, string) error { return nil }
