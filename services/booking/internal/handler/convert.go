package handler

import (
	"time"

	api "github.com/askproai/backend/pkg/api/booking"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/services/booking/internal/booking"
)

func criteria(p api.AvailabilityParams) booking.Criteria {
	return booking.Criteria{CompanyID: p.CompanyID, BranchID: p.BranchID, EventTypeID: p.EventTypeID,
		StaffID: p.StaffID, At: p.At, From: p.From, To: p.To, TimeZone: p.TimeZone, Limit: p.Limit}
}

func createRequest(p api.CreateParams) booking.CreateRequest {
	return booking.CreateRequest{CompanyID: p.CompanyID, BranchID: p.BranchID, EventTypeID: p.EventTypeID,
		StaffID: p.StaffID, Start: p.Start, TimeZone: p.TimeZone, CallID: p.CallID, Notes: p.Notes,
		Customer:       booking.Contact{Phone: p.CustomerPhone, Name: p.CustomerName, Email: p.CustomerEmail},
		IdempotencyKey: p.IdempotencyKey, ReservationToken: p.ReservationToken}
}

func options(in []booking.Option) []api.Option {
	out := make([]api.Option, 0, len(in))
	for _, o := range in {
		out = append(out, api.Option{StaffID: o.StaffID, StaffName: o.StaffName, Start: o.Start, End: o.End, Spoken: o.Spoken})
	}
	return out
}

func alternatives(a booking.Alternatives) api.Alternatives {
	return api.Alternatives{SameStaff: options(a.SameStaff), OtherStaff: options(a.OtherStaff),
		NextDays: options(a.NextDays), Message: a.Message}
}

func toWire(b booking.Booking) api.Booking {
	return api.Booking{ID: b.ID, CompanyID: b.CompanyID, BranchID: b.BranchID, StaffID: b.StaffID,
		EventTypeID: b.EventTypeID, CustomerID: b.CustomerID, CallID: b.CallID, CalcomBookingID: b.CalcomBookingID,
		Start: b.Start, End: b.End, Status: b.Status, ConfirmationNumber: b.ConfirmationNumber, RescheduledFrom: b.RescheduledFrom}
}

func fromWire(b api.Booking) booking.Booking {
	return booking.Booking{ID: b.ID, CompanyID: b.CompanyID, BranchID: b.BranchID, StaffID: b.StaffID,
		EventTypeID: b.EventTypeID, CustomerID: b.CustomerID, CallID: b.CallID, CalcomBookingID: b.CalcomBookingID,
		Start: b.Start, End: b.End, Status: b.Status, ConfirmationNumber: b.ConfirmationNumber, RescheduledFrom: b.RescheduledFrom}
}

func reservation(l booking.Lock) api.Reservation {
	return api.Reservation{StaffID: l.StaffID, Start: l.Start, End: l.End, Token: l.Token, Fence: l.Fence, ExpiresAt: l.ExpiresAt.UTC()}
}

// job turns a database event into a confirmation job.
func job(topic string, ev database.AppointmentEvent) api.ConfirmationJob {
	a := ev.Appointment
	return api.ConfirmationJob{Topic: topic, CompanyID: ev.CompanyID, PreviousID: ev.PreviousID, Booking: api.Booking{
		ID: a.ID, CompanyID: a.CompanyID, BranchID: a.BranchID, StaffID: a.StaffID, EventTypeID: a.EventTypeID,
		CustomerID: a.CustomerID, CallID: a.CallID, CalcomBookingID: a.CalcomBookingID, Start: a.StartTime.UTC(),
		End: a.EndTime.UTC(), Status: a.Status, ConfirmationNumber: a.ConfirmationNumber, RescheduledFrom: a.RescheduledFrom}}
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }
