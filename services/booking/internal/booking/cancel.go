package booking

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Appointment statuses the domain looks at; only active ones hold their slot.
const (
	StatusScheduled = "scheduled"
	StatusConfirmed = "confirmed"
	StatusCancelled = "cancelled"
)

func active(b Booking) bool { return b.Status == StatusScheduled || b.Status == StatusConfirmed }

// Cancel cancels an appointment found by confirmation number, or by the caller's phone and the
// local day of the appointment. Cal.com is cancelled first: if that fails nothing changed here;
// if the local cancel then fails, the pair is recorded for reconciliation. Cancelling a
// cancelled appointment answers the same result again.
func (s *Service) Cancel(ctx context.Context, req CancelRequest) (CancelResult, error) {
	b, err := s.findForCancel(ctx, req)
	if err != nil {
		return CancelResult{}, fmt.Errorf("cancel booking: %w", err)
	}
	loc, err := s.bookingLocation(ctx, b, req.TimeZone)
	if err != nil {
		return CancelResult{}, fmt.Errorf("cancel booking: %w", err)
	}
	if b.Status == StatusCancelled {
		return CancelResult{Booking: b, Message: cancelledSentence(b, loc)}, nil
	}
	if !active(b) {
		return CancelResult{}, fmt.Errorf("cancel booking: %w", invalid("status", "appointment is "+b.Status))
	}
	if b.CalcomBookingID != "" {
		if err := s.calendar.CancelBooking(ctx, b.CompanyID, b.CalcomBookingID, req.Reason); err != nil && !errors.Is(err, ErrNotFound) {
			return CancelResult{}, fmt.Errorf("cancel booking: calendar: %w", err)
		}
	}
	done, err := s.store.CancelAppointment(ctx, b.CompanyID, b.ID, req.Reason)
	if err != nil {
		dctx, cancel := s.detached(ctx)
		defer cancel()
		s.recordOrphan(dctx, Orphan{Kind: OrphanLocalCancel, AppointmentID: b.ID, CompanyID: b.CompanyID, CalcomBookingID: b.CalcomBookingID, StaffID: b.StaffID,
			Start: b.Start, End: b.End, Reason: "cancelled at calendar, local cancel failed: " + err.Error()})
		return CancelResult{}, fmt.Errorf("cancel booking: write: %w", err)
	}
	return CancelResult{Booking: done, Message: cancelledSentence(done, loc)}, nil
}

func (s *Service) findForCancel(ctx context.Context, req CancelRequest) (Booking, error) {
	if req.CompanyID == "" {
		return Booking{}, invalid("company_id", "missing")
	}
	if req.ConfirmationNumber != "" {
		return s.store.ByConfirmation(ctx, req.CompanyID, req.ConfirmationNumber)
	}
	if req.Phone == "" || req.Date == "" {
		return Booking{}, invalid("confirmation_number", "give a confirmation number, or phone and date")
	}
	callerPhone, err := s.normalizePhone("phone", req.Phone)
	if err != nil {
		return Booking{}, err
	}
	tz := req.TimeZone
	if tz == "" {
		if tz, err = s.store.CompanyTimeZone(ctx, req.CompanyID); err != nil {
			return Booking{}, fmt.Errorf("load company time zone: %w", err)
		}
	}
	loc, err := location(tz)
	if err != nil {
		return Booking{}, err
	}
	day, err := time.ParseInLocation(time.DateOnly, req.Date, loc)
	if err != nil {
		return Booking{}, invalid("date", "want YYYY-MM-DD")
	}
	from, to := localDay(day, loc)
	list, err := s.store.ByCustomerPhone(ctx, req.CompanyID, callerPhone, from)
	if err != nil {
		return Booking{}, err
	}
	var match []Booking
	for _, b := range list {
		if b.Start.Before(to) && active(b) {
			match = append(match, b)
		}
	}
	switch len(match) {
	case 0:
		return Booking{}, ErrNotFound
	case 1:
		return match[0], nil
	}
	return Booking{}, ErrAmbiguous
}

func (s *Service) bookingLocation(ctx context.Context, b Booking, tz string) (*time.Location, error) {
	if tz == "" {
		br, err := s.store.Branch(ctx, b.CompanyID, b.BranchID)
		if err != nil {
			return nil, fmt.Errorf("load branch: %w", err)
		}
		tz = br.TimeZone
	}
	return location(tz)
}
