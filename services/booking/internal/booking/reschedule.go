package booking

import (
	"context"
	"fmt"
)

// Reschedule moves an appointment. The new slot is secured before the old one is released:
// reserve the new slot, check it, move the Cal.com booking (Cal.com books the new time and frees
// the old one in one step; for a change of staff a new booking is made and the old one cancelled
// only after the local move), then move the appointment in one database transaction.
func (s *Service) Reschedule(ctx context.Context, req RescheduleRequest) (RescheduleResult, error) {
	old, err := s.findForMove(ctx, req)
	if err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule booking: %w", err)
	}
	if !active(old) {
		return RescheduleResult{}, fmt.Errorf("reschedule booking: %w", invalid("status", "appointment is "+old.Status))
	}
	cat, err := s.loadCatalogue(ctx, old.CompanyID, old.BranchID, old.EventTypeID, req.TimeZone)
	if err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule booking: %w", err)
	}
	staffID := req.StaffID
	if staffID == "" {
		staffID = old.StaffID
	}
	st, err := cat.pick(staffID)
	if err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule booking: %w", err)
	}
	slot := Slot{StaffID: st.ID, Start: req.Start.UTC(), End: req.Start.Add(old.End.Sub(old.Start)).UTC()}
	if err := s.checkRules(ctx, old.CompanyID, cat, st, slot, old.ID); err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule booking: %w", err)
	}
	lock, err := s.locker.Reserve(ctx, slot, s.cfg.LockTTL)
	if err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule booking: reserve slot: %w", err)
	}
	moved, err := s.moveLocked(ctx, req, old, cat, st, lock)
	s.release(ctx, lock)
	if err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule booking: %w", err)
	}
	return RescheduleResult{Booking: moved, Previous: old, Spoken: SpokenCode(moved.ConfirmationNumber),
		Message: rescheduledSentence(old, moved, cat.loc)}, nil
}

func (s *Service) moveLocked(ctx context.Context, req RescheduleRequest, old Booking, cat catalogue, st Staff, lock Lock) (Booking, error) {
	free, err := s.slotFree(ctx, old.CompanyID, cat, st, lock.Slot, old, lock.Token)
	if err != nil {
		return Booking{}, err
	}
	if !free {
		return Booking{}, ErrSlotTaken
	}
	calID, err := s.moveCalendar(ctx, req, old, cat, st, lock)
	if err != nil {
		return Booking{}, fmt.Errorf("calendar: %w", err)
	}
	moved, err := s.commit(ctx, lock, func(wctx context.Context, fence int64) (Booking, error) {
		return s.store.RescheduleAppointment(wctx, Move{CompanyID: old.CompanyID, AppointmentID: old.ID,
			StaffID: st.ID, Start: lock.Start, End: lock.End, CalcomBookingID: calID,
			Fence: fence})
	})
	if err != nil {
		s.undoCalendarMove(ctx, old, st, calID, err)
		return Booking{}, fmt.Errorf("write move: %w", err)
	}
	if st.ID != old.StaffID && old.CalcomBookingID != "" {
		s.cancelUpstream(ctx, old, "rescheduled to another staff member")
	}
	return moved, nil
}

// moveCalendar secures the new time at Cal.com and returns the booking id that backs it.
func (s *Service) moveCalendar(ctx context.Context, req RescheduleRequest, old Booking, cat catalogue, st Staff, lock Lock) (string, error) {
	switch {
	case old.CalcomBookingID == "":
		return "", nil
	case st.ID == old.StaffID:
		return s.calendar.RescheduleBooking(ctx, old.CompanyID, old.CalcomBookingID, lock.Start, req.Reason)
	}
	// Without a readable contact the attendee is still the same customer: Cal.com gets no phone.
	contact, _ := s.store.Customer(ctx, old.CompanyID, old.CustomerID)
	return s.calendar.CreateBooking(ctx, CalendarBooking{CompanyID: old.CompanyID, EventType: cat.eventType,
		Staff: st, Start: lock.Start, End: lock.End, TimeZone: cat.loc.String(), Attendee: contact,
		IdempotencyKey: old.CompanyID + ":move:" + old.ID, Fence: lock.Fence})
}

// undoCalendarMove puts Cal.com back where the local appointment still is.
func (s *Service) undoCalendarMove(ctx context.Context, old Booking, st Staff, calID string, cause error) {
	if calID == "" {
		return
	}
	dctx, cancel := s.detached(ctx)
	defer cancel()
	if outcomeUnknown(cause) {
		s.recordOrphan(dctx, Orphan{Kind: OrphanManual, CompanyID: old.CompanyID, CalcomBookingID: calID, StaffID: st.ID,
			Start: old.Start, End: old.End, Reason: "local move timed out, outcome unknown"})
		return
	}
	var err error
	if st.ID == old.StaffID {
		_, err = s.calendar.RescheduleBooking(dctx, old.CompanyID, calID, old.Start, "local move failed")
	} else {
		err = s.calendar.CancelBooking(dctx, old.CompanyID, calID, "local move failed")
	}
	if err != nil {
		s.recordOrphan(dctx, Orphan{Kind: OrphanManual, CompanyID: old.CompanyID, CalcomBookingID: calID, StaffID: st.ID,
			Start: old.Start, End: old.End, Reason: "local move failed, calendar not restored: " + err.Error()})
	}
}

func (s *Service) cancelUpstream(ctx context.Context, b Booking, reason string) {
	dctx, cancel := s.detached(ctx)
	defer cancel()
	if err := s.calendar.CancelBooking(dctx, b.CompanyID, b.CalcomBookingID, reason); err != nil {
		s.recordOrphan(dctx, Orphan{Kind: OrphanCalendarBooking, CompanyID: b.CompanyID, CalcomBookingID: b.CalcomBookingID, StaffID: b.StaffID,
			Start: b.Start, End: b.End, Reason: "old booking of a move not cancelled: " + err.Error()})
	}
}

func (s *Service) findForMove(ctx context.Context, req RescheduleRequest) (Booking, error) {
	switch {
	case req.CompanyID == "":
		return Booking{}, invalid("company_id", "missing")
	case req.Start.IsZero():
		return Booking{}, invalid("start", "missing")
	case req.AppointmentID != "":
		return s.store.Appointment(ctx, req.CompanyID, req.AppointmentID)
	case req.ConfirmationNumber != "":
		return s.store.ByConfirmation(ctx, req.CompanyID, req.ConfirmationNumber)
	}
	return Booking{}, invalid("appointment_id", "give an appointment id or a confirmation number")
}
