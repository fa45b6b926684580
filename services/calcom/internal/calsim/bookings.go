package calsim

import (
	"net/http"
	"strings"
	"time"
)

const (
	statusAccepted  = "accepted"
	statusCancelled = "cancelled"
)

// msgSlotTaken is the real API's 400 message for a slot that is no longer free.
const msgSlotTaken = "User either already has booking at this time or is not available"

type attendee struct {
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	TimeZone    string `json:"timeZone"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Language    string `json:"language,omitempty"`
}

// booking is a stored booking; Booking (via output) is what the API returns.
type booking struct {
	ID                 int
	UID                string
	EventType          EventType
	HostID             int
	Start, End         time.Time
	Status             string
	Attendee           attendee
	Metadata           map[string]any
	Responses          map[string]any
	CancellationReason string
	ReschedulingReason string
	RescheduledFromUID string
	RescheduledToUID   string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Booking is the admin view of a stored booking (GET /_calsim/bookings).
type Booking struct {
	UID         string         `json:"uid"`
	EventTypeID int            `json:"eventTypeId"`
	Start       time.Time      `json:"start"`
	End         time.Time      `json:"end"`
	Status      string         `json:"status"`
	Metadata    map[string]any `json:"metadata,omitempty"`
}

// Bookings returns every stored booking, cancelled ones included, in creation order.
func (s *Server) Bookings() []Booking {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Booking, 0, len(s.bookings))
	for _, b := range s.bookings {
		out = append(out, Booking{UID: b.UID, EventTypeID: b.EventType.ID, Start: b.Start, End: b.End,
			Status: b.Status, Metadata: b.Metadata})
	}
	return out
}

func (s *Server) adminBookings(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Bookings())
}

func (s *Server) adminRequests(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Requests())
}

// find returns the booking with uid. Caller holds s.mu.
func (s *Server) find(uid string) *booking {
	for _, b := range s.bookings {
		if b.UID == uid {
			return b
		}
	}
	return nil
}

// output renders BookingOutput_2024_08_13.
func (s *Server) output(b *booking) map[string]any {
	host, _ := s.user(b.HostID)
	att := map[string]any{"name": b.Attendee.Name, "email": b.Attendee.Email, "timeZone": b.Attendee.TimeZone,
		"language": b.Attendee.Language, "absent": false}
	if b.Attendee.PhoneNumber != "" {
		att["phoneNumber"] = b.Attendee.PhoneNumber
	}
	out := map[string]any{
		"id": b.ID, "uid": b.UID, "title": b.EventType.Title + " between " + host.Name + " and " + b.Attendee.Name,
		"description": "", "status": b.Status,
		"hosts": []any{map[string]any{"id": host.ID, "name": host.Name, "email": host.Email,
			"username": host.Username, "timeZone": host.TimeZone}},
		"start": b.Start.UTC().Format(isoMillis), "end": b.End.UTC().Format(isoMillis),
		"duration": int(b.End.Sub(b.Start) / time.Minute), "eventTypeId": b.EventType.ID,
		"eventType": map[string]any{"id": b.EventType.ID, "slug": b.EventType.Slug},
		"location":  "", "absentHost": false, "attendees": []any{att}, "guests": []any{},
		"bookingFieldsResponses": b.Responses, "metadata": b.Metadata,
		"createdAt": b.CreatedAt.UTC().Format(isoMillis), "updatedAt": b.UpdatedAt.UTC().Format(isoMillis),
	}
	for k, v := range map[string]string{"cancellationReason": b.CancellationReason,
		"reschedulingReason": b.ReschedulingReason, "rescheduledFromUid": b.RescheduledFromUID,
		"rescheduledToUid": b.RescheduledToUID} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// placeholderEmail is what Cal.com stores for a phone-only attendee.
func placeholderEmail(phone string) string {
	return strings.TrimPrefix(phone, "+") + "@sms.cal.com"
}

// checkMetadata applies validate-metadata.ts: ≤50 keys, keys ≤40 chars, flat values, strings ≤500.
func checkMetadata(md map[string]any) string {
	if len(md) > 50 {
		return "metadata may have at most 50 keys"
	}
	for k, v := range md {
		if len(k) > 40 {
			return "metadata keys may be at most 40 characters"
		}
		switch val := v.(type) {
		case string:
			if len(val) > 500 {
				return "metadata string values may be at most 500 characters"
			}
		case float64, bool:
		default:
			return "metadata values must be strings, numbers or booleans"
		}
	}
	return ""
}
