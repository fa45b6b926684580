package handler

import (
	"context"
	"errors"
	"fmt"
	"time"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/call/internal/call"
)

// onRetellWebhook processes the gateway's inbox: every verified lifecycle webhook goes
// through save. Duplicates are harmless (save merges); an error leaves the event pending, so
// it is delivered again and, after the bus's limit, parked in the dead-letter stream.
func (h *Handler) onRetellWebhook(ctx context.Context, ev callapi.RetellWebhook) error {
	s, err := h.svc.Save(ctx, "", ev.Body, ev.ReceivedAt)
	if ignorable(err) {
		h.log.Debug().Str("event", ev.Event).Str("retell_call_id", ev.CallID).Msg("retell_event_ignored")
		return nil
	}
	if err != nil {
		return fmt.Errorf("inbox %s %s: %w", ev.Event, ev.CallID, err)
	}
	h.log.Debug().Str("event", ev.Event).Str("call_id", s.CallID).Str("status", string(s.Status)).Msg("retell_event_saved")
	return nil
}

// jobQueueDeadline is how long an extraction job may wait on the low lane before it is
// dropped: under load the low lane backs up by design, and a late extraction is still useful.
const jobQueueDeadline = 15 * time.Minute

// onCallSaved starts the extraction job of a finished call as a notification on the low lane,
// so ingest stays fast and no worker waits for a job. A job that fails with a retryable code
// is delivered again by the bus; otherwise the next call.saved of the call (call_analyzed
// follows call_ended) starts it again; see README, open points. The extraction's own write
// starts nothing: it changes none of the extraction's inputs.
func (h *Handler) onCallSaved(ctx context.Context, ev database.CallSavedEvent) error {
	if ev.Derived || call.Status(ev.Status).Rank() < call.StatusEnded.Rank() {
		return nil
	}
	ctx, cancel := context.WithTimeout(rpc.WithTenant(ctx, ev.CompanyID), jobQueueDeadline)
	defer cancel()
	p := callapi.AnalyzeCallParams{CompanyID: ev.CompanyID, CallID: ev.CallID}
	if err := h.bus.Notify(ctx, callapi.Service, callapi.MethodAnalyzeCall, p, rpc.WithLane(rpc.LaneLow)); err != nil {
		return fmt.Errorf("start analysis of call %s: %w", ev.CallID, err)
	}
	return nil
}

// onBookingCreated links a call to the appointment booked in it, when the booking carries the
// call's id.
func (h *Handler) onBookingCreated(ctx context.Context, ev database.AppointmentEvent) error {
	a := ev.Appointment
	if a.CallID == "" {
		return nil
	}
	companyID := ev.CompanyID
	if companyID == "" {
		companyID = a.CompanyID
	}
	_, err := h.svc.Link(ctx, companyID, call.CallRef{ID: a.CallID}, a.ID)
	if err != nil {
		return fmt.Errorf("link call %s to booking %s: %w", a.CallID, a.ID, err)
	}
	return nil
}

// ignorable: events the call record does not track are acknowledged and dropped.
func ignorable(err error) bool { return errors.Is(err, call.ErrUnsupportedEvent) }

// Publisher is call.Events over the bus.
type Publisher struct {
	bus interface {
		Publish(ctx context.Context, topic string, payload any) error
	}
}

// NewPublisher returns a Publisher on c.
func NewPublisher(c *rpc.Client) *Publisher { return &Publisher{bus: c} }

// CallAnalyzed implements call.Events.
func (p *Publisher) CallAnalyzed(ctx context.Context, e call.AnalyzedEvent) error {
	return p.bus.Publish(ctx, callapi.TopicCallAnalyzed, callapi.CallAnalyzedEvent{
		CompanyID: e.CompanyID, CallID: e.CallID, RetellCallID: e.RetellCallID, Metadata: Metadata(e.Extraction),
	})
}
