package calcom

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// Webhook triggers we act on.
const (
	TriggerBookingCreated     = "BOOKING_CREATED"
	TriggerBookingCancelled   = "BOOKING_CANCELLED"
	TriggerBookingRescheduled = "BOOKING_RESCHEDULED"
)

// SignatureHeader carries the hex HMAC-SHA256 of the raw body, keyed with the webhook secret.
const SignatureHeader = "X-Cal-Signature-256"

// ErrBadSignature: the webhook's signature is missing or wrong.
var ErrBadSignature = errors.New("bad webhook signature")

// VerifySignature checks signature against the HMAC-SHA256 of the exact raw body, in constant
// time. An empty secret is refused: unsigned webhooks are never accepted.
func VerifySignature(secret, body []byte, signature string) error {
	if len(secret) == 0 {
		return fmt.Errorf("no webhook secret configured: %w", ErrBadSignature)
	}
	got, err := hex.DecodeString(signature)
	if err != nil {
		return fmt.Errorf("signature is not hex: %w", ErrBadSignature)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the signature Cal.com would send for body (for tests and calsim).
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// WebhookEvent is a booking webhook, parsed.
type WebhookEvent struct {
	Trigger   string
	CreatedAt time.Time
	Booking   BookingEvent
}

// BookingEvent is the booking payload (CalendarEvent) of a webhook.
type BookingEvent struct {
	UID         string         `json:"uid"`
	BookingID   int            `json:"bookingId"`
	EventTypeID int            `json:"eventTypeId"`
	Start       time.Time      `json:"startTime"`
	End         time.Time      `json:"endTime"`
	Status      string         `json:"status"` // upper-case: ACCEPTED, CANCELLED…
	Metadata    map[string]any `json:"metadata"`
	// RescheduleUID is the old booking's uid on BOOKING_RESCHEDULED.
	RescheduleUID      string `json:"rescheduleUid"`
	CancellationReason string `json:"cancellationReason"`
	Organizer          struct {
		Username string `json:"username"`
	} `json:"organizer"`
}

// RequestID is our request id when we made the change ourselves; such events need no action.
func (b BookingEvent) RequestID() string {
	s, _ := b.Metadata[MetadataRequestID].(string)
	return s
}

// ErrUnsupportedTrigger: a well-formed webhook we do not handle (PING, MEETING_ENDED…).
var ErrUnsupportedTrigger = errors.New("unsupported webhook trigger")

// ParseWebhook decodes a verified body.
func ParseWebhook(body []byte) (WebhookEvent, error) {
	var raw struct {
		TriggerEvent string          `json:"triggerEvent"`
		CreatedAt    time.Time       `json:"createdAt"`
		Payload      json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return WebhookEvent{}, fmt.Errorf("decode webhook: %w: %w", ErrInvalidInput, err)
	}
	switch raw.TriggerEvent {
	case TriggerBookingCreated, TriggerBookingCancelled, TriggerBookingRescheduled:
	default:
		return WebhookEvent{Trigger: raw.TriggerEvent}, fmt.Errorf("trigger %q: %w", raw.TriggerEvent, ErrUnsupportedTrigger)
	}
	ev := WebhookEvent{Trigger: raw.TriggerEvent, CreatedAt: raw.CreatedAt}
	if err := json.Unmarshal(raw.Payload, &ev.Booking); err != nil {
		return WebhookEvent{}, fmt.Errorf("decode webhook payload: %w: %w", ErrInvalidInput, err)
	}
	return ev, nil
}

// WebhookHandler is the HTTP endpoint Cal.com posts to: it verifies, parses, invalidates the
// event type's cached availability and hands the event to OnEvent, then answers 204 quickly.
type WebhookHandler struct {
	Secret []byte
	Client *Client
	// OnEvent receives booking events (e.g. to update appointments through the database
	// service); nil ignores them.
	OnEvent func(ctx context.Context, ev WebhookEvent) error
	Logger  zerolog.Logger
}

const maxWebhookBody = 1 << 20

func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if err := VerifySignature(h.Secret, body, r.Header.Get(SignatureHeader)); err != nil {
		h.Logger.Warn().Err(err).Msg("calcom_webhook_rejected")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	ev, err := ParseWebhook(body)
	if errors.Is(err, ErrUnsupportedTrigger) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		h.Logger.Warn().Err(err).Msg("calcom_webhook_malformed")
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.handle(r.Context(), w, ev)
}

func (h *WebhookHandler) handle(ctx context.Context, w http.ResponseWriter, ev WebhookEvent) {
	if h.Client != nil && ev.Booking.EventTypeID != 0 {
		if err := h.Client.InvalidateAvailability(ctx, ev.Booking.EventTypeID); err != nil {
			h.Logger.Error().Err(err).Msg("calcom_webhook_could_not_invalidate_availability")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
	}
	if h.OnEvent != nil {
		if err := h.OnEvent(ctx, ev); err != nil {
			h.Logger.Error().Err(err).Str("trigger", ev.Trigger).Str("booking_uid", ev.Booking.UID).
				Msg("calcom_webhook_not_processed")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
