package booking

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/askproai/backend/pkg/phone"
)

// Create books a slot, idempotently under the request's idempotency key:
//
//  1. reserve the slot under the idempotency key (or adopt the caller's reservation); a
//     reservation still held by an earlier run of this request, which died, is taken over,
//     and the Cal.com booking that run may have made is looked up and completed,
//  2. check availability again,
//  3. book it at Cal.com,
//  4. write the appointment and its booking.created outbox event in one transaction, under
//     the reservation's fencing check,
//  5. release the reservation.
//
// When the local write fails after Cal.com accepted, the Cal.com booking is cancelled, and when
// that fails too it is recorded for reconciliation; an orphan is never left silently.
func (s *Service) Create(ctx context.Context, req CreateRequest) (CreateResult, error) {
	if err := validateCreate(req); err != nil {
		return CreateResult{}, fmt.Errorf("create booking: %w", err)
	}
	// One form of the number for the customer record and for Cal.com, checked before anything
	// is reserved or booked.
	customerPhone, err := s.normalizePhone("customer_phone", req.Customer.Phone)
	if err != nil {
		return CreateResult{}, fmt.Errorf("create booking: %w", err)
	}
	req.Customer.Phone = customerPhone
	key := idempotencyKey(req)
	if key == "" {
		res, err := s.create(ctx, req, key)
		if err != nil {
			return CreateResult{}, fmt.Errorf("create booking: %w", err)
		}
		return res, nil
	}
	prev, done, err := s.ledger.Begin(ctx, key, s.cfg.IdempotencyTTL)
	if err != nil {
		return CreateResult{}, fmt.Errorf("create booking: claim idempotency key: %w", err)
	}
	if done {
		return prev, nil
	}
	res, err := s.create(ctx, req, key)
	if err != nil {
		s.abortKey(ctx, key)
		return CreateResult{}, fmt.Errorf("create booking: %w", err)
	}
	if err := s.ledger.Complete(ctx, key, res, s.cfg.IdempotencyTTL); err != nil {
		// The booking stands; a retry finds the slot taken instead of booking it twice.
		s.log.Warn().Err(err).Str("appointment_id", res.Booking.ID).Msg("idempotency_result_not_stored")
	}
	return res, nil
}

func (s *Service) create(ctx context.Context, req CreateRequest, key string) (CreateResult, error) {
	cat, err := s.loadCatalogue(ctx, req.CompanyID, req.BranchID, req.EventTypeID, req.TimeZone)
	if err != nil {
		return CreateResult{}, err
	}
	st, err := cat.pick(req.StaffID)
	if err != nil {
		return CreateResult{}, err
	}
	slot := Slot{StaffID: st.ID, Start: req.Start.UTC(), End: req.Start.Add(cat.eventType.Duration).UTC()}
	if err := s.checkRules(ctx, req.CompanyID, cat, st, slot, ""); err != nil {
		return CreateResult{}, err
	}
	lock, err := s.acquire(ctx, slot, req.ReservationToken, key)
	if err != nil {
		return CreateResult{}, err
	}
	b, err := s.bookLocked(ctx, req, key, cat, st, slot, lock)
	if err == nil || req.ReservationToken == "" {
		s.release(ctx, lock)
	}
	if err != nil {
		return CreateResult{}, err
	}
	return CreateResult{Booking: b, Spoken: SpokenCode(b.ConfirmationNumber),
		Message: createdSentence(cat.eventType, st.Name, b, cat.loc)}, nil
}

// bookLocked runs steps 2 to 4 while the reservation is held.
func (s *Service) bookLocked(ctx context.Context, req CreateRequest, key string, cat catalogue, st Staff, slot Slot, lock Lock) (Booking, error) {
	if lock.Resumed {
		if b, found, err := s.resumeBooking(ctx, req, key, cat, st, slot, lock); found || err != nil {
			return b, err
		}
	}
	free, err := s.slotFree(ctx, req.CompanyID, cat, st, slot, Booking{}, lock.Token)
	if err != nil {
		return Booking{}, err
	}
	if !free {
		return Booking{}, ErrSlotTaken
	}
	customerID, err := s.customer(ctx, req)
	if err != nil {
		return Booking{}, err
	}
	intent := Orphan{Kind: OrphanUnknownBooking, CompanyID: req.CompanyID, CalcomEventTypeID: st.CalcomEventType(cat.eventType),
		StaffID: slot.StaffID, Start: slot.Start, End: slot.End, IdempotencyKey: key}
	intentID, err := s.intend(ctx, intent)
	if err != nil {
		return Booking{}, err
	}
	calID, err := s.calendar.CreateBooking(ctx, CalendarBooking{CompanyID: req.CompanyID, EventType: cat.eventType,
		Staff: st, Start: slot.Start, End: slot.End, TimeZone: cat.loc.String(), Attendee: req.Customer,
		IdempotencyKey: key, Fence: lock.Fence})
	if err != nil {
		if outcomeUnknown(err) {
			// Cal.com may have booked without our hearing back: the intent stays as the
			// record the reconciler looks the booking up by.
			intent.Reason = "calendar booking timed out, outcome unknown"
			dctx, cancel := s.detached(ctx)
			s.reportOrphan(dctx, intent)
			cancel()
		} else {
			s.settled(ctx, intentID)
		}
		return Booking{}, fmt.Errorf("calendar booking: %w", err)
	}
	b, err := s.writeAppointment(ctx, req, key, cat, st, slot, lock, customerID, calID)
	s.settled(ctx, intentID) // written, or undone or recorded by writeAppointment
	return b, err
}

// intend writes ahead: before Cal.com is asked to book, the create is recorded for
// reconciliation (an OrphanUnknownBooking under its idempotency key), and the record is
// resolved once the outcome is settled here. An instance that dies in between, after Cal.com
// booked, leaves the record: once it is older than ReconcileAfter, the reconciler looks the
// booking up by its key and keeps it (an appointment carries it, as when a resumed run wrote
// it) or cancels it. Without a key there is nothing to look up by, and no record.
func (s *Service) intend(ctx context.Context, o Orphan) (string, error) {
	if o.IdempotencyKey == "" {
		return "", nil
	}
	o.At = s.cfg.Now().UTC()
	o.Reason = "create in progress (left behind when its instance died)"
	id, err := s.ledger.RecordOrphan(ctx, o)
	if err != nil {
		return "", fmt.Errorf("record the create ahead of Cal.com: %w", err)
	}
	return id, nil
}

// settled resolves a write-ahead record whose create has settled. A record that cannot be
// resolved now is reconciled later: a booking it finds is kept when an appointment carries it.
func (s *Service) settled(ctx context.Context, id string) {
	if id == "" {
		return
	}
	dctx, cancel := s.detached(ctx)
	defer cancel()
	if err := s.ledger.ResolveOrphan(dctx, id); err != nil {
		s.log.Warn().Err(err).Str("orphan_id", id).Msg("create_record_not_resolved")
	}
}

// resumeBooking finishes what an earlier run of the same request started: that run held this
// reservation and died, possibly after Cal.com had accepted the booking (which then makes the
// slot look taken). Found by its idempotency key, that booking is the result: as it stands
// when its appointment was written too, with the appointment written now otherwise.
// found=false: Cal.com has no such booking, and the request books normally.
func (s *Service) resumeBooking(ctx context.Context, req CreateRequest, key string, cat catalogue, st Staff, slot Slot, lock Lock) (Booking, bool, error) {
	calID, found, err := s.calendar.FindBooking(ctx, req.CompanyID, st.CalcomEventType(cat.eventType), slot.Start, key)
	if err != nil {
		return Booking{}, false, fmt.Errorf("look up the interrupted booking: %w", err)
	}
	if !found {
		return Booking{}, false, nil
	}
	if b, ok, err := s.carrying(ctx, req.CompanyID, slot, calID); err != nil || ok {
		return b, true, err
	}
	customerID, err := s.customer(ctx, req)
	if err != nil {
		return Booking{}, true, err
	}
	s.log.Info().Str("calcom_booking_id", calID).Msg("interrupted_booking_resumed")
	b, err := s.writeAppointment(ctx, req, key, cat, st, slot, lock, customerID, calID)
	return b, true, err
}

// carrying returns the active appointment of slot's staff member that carries Cal.com booking
// calID, if there is one.
func (s *Service) carrying(ctx context.Context, companyID string, slot Slot, calID string) (Booking, bool, error) {
	appts, err := s.store.ActiveAppointments(ctx, companyID, slot.StaffID, slot.Start, slot.End)
	if err != nil {
		return Booking{}, false, fmt.Errorf("active appointments: %w", err)
	}
	for _, a := range appts {
		if a.CalcomBookingID == calID {
			return a, true, nil
		}
	}
	return Booking{}, false, nil
}

func (s *Service) customer(ctx context.Context, req CreateRequest) (string, error) {
	if req.Customer.Phone == "" {
		return "", nil
	}
	id, err := s.store.FindOrCreateCustomer(ctx, req.CompanyID, req.Customer)
	if err != nil {
		return "", fmt.Errorf("find or create customer: %w", err)
	}
	return id, nil
}

// writeAppointment is step 4 for Cal.com booking calID, undoing that booking when the write
// fails.
func (s *Service) writeAppointment(ctx context.Context, req CreateRequest, key string, cat catalogue, st Staff, slot Slot, lock Lock, customerID, calID string) (Booking, error) {
	b, err := s.commit(ctx, lock, func(wctx context.Context, fence int64) (Booking, error) {
		return s.store.CreateAppointment(wctx, NewAppointment{CompanyID: req.CompanyID, BranchID: req.BranchID,
			StaffID: st.ID, EventTypeID: cat.eventType.ID, CustomerID: customerID, CallID: req.CallID,
			CalcomBookingID: calID, Start: slot.Start, End: slot.End, Notes: req.Notes,
			Fence: fence})
	})
	if err != nil {
		s.undoCalendarBooking(ctx, req.CompanyID, calID, slot, key, err)
		return Booking{}, fmt.Errorf("write appointment: %w", err)
	}
	return b, nil
}

// commit is the fencing check: the reservation must still be ours (Extend compares the token
// and renews it), and the write must finish before it could expire. A reservation that expired
// mid-booking is refused here; anything that slips past is refused by the exclusion constraint.
func (s *Service) commit(ctx context.Context, lock Lock, write func(context.Context, int64) (Booking, error)) (Booking, error) {
	held, err := s.locker.Extend(ctx, lock, s.cfg.LockTTL)
	if err != nil {
		return Booking{}, fmt.Errorf("fencing check: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.LockTTL-s.cfg.LockMargin)
	defer cancel()
	return write(wctx, held.Fence)
}

func (s *Service) acquire(ctx context.Context, slot Slot, token, key string) (Lock, error) {
	if token == "" {
		l, err := s.locker.ReserveAs(ctx, slot, s.cfg.LockTTL, key)
		if err != nil {
			return Lock{}, fmt.Errorf("reserve slot: %w", err)
		}
		return l, nil
	}
	l, err := s.locker.Lookup(ctx, slot.StaffID, token)
	if err != nil {
		return Lock{}, fmt.Errorf("adopt reservation: %w", err)
	}
	if l.Start.After(slot.Start) || l.End.Before(slot.End) {
		return Lock{}, invalid("reservation_token", "reservation does not cover the slot")
	}
	return l, nil
}

func (s *Service) release(ctx context.Context, lock Lock) {
	dctx, cancel := s.detached(ctx)
	defer cancel()
	if err := s.locker.Release(dctx, lock); err != nil && !errors.Is(err, ErrLockLost) {
		s.log.Warn().Err(err).Str("staff_id", lock.StaffID).Msg("reservation_release_failed")
	}
}

// undoCalendarBooking cancels a Cal.com booking whose local write failed; if that fails too,
// the booking is recorded for reconciliation. A write that timed out may have committed, so
// then the booking is only recorded: cancelling it could strand a live appointment. A booking
// that an appointment already carries (written by a resumed run of the same request) is kept.
func (s *Service) undoCalendarBooking(ctx context.Context, companyID, calID string, slot Slot, key string, cause error) {
	dctx, cancel := s.detached(ctx)
	defer cancel()
	if outcomeUnknown(cause) {
		s.recordOrphan(dctx, Orphan{Kind: OrphanCalendarBooking, CompanyID: companyID, CalcomBookingID: calID, StaffID: slot.StaffID,
			Start: slot.Start, End: slot.End, Reason: "local write timed out, outcome unknown", IdempotencyKey: key})
		return
	}
	if _, carried, err := s.carrying(dctx, companyID, slot, calID); err == nil && carried {
		// Another run of the same request wrote it (one resumed while this one was frozen):
		// the booking is live and kept.
		s.log.Warn().Err(cause).Str("calcom_booking_id", calID).Msg("calendar_booking_kept")
		return
	}
	err := s.calendar.CancelBooking(dctx, companyID, calID, "local write failed")
	if err == nil {
		s.log.Warn().Err(cause).Str("calcom_booking_id", calID).Msg("calendar_booking_undone")
		s.audit(dctx, AuditEntry{CompanyID: companyID, Action: "calendar.booking_undone", Entity: "calcom_booking",
			EntityID: calID, Data: map[string]any{"staff_id": slot.StaffID, "start": slot.Start, "cause": cause.Error()}})
		return
	}
	s.recordOrphan(dctx, Orphan{Kind: OrphanCalendarBooking, CompanyID: companyID, CalcomBookingID: calID, StaffID: slot.StaffID,
		Start: slot.Start, End: slot.End, Reason: "local write failed, upstream cancel failed: " + err.Error(),
		IdempotencyKey: key})
}

// outcomeUnknown reports whether a remote call ended without an answer, or with one that
// says it may have happened.
func outcomeUnknown(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, ErrOutcomeUnknown)
}

func (s *Service) recordOrphan(ctx context.Context, o Orphan) {
	o.At = s.cfg.Now().UTC()
	if _, err := s.ledger.RecordOrphan(ctx, o); err != nil {
		s.log.Error().Err(err).Str("calcom_booking_id", o.CalcomBookingID).Str("staff_id", o.StaffID).
			Time("start", o.Start).Str("reason", o.Reason).Msg("orphan_not_recorded")
		return
	}
	s.reportOrphan(ctx, o)
}

// reportOrphan logs and audits a recorded orphan.
func (s *Service) reportOrphan(ctx context.Context, o Orphan) {
	s.log.Warn().Str("calcom_booking_id", o.CalcomBookingID).Str("staff_id", o.StaffID).
		Time("start", o.Start).Str("reason", o.Reason).Msg("orphan_recorded")
	s.audit(ctx, AuditEntry{CompanyID: o.CompanyID, Action: "calendar.orphan_recorded", Entity: "calcom_booking",
		EntityID: o.CalcomBookingID, Data: map[string]any{"staff_id": o.StaffID, "start": o.Start, "reason": o.Reason}})
}

// audit records what the service did beyond the database's own audited writes (compensations,
// reconciliation records); a failure is logged, the action stands.
func (s *Service) audit(ctx context.Context, e AuditEntry) {
	if err := s.store.Audit(ctx, e); err != nil {
		s.log.Warn().Err(err).Str("action", e.Action).Msg("audit_not_written")
	}
}

func (s *Service) abortKey(ctx context.Context, key string) {
	dctx, cancel := s.detached(ctx)
	defer cancel()
	if err := s.ledger.Abort(dctx, key); err != nil {
		s.log.Warn().Err(err).Msg("idempotency_abort_failed")
	}
}

// normalizePhone is the E.164 form of an optional number ("" stays ""); a number pkg/phone
// refuses is a FieldError for field with the message the database service has always given.
func (s *Service) normalizePhone(field, raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	e164, err := phone.Normalize(raw, s.cfg.Region)
	if err != nil {
		return "", fmt.Errorf("%w: %w", invalid(field, "phone number is not E.164"), err)
	}
	return e164, nil
}

func validateCreate(req CreateRequest) error {
	switch {
	case req.StaffID == "":
		return invalid("staff_id", "missing")
	case req.Start.IsZero():
		return invalid("start", "missing")
	}
	return nil
}

// idempotencyKey is the caller's key, or call id + staff + start + event type, scoped by tenant.
// Without either there is nothing to deduplicate on beyond the RPC request id.
func idempotencyKey(req CreateRequest) string {
	k := req.IdempotencyKey
	if k == "" && req.CallID != "" {
		k = req.CallID + ":" + req.StaffID + ":" + strconv.FormatInt(req.Start.Unix(), 10) + ":" + req.EventTypeID
	}
	if k == "" {
		return ""
	}
	return req.CompanyID + ":" + k
}
