package main

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/askproai/backend/pkg/api/calcom"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

// The remote ends of the booking service's adapters, registered as real rpc handlers on the
// test's bus: a database service backed by memory (the overlap check stands in for the
// exclusion constraint; a create publishes booking.created as the outbox relay would) and a
// calcom service that offers a slot every 30 minutes and refuses overlapping bookings.

const (
	testCompany = "11111111-1111-1111-1111-111111111111"
	testBranch  = "22222222-2222-2222-2222-222222222222"
)

type memDB struct {
	mu    sync.Mutex
	appts map[string]database.Appointment
	bus   *rpc.Client
}

// everyDay is a branch's hours that cover the fake calendars: a branch without hours is closed.
var everyDay = database.OpeningHours{"mon": {{From: "00:00", To: "24:00"}}, "tue": {{From: "00:00", To: "24:00"}},
	"wed": {{From: "00:00", To: "24:00"}}, "thu": {{From: "00:00", To: "24:00"}}, "fri": {{From: "00:00", To: "24:00"}},
	"sat": {{From: "00:00", To: "24:00"}}, "sun": {{From: "00:00", To: "24:00"}}}

func (m *memDB) register(s *rpc.Server) {
	rpc.Register(s, database.MethodCompaniesGet, func(context.Context, database.CompanyParams) (database.Company, error) {
		return database.Company{ID: testCompany, Name: "Salon", TimeZone: "Europe/Berlin", Active: true}, nil
	})
	rpc.Register(s, database.MethodBranchesGet, func(_ context.Context, p database.BranchParams) (database.Branch, error) {
		return database.Branch{ID: testBranch, CompanyID: testCompany, Name: "Salon Mitte", TimeZone: "Europe/Berlin", Active: true, OpeningHours: everyDay}, nil
	})
	rpc.Register(s, database.MethodEventTypesList, func(context.Context, database.CatalogueParams) (database.EventTypeList, error) {
		return database.EventTypeList{EventTypes: []database.EventType{{ID: "cut", CalcomEventTypeID: 7, Name: "Haarschnitt", DurationMinutes: 60, Active: true}}}, nil
	})
	rpc.Register(s, database.MethodStaffList, func(context.Context, database.CatalogueParams) (database.StaffList, error) {
		return database.StaffList{Staff: []database.Staff{
			{ID: "anna", Name: "Anna", EventTypeIDs: []string{"cut"}, Active: true},
			{ID: "ben", Name: "Ben", EventTypeIDs: []string{"cut"}, Active: true},
		}}, nil
	})
	rpc.Register(s, database.MethodCustomersFindOrCreate, func(_ context.Context, p database.FindOrCreateCustomerParams) (database.FindOrCreateCustomerResult, error) {
		return database.FindOrCreateCustomerResult{Customer: database.Customer{ID: "cust-" + p.Phone, Phone: p.Phone}}, nil
	})
	rpc.Register(s, database.MethodCustomersGet, func(_ context.Context, p database.CustomerParams) (database.Customer, error) {
		phone, ok := strings.CutPrefix(p.CustomerID, "cust-")
		if !ok {
			return database.Customer{}, rpc.ErrNotFound
		}
		return database.Customer{ID: p.CustomerID, Phone: phone}, nil
	})
	rpc.Register(s, database.MethodAuditAppend, func(context.Context, database.AuditAppendParams) (database.Ack, error) {
		return database.Ack{OK: true}, nil
	})
	rpc.Register(s, database.MethodAppointmentsListActive, m.listActive)
	rpc.Register(s, database.MethodAppointmentsCreate, m.create)
	rpc.Register(s, database.MethodAppointmentsByConfirmation, m.byConfirmation)
	rpc.Register(s, database.MethodAppointmentsCancel, m.cancel)
	rpc.Register(s, database.MethodAppointmentsReschedule, m.reschedule)
}

func (m *memDB) listActive(_ context.Context, p database.ListActiveParams) (database.AppointmentList, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []database.Appointment
	for _, a := range m.appts {
		if a.StaffID == p.StaffID && a.Status == database.StatusScheduled && a.StartTime.Before(p.To) && p.From.Before(a.EndTime) {
			out = append(out, a)
		}
	}
	return database.AppointmentList{Appointments: out}, nil
}

func (m *memDB) overlapLocked(staff string, start, end time.Time, ignore string) bool {
	for _, a := range m.appts {
		if a.ID != ignore && a.StaffID == staff && a.Status == database.StatusScheduled && a.StartTime.Before(end) && start.Before(a.EndTime) {
			return true
		}
	}
	return false
}

func (m *memDB) create(ctx context.Context, p database.CreateAppointmentParams) (database.Appointment, error) {
	m.mu.Lock()
	if m.overlapLocked(p.StaffID, p.StartTime, p.EndTime, "") {
		m.mu.Unlock()
		return database.Appointment{}, rpc.NewError(rpc.CodeConflict, "slot taken", nil)
	}
	a := database.Appointment{ID: rand.Text(), CompanyID: p.CompanyID, BranchID: p.BranchID, StaffID: p.StaffID,
		EventTypeID: p.EventTypeID, CustomerID: p.CustomerID, CalcomBookingID: p.CalcomBookingID,
		StartTime: p.StartTime, EndTime: p.EndTime, Status: database.StatusScheduled, ConfirmationNumber: rand.Text()[:6]}
	m.appts[a.ID] = a
	m.mu.Unlock()
	return a, m.bus.Publish(ctx, database.TopicBookingCreated, database.AppointmentEvent{CompanyID: a.CompanyID, Appointment: a})
}

func (m *memDB) byConfirmation(_ context.Context, p database.ByConfirmationParams) (database.Appointment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.appts {
		if a.ConfirmationNumber == p.ConfirmationNumber {
			return a, nil
		}
	}
	return database.Appointment{}, rpc.ErrNotFound
}

func (m *memDB) cancel(_ context.Context, p database.CancelAppointmentParams) (database.Appointment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.appts[p.AppointmentID]
	if !ok {
		return database.Appointment{}, rpc.ErrNotFound
	}
	a.Status = database.StatusCancelled
	m.appts[a.ID] = a
	return a, nil
}

func (m *memDB) reschedule(_ context.Context, p database.RescheduleAppointmentParams) (database.Appointment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.appts[p.AppointmentID]
	if !ok {
		return database.Appointment{}, rpc.ErrNotFound
	}
	if m.overlapLocked(p.StaffID, p.StartTime, p.EndTime, old.ID) {
		return database.Appointment{}, rpc.NewError(rpc.CodeConflict, "slot taken", nil)
	}
	old.Status = database.StatusRescheduled
	m.appts[old.ID] = old
	a := old
	a.ID, a.StaffID, a.StartTime, a.EndTime, a.CalcomBookingID = rand.Text(), p.StaffID, p.StartTime, p.EndTime, p.CalcomBookingID
	a.Status, a.RescheduledFrom, a.ConfirmationNumber = database.StatusScheduled, old.ID, rand.Text()[:6]
	m.appts[a.ID] = a
	return a, nil
}

func (m *memDB) active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, a := range m.appts {
		if a.Status == database.StatusScheduled {
			n++
		}
	}
	return n
}

type calBooking struct {
	staff      string
	start, end time.Time
}

type calsim struct {
	mu       sync.Mutex
	bookings map[string]calBooking
	fail     error
	// permissive accepts overlapping bookings (a multi-seat event type, or Cal.com's own race).
	permissive bool
}

func (c *calsim) register(s *rpc.Server) {
	rpc.Register(s, calcom.MethodGetAvailability, c.availability)
	rpc.Register(s, calcom.MethodCreateBooking, c.create)
	rpc.Register(s, calcom.MethodCancelBooking, func(_ context.Context, p calcom.CancelBookingParams) (calcom.Booking, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.bookings, p.UID)
		return calcom.Booking{UID: p.UID, Status: "cancelled"}, nil
	})
	rpc.Register(s, calcom.MethodRescheduleBooking, func(_ context.Context, p calcom.RescheduleBookingParams) (calcom.Booking, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		old := c.bookings[p.UID]
		delete(c.bookings, p.UID)
		uid := rand.Text()
		c.bookings[uid] = calBooking{staff: old.staff, start: p.Start, end: p.Start.Add(old.end.Sub(old.start))}
		return calcom.Booking{UID: uid, Status: "accepted", RescheduledFromUID: p.UID}, nil
	})
}

func (c *calsim) availability(_ context.Context, p calcom.AvailabilityParams) (calcom.AvailabilityResult, error) {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return calcom.AvailabilityResult{}, rpc.ErrValidation
	}
	from, _ := time.ParseInLocation(time.DateOnly, p.From, loc)
	to, _ := time.ParseInLocation(time.DateOnly, p.To, loc)
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []calcom.Slot
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		for m := 9 * 60; m <= 17*60; m += 30 {
			s := time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, loc)
			if !c.overlapLocked(p.StaffID, s, s.Add(time.Hour)) {
				out = append(out, calcom.Slot{Start: s.UTC(), End: s.Add(time.Hour).UTC()})
			}
		}
	}
	return calcom.AvailabilityResult{Slots: out}, nil
}

func (c *calsim) overlapLocked(staff string, start, end time.Time) bool {
	for _, b := range c.bookings {
		if b.staff == staff && b.start.Before(end) && start.Before(b.end) {
			return true
		}
	}
	return false
}

func (c *calsim) create(_ context.Context, p calcom.CreateBookingParams) (calcom.Booking, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return calcom.Booking{}, c.fail
	}
	staff, end := p.Metadata["staff_id"], p.Start.Add(time.Hour)
	if !c.permissive && c.overlapLocked(staff, p.Start, end) {
		return calcom.Booking{}, rpc.NewError(rpc.CodeConflict, "slot no longer available", nil)
	}
	uid := rand.Text()
	c.bookings[uid] = calBooking{staff: staff, start: p.Start, end: end}
	return calcom.Booking{UID: uid, Status: "accepted", Start: p.Start, End: end}, nil
}

func (c *calsim) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.bookings)
}

// futureSlot is a 14:30 Berlin start at least a week ahead, so the tests never meet "now".
func futureSlot(t testing.TB, days int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	d := time.Now().In(loc).AddDate(0, 0, 7+days)
	return time.Date(d.Year(), d.Month(), d.Day(), 14, 30, 0, 0, loc).UTC()
}
