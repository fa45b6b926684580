package booking

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Reconcile works through the orphan records old enough to have settled (ReconcileAfter): a
// Cal.com booking is kept when an active appointment carries it and cancelled at Cal.com
// otherwise; a create whose answer was lost is looked up by its idempotency key first; an
// appointment cancelled at Cal.com but not here is cancelled here. Resolved records are
// removed; manual ones and failures stay for the next round or an operator. ReconcileAfter
// must outlast a request's deadline, so that a lost create can no longer land after the lookup.
func (s *Service) Reconcile(ctx context.Context) (resolved, left int, err error) {
	orphans, err := s.ledger.Orphans(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("reconcile: %w", err)
	}
	cutoff := s.cfg.Now().Add(-s.cfg.ReconcileAfter)
	for _, o := range orphans {
		if o.At.After(cutoff) {
			left++
			continue
		}
		done, rerr := s.reconcileOne(ctx, o)
		if rerr != nil {
			s.log.Warn().Err(rerr).Str("orphan_id", o.ID).Str("kind", string(o.Kind)).Msg("orphan_not_reconciled")
		}
		if !done {
			left++
			continue
		}
		if err := s.ledger.ResolveOrphan(ctx, o.ID); err != nil {
			return resolved, left, fmt.Errorf("reconcile: resolve %s: %w", o.ID, err)
		}
		resolved++
		s.audit(ctx, AuditEntry{CompanyID: o.CompanyID, Action: "calendar.orphan_resolved", Entity: "calcom_booking",
			EntityID: o.CalcomBookingID, Data: map[string]any{"kind": string(o.Kind), "reason": o.Reason}})
	}
	return resolved, left, nil
}

func (s *Service) reconcileOne(ctx context.Context, o Orphan) (bool, error) {
	switch o.Kind {
	case OrphanLocalCancel:
		_, err := s.store.CancelAppointment(ctx, o.CompanyID, o.AppointmentID, "cancelled at calendar")
		return err == nil || errors.Is(err, ErrNotFound), err
	case OrphanCalendarBooking:
		return s.reconcileCalendarBooking(ctx, o)
	case OrphanUnknownBooking:
		if o.CalcomEventTypeID <= 0 || o.IdempotencyKey == "" {
			return false, nil
		}
		uid, found, err := s.calendar.FindBooking(ctx, o.CompanyID, o.CalcomEventTypeID, o.Start, o.IdempotencyKey)
		if err != nil || !found {
			return err == nil, err // not found: Cal.com never booked it, nothing to undo
		}
		o.CalcomBookingID = uid
		return s.reconcileCalendarBooking(ctx, o)
	}
	return false, nil
}

func (s *Service) reconcileCalendarBooking(ctx context.Context, o Orphan) (bool, error) {
	if o.CalcomBookingID == "" {
		return false, nil
	}
	appts, err := s.store.ActiveAppointments(ctx, o.CompanyID, o.StaffID, o.Start, o.End)
	if err != nil {
		return false, err
	}
	for _, a := range appts {
		if a.CalcomBookingID == o.CalcomBookingID {
			return true, nil // the local write happened after all
		}
	}
	err = s.calendar.CancelBooking(ctx, o.CompanyID, o.CalcomBookingID, "no matching appointment")
	return err == nil || errors.Is(err, ErrNotFound), err
}

// RunReconciler reconciles every interval until ctx ends.
func (s *Service) RunReconciler(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			resolved, left, err := s.Reconcile(ctx)
			if err != nil {
				s.log.Warn().Err(err).Msg("reconcile_failed")
			} else if resolved+left > 0 {
				s.log.Info().Int("resolved", resolved).Int("left", left).Msg("reconciled")
			}
		}
	}
}
