package booking_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/schedule"
	"github.com/askproai/backend/pkg/testenv"
	"github.com/askproai/backend/services/booking/internal/booking"
	"github.com/askproai/backend/services/booking/internal/ledger"
	"github.com/askproai/backend/services/booking/internal/lock"
)

const company, branch = "c1", "b1"

var (
	berlin, _ = time.LoadLocation("Europe/Berlin")
	// now is Monday, 30 November 2026, 09:00 in Berlin.
	now = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	// wish is Tuesday, 1 December 2026, 14:30 in Berlin.
	wish = time.Date(2026, 12, 1, 13, 30, 0, 0, time.UTC)
)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, berlin).UTC()
}

// fakeStore is the database service: the overlap check stands in for the exclusion constraint.
type fakeStore struct {
	mu        sync.Mutex
	appts     map[string]booking.Booking
	createErr error
	fences    []int64
	// commitThenFail writes the row and then answers like a timed-out call.
	commitThenFail bool
	cancelErr      error
	contacts       map[string]booking.Contact
	// branch, when its ID is set, replaces the default branch (to give it opening rules).
	branch booking.Branch
	// eventTypes, when set, replaces the default catalogue.
	eventTypes []booking.EventType
	// staff, when set, replaces the default staff.
	staff []booking.Staff
}

func newStore() *fakeStore {
	return &fakeStore{appts: map[string]booking.Booking{}, contacts: map[string]booking.Contact{}}
}

func (f *fakeStore) Branch(context.Context, string, string) (booking.Branch, error) {
	if f.branch.ID != "" {
		return f.branch, nil
	}
	return booking.Branch{ID: branch, Name: "Salon Mitte", TimeZone: "Europe/Berlin", Hours: &everyDay}, nil
}

// everyDay is the default branch's hours: open around the clock, so that the fake calendar
// alone decides (a branch without hours is closed).
var everyDay = func() schedule.Week {
	var w schedule.Week
	for d := range w {
		w[d] = []schedule.Span{{From: 0, To: 24 * 60}}
	}
	return w
}()

func (f *fakeStore) CompanyTimeZone(context.Context, string) (string, error) {
	return "Europe/Berlin", nil
}

func (f *fakeStore) EventTypes(context.Context, string, string) ([]booking.EventType, error) {
	if f.eventTypes != nil {
		return f.eventTypes, nil
	}
	return []booking.EventType{{ID: "cut", CalcomEventTypeID: 7, Name: "Haarschnitt", Duration: time.Hour}}, nil
}

func (f *fakeStore) Staff(context.Context, string, string) ([]booking.Staff, error) {
	if f.staff != nil {
		return f.staff, nil
	}
	return []booking.Staff{
		{ID: "anna", Name: "Anna", CalcomUserID: 1, EventTypeIDs: []string{"cut"}},
		{ID: "ben", Name: "Ben", CalcomUserID: 2, EventTypeIDs: []string{"cut", "color"}},
		{ID: "carl", Name: "Carl", CalcomUserID: 3, EventTypeIDs: []string{"color"}},
	}, nil
}

func (f *fakeStore) ActiveAppointments(_ context.Context, _, staffID string, from, to time.Time) ([]booking.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []booking.Booking
	for _, a := range f.appts {
		if a.StaffID == staffID && a.Status == booking.StatusScheduled && a.Start.Before(to) && from.Before(a.End) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *fakeStore) FindOrCreateCustomer(_ context.Context, _ string, c booking.Contact) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.contacts["cust-1"] = c
	return "cust-1", nil
}

func (f *fakeStore) Customer(_ context.Context, _, id string) (booking.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.contacts[id]
	if !ok {
		return booking.Contact{}, booking.ErrNotFound
	}
	return c, nil
}

func (f *fakeStore) overlapLocked(staffID string, start, end time.Time, ignore string) bool {
	for _, a := range f.appts {
		if a.ID != ignore && a.StaffID == staffID && a.Status == booking.StatusScheduled && a.Start.Before(end) && start.Before(a.End) {
			return true
		}
	}
	return false
}

func (f *fakeStore) CreateAppointment(_ context.Context, n booking.NewAppointment) (_ booking.Booking, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.createErr != nil {
		return booking.Booking{}, f.createErr
	}
	if f.overlapLocked(n.StaffID, n.Start, n.End, "") {
		return booking.Booking{}, booking.ErrSlotTaken
	}
	f.fences = append(f.fences, n.Fence)
	defer func() {
		if f.commitThenFail {
			err = fmt.Errorf("appointments.create: %w: %w", booking.ErrUpstream, context.DeadlineExceeded)
		}
	}()
	b := booking.Booking{ID: rand.Text()[:12], CompanyID: n.CompanyID, BranchID: n.BranchID, StaffID: n.StaffID,
		EventTypeID: n.EventTypeID, CustomerID: n.CustomerID, CallID: n.CallID, CalcomBookingID: n.CalcomBookingID,
		Start: n.Start, End: n.End, Status: booking.StatusScheduled, ConfirmationNumber: code()}
	f.appts[b.ID] = b
	return b, nil
}

func code() string { return rand.Text()[:6] }

func (f *fakeStore) Appointment(_ context.Context, _, id string) (booking.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.appts[id]; ok {
		return b, nil
	}
	return booking.Booking{}, booking.ErrNotFound
}

func (f *fakeStore) ByConfirmation(_ context.Context, _, number string) (booking.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.appts {
		if a.ConfirmationNumber == number {
			return a, nil
		}
	}
	return booking.Booking{}, booking.ErrNotFound
}

func (f *fakeStore) ByCustomerPhone(_ context.Context, _, _ string, from time.Time) ([]booking.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []booking.Booking
	for _, a := range f.appts {
		if a.CustomerID == "cust-1" && !a.Start.Before(from) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *fakeStore) CancelAppointment(_ context.Context, _, id, _ string) (booking.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancelErr != nil {
		return booking.Booking{}, f.cancelErr
	}
	b, ok := f.appts[id]
	if !ok {
		return booking.Booking{}, booking.ErrNotFound
	}
	b.Status = booking.StatusCancelled
	f.appts[id] = b
	return b, nil
}

func (f *fakeStore) RescheduleAppointment(_ context.Context, m booking.Move) (booking.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.appts[m.AppointmentID]
	if !ok || old.Status != booking.StatusScheduled {
		return booking.Booking{}, booking.ErrNotFound
	}
	if f.overlapLocked(m.StaffID, m.Start, m.End, old.ID) {
		return booking.Booking{}, booking.ErrSlotTaken
	}
	old.Status = "rescheduled"
	f.appts[old.ID] = old
	b := old
	b.ID, b.StaffID, b.Start, b.End, b.CalcomBookingID = rand.Text()[:12], m.StaffID, m.Start, m.End, m.CalcomBookingID
	b.Status, b.ConfirmationNumber, b.RescheduledFrom = booking.StatusScheduled, code(), old.ID
	f.appts[b.ID] = b
	return b, nil
}

func (f *fakeStore) Audit(context.Context, booking.AuditEntry) error { return nil }

func (f *fakeStore) active() []booking.Booking {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []booking.Booking
	for _, a := range f.appts {
		if a.Status == booking.StatusScheduled {
			out = append(out, a)
		}
	}
	return out
}

// fakeCalendar is Cal.com: slots every 30 minutes from 09:00, last start 17:00, Berlin time, and
// it refuses a booking that overlaps another of the same staff member.
type fakeCalendar struct {
	mu        sync.Mutex
	bookings  map[string]booking.Slot
	createErr error
	cancelErr error
	// slotsErr fails every slot search; full answers every search with no slot.
	slotsErr error
	full     bool
	keys     map[string]string // uid → the idempotency key it was booked under
	// lostReply, when set, books and then answers with it: the caller never hears that it did.
	lostReply error
	// beforeCreate runs before a booking is made; afterCreate after it is recorded.
	beforeCreate func(ctx context.Context) error
	afterCreate  func(ctx context.Context)
	seq          int
	attendees    map[string]booking.Contact // uid → the attendee it was booked for
}

func newCalendar() *fakeCalendar {
	return &fakeCalendar{bookings: map[string]booking.Slot{}, keys: map[string]string{}}
}

func (c *fakeCalendar) Slots(_ context.Context, q booking.SlotQuery) ([]time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slotsErr != nil || c.full {
		return nil, c.slotsErr
	}
	var out []time.Time
	day := time.Date(q.From.In(berlin).Year(), q.From.In(berlin).Month(), q.From.In(berlin).Day(), 9, 0, 0, 0, berlin)
	for ; day.Before(q.To); day = day.AddDate(0, 0, 1) {
		for m := 0; m <= 8*60; m += 30 {
			s := day.Add(time.Duration(m) * time.Minute)
			if s.Before(q.From) || !s.Before(q.To) || c.overlapLocked(q.Staff.ID, s, s.Add(q.EventType.Duration)) {
				continue
			}
			out = append(out, s.UTC())
		}
	}
	return out, nil
}

func (c *fakeCalendar) overlapLocked(staffID string, start, end time.Time) bool {
	for _, b := range c.bookings {
		if b.StaffID == staffID && b.Overlaps(start, end) {
			return true
		}
	}
	return false
}

func (c *fakeCalendar) CreateBooking(ctx context.Context, b booking.CalendarBooking) (string, error) {
	if c.beforeCreate != nil {
		if err := c.beforeCreate(ctx); err != nil {
			return "", err
		}
	}
	c.mu.Lock()
	if c.createErr != nil {
		c.mu.Unlock()
		return "", c.createErr
	}
	if c.overlapLocked(b.Staff.ID, b.Start, b.End) {
		c.mu.Unlock()
		return "", booking.ErrSlotTaken
	}
	c.seq++
	id := fmt.Sprintf("cal-%d", c.seq)
	c.bookings[id] = booking.Slot{StaffID: b.Staff.ID, Start: b.Start, End: b.End}
	c.keys[id] = b.IdempotencyKey
	if c.attendees == nil {
		c.attendees = map[string]booking.Contact{}
	}
	c.attendees[id] = b.Attendee
	lost := c.lostReply
	c.mu.Unlock()
	if c.afterCreate != nil {
		c.afterCreate(ctx)
	}
	if lost != nil {
		return "", lost
	}
	return id, nil
}

func (c *fakeCalendar) FindBooking(_ context.Context, _ string, _ int64, start time.Time, key string) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, k := range c.keys {
		if b, live := c.bookings[id]; live && k == key && b.Start.Equal(start) {
			return id, true, nil
		}
	}
	return "", false, nil
}

func (c *fakeCalendar) CancelBooking(_ context.Context, _, id, _ string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelErr != nil {
		return c.cancelErr
	}
	delete(c.bookings, id)
	return nil
}

func (c *fakeCalendar) RescheduleBooking(_ context.Context, _, id string, start time.Time, _ string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.bookings[id]
	if !ok {
		return "", booking.ErrNotFound
	}
	delete(c.bookings, id)
	end := start.Add(old.End.Sub(old.Start))
	if c.overlapLocked(old.StaffID, start, end) {
		c.bookings[id] = old
		return "", booking.ErrSlotTaken
	}
	c.seq++
	nid := fmt.Sprintf("cal-%d", c.seq)
	c.bookings[nid] = booking.Slot{StaffID: old.StaffID, Start: start, End: end}
	return nid, nil
}

func (c *fakeCalendar) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.bookings)
}

type fakeNotifier struct {
	mu   sync.Mutex
	sent []booking.Confirmation
}

func (n *fakeNotifier) Notify(_ context.Context, c booking.Confirmation) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, c)
	return nil
}

type fixture struct {
	svc    *booking.Service
	store  *fakeStore
	cal    *fakeCalendar
	locker *lock.Locker
	ledger *ledger.Ledger
	notify *fakeNotifier
}

func newFixture(t testing.TB, cfg booking.Config) *fixture {
	env := testenv.Redis(t)
	f := &fixture{store: newStore(), cal: newCalendar(), notify: &fakeNotifier{},
		locker: lock.New(env.Client, env.Prefix+"askpro"), ledger: ledger.New(env.Client, env.Prefix+"askpro", time.Minute)}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	svc, err := booking.New(booking.Deps{Store: f.store, Calendar: f.cal, Locker: f.locker, Ledger: f.ledger,
		Notifier: f.notify}, cfg, zerolog.Nop())
	require.NoError(t, err)
	f.svc = svc
	return f
}

func request(staff string, start time.Time, key string) booking.CreateRequest {
	return booking.CreateRequest{CompanyID: company, BranchID: branch, EventTypeID: "cut", StaffID: staff,
		Start: start, IdempotencyKey: key, Customer: booking.Contact{Phone: "+4915112345678", Name: "Erika Muster"}}
}
