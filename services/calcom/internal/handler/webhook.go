package handler

import (
	"context"
	"fmt"

	"github.com/askproai/backend/pkg/api/calcom"
	client "github.com/askproai/backend/services/calcom/internal/calcom"
)

// Publisher publishes bus events (pkg/rpc's Client).
type Publisher interface {
	Publish(ctx context.Context, topic string, payload any) error
}

// WebhookEvents returns the WebhookHandler.OnEvent that publishes outside booking changes on
// calcom.TopicBookingChanged. Changes carrying our own request id were made by us and are
// already in our appointments: they are dropped.
func WebhookEvents(pub Publisher) func(ctx context.Context, ev client.WebhookEvent) error {
	return func(ctx context.Context, ev client.WebhookEvent) error {
		b := ev.Booking
		if b.RequestID() != "" {
			return nil
		}
		err := pub.Publish(ctx, calcom.TopicBookingChanged, calcom.BookingChanged{
			Trigger: ev.Trigger, CreatedAt: ev.CreatedAt, UID: b.UID, EventTypeID: int64(b.EventTypeID),
			Start: b.Start, End: b.End, Status: b.Status, RescheduleUID: b.RescheduleUID,
			CancellationReason: b.CancellationReason, OrganizerUsername: b.Organizer.Username,
		})
		if err != nil {
			return fmt.Errorf("publish booking change %s: %w", b.UID, err)
		}
		return nil
	}
}
