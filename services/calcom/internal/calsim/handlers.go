package calsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/askproai/backend/pkg/phone"
)

type createInput struct {
	Start                  string         `json:"start"`
	EventTypeID            *int           `json:"eventTypeId"`
	Attendee               *attendee      `json:"attendee"`
	Metadata               map[string]any `json:"metadata"`
	BookingFieldsResponses map[string]any `json:"bookingFieldsResponses"`
}

func (s *Server) createBooking(w http.ResponseWriter, r *http.Request) {
	var in createInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Attendee == nil || in.EventTypeID == nil {
		badRequest(w, r, s.now(), "Bad Request Exception")
		return
	}
	et, ok := s.eventType(*in.EventTypeID)
	if !ok {
		writeError(w, r, s.now(), http.StatusNotFound, "NotFoundException", "Event type with id="+strconv.Itoa(*in.EventTypeID)+" not found")
		return
	}
	start, err := time.Parse(time.RFC3339Nano, in.Start)
	if msg := s.checkCreate(in, et, start, err); msg != "" {
		badRequest(w, r, s.now(), msg)
		return
	}
	s.mu.Lock()
	b, msg := s.book(et, start, *in.Attendee, in.Metadata, in.BookingFieldsResponses, "")
	s.mu.Unlock()
	if msg != "" {
		badRequest(w, r, s.now(), msg)
		return
	}
	writeData(w, http.StatusCreated, s.output(b))
}

func (s *Server) checkCreate(in createInput, et EventType, start time.Time, parseErr error) string {
	a := in.Attendee
	switch {
	case parseErr != nil:
		return "start must be a valid ISO 8601 date string"
	case a.Name == "":
		return "attendee.name should not be empty"
	case a.TimeZone == "":
		return "attendee.timeZone must be a valid IANA time zone"
	case a.Email == "" && a.PhoneNumber == "":
		return "Attendee must have at least one contact method"
	case a.PhoneNumber != "" && !validPhone(a.PhoneNumber):
		return "attendee.phoneNumber must be a valid phone number"
	case et.RequiresEmail && a.Email == "":
		return "Missing required booking field: email"
	case start.Before(s.now()):
		return "Attempting to book a meeting in the past."
	}
	if _, err := time.LoadLocation(a.TimeZone); err != nil {
		return "attendee.timeZone must be a valid IANA time zone"
	}
	return checkMetadata(in.Metadata)
}

// book stores a booking if start is a free slot of et. Caller holds s.mu.
func (s *Server) book(et EventType, start time.Time, a attendee, md, responses map[string]any, ignoreUID string) (*booking, string) {
	if !slices.ContainsFunc(s.freeSlots(et, start, start, ignoreUID), start.Equal) {
		return nil, msgSlotTaken
	}
	if a.Email == "" {
		a.Email = placeholderEmail(a.PhoneNumber)
	}
	if a.Language == "" {
		a.Language = "en"
	}
	if responses == nil {
		responses = map[string]any{}
	}
	responses["name"], responses["email"] = a.Name, a.Email
	if a.PhoneNumber != "" {
		responses["attendeePhoneNumber"] = a.PhoneNumber
	}
	if md == nil {
		md = map[string]any{}
	}
	now := s.now()
	b := &booking{ID: s.nextID, UID: randomID(11), EventType: et, HostID: et.UserID, Start: start.UTC(),
		End: start.UTC().Add(time.Duration(et.LengthInMinutes) * time.Minute), Status: statusAccepted,
		Attendee: a, Metadata: md, Responses: responses, CreatedAt: now, UpdatedAt: now}
	s.nextID++
	s.bookings = append(s.bookings, b)
	return b, ""
}

func (s *Server) getBooking(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.find(r.PathValue("bookingUid"))
	if b == nil {
		notFoundBooking(w, r, s.now())
		return
	}
	writeData(w, http.StatusOK, s.output(b))
}

func notFoundBooking(w http.ResponseWriter, r *http.Request, now time.Time) {
	writeError(w, r, now, http.StatusNotFound, "NotFoundException", "Booking with uid="+r.PathValue("bookingUid")+" not found")
}

func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CancellationReason string `json:"cancellationReason"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		badRequest(w, r, s.now(), "Bad Request Exception")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.find(r.PathValue("bookingUid"))
	switch {
	case b == nil:
		notFoundBooking(w, r, s.now())
	case b.Status == statusCancelled:
		badRequest(w, r, s.now(), "This booking has already been cancelled.")
	case b.End.Before(s.now()):
		badRequest(w, r, s.now(), "Cannot cancel a booking that has already ended")
	default:
		b.Status, b.CancellationReason, b.UpdatedAt = statusCancelled, in.CancellationReason, s.now()
		writeData(w, http.StatusOK, s.output(b))
	}
}

func (s *Server) rescheduleBooking(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Start              string `json:"start"`
		ReschedulingReason string `json:"reschedulingReason"`
	}
	err := json.NewDecoder(r.Body).Decode(&in)
	start, perr := time.Parse(time.RFC3339Nano, in.Start)
	if err != nil || perr != nil {
		badRequest(w, r, s.now(), "start must be a valid ISO 8601 date string")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.find(r.PathValue("bookingUid"))
	switch {
	case old == nil:
		notFoundBooking(w, r, s.now())
		return
	case old.Status == statusCancelled:
		badRequest(w, r, s.now(), "Can't reschedule booking with uid="+old.UID+" because it has been cancelled or rescheduled")
		return
	case start.Before(s.now()):
		badRequest(w, r, s.now(), "Attempting to book a meeting in the past.")
		return
	}
	b, msg := s.book(old.EventType, start, old.Attendee, old.Metadata, nil, old.UID)
	if msg != "" {
		badRequest(w, r, s.now(), msg)
		return
	}
	b.RescheduledFromUID, b.ReschedulingReason = old.UID, in.ReschedulingReason
	old.Status, old.RescheduledToUID, old.UpdatedAt = statusCancelled, b.UID, s.now()
	writeData(w, http.StatusCreated, s.output(b))
}

// validPhone is Cal.com's check of attendee.phoneNumber (libphonenumber's isValidPhoneNumber on
// an international number), made with the same library as ours.
func validPhone(number string) bool {
	_, err := phone.Normalize(number, "")
	return err == nil
}
