package calsim

import (
	"net/http"
	"strconv"
)

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	u := accountFrom(r.Context()).User
	scheduleID := 0
	for _, sc := range s.seed.Schedules {
		if sc.UserID == u.ID && sc.IsDefault {
			scheduleID = sc.ID
		}
	}
	writeData(w, http.StatusOK, map[string]any{"id": u.ID, "username": u.Username, "email": u.Email,
		"name": u.Name, "timeFormat": 24, "defaultScheduleId": scheduleID, "weekStart": "Monday",
		"timeZone": u.TimeZone, "organizationId": nil})
}

// getEventTypes mirrors the real API: without a username (or usernames) the list is empty.
func (s *Server) getEventTypes(w http.ResponseWriter, r *http.Request) {
	username := r.URL.Query().Get("username")
	out := []any{}
	for _, et := range s.seed.EventTypes {
		u, _ := s.user(et.UserID)
		if username == "" || u.Username != username {
			continue
		}
		if slug := r.URL.Query().Get("eventSlug"); slug != "" && slug != et.Slug {
			continue
		}
		out = append(out, s.eventTypeOutput(et, u))
	}
	writeData(w, http.StatusOK, out)
}

func (s *Server) eventTypeOutput(et EventType, u User) map[string]any {
	sc, _ := s.schedule(et)
	var interval any
	if et.SlotInterval > 0 {
		interval = et.SlotInterval
	}
	out := map[string]any{
		"id": et.ID, "lengthInMinutes": et.LengthInMinutes, "title": et.Title, "slug": et.Slug,
		"description": "", "locations": []any{}, "bookingFields": bookingFields(et),
		"disableGuests": false, "recurrence": nil, "metadata": map[string]any{}, "price": 0, "currency": "eur",
		"lockTimeZoneToggleOnBookingPage": false, "forwardParamsSuccessRedirect": nil, "successRedirectUrl": nil,
		"isInstantEvent": false, "scheduleId": sc.ID, "hidden": false, "bookingRequiresAuthentication": false,
		"ownerId": u.ID, "users": []any{}, "slotInterval": interval,
		"beforeEventBuffer": 0, "afterEventBuffer": 0,
	}
	// Optional fields are left out when the seed has none, as Cal.com may.
	if et.MinimumBookingNotice != nil {
		out["minimumBookingNotice"] = *et.MinimumBookingNotice
	}
	if w := et.BookingWindow; w != nil {
		if et.BookingWindowShape == "object" {
			out["bookingWindow"] = w.output()
		} else {
			out["bookingWindow"] = []any{w.output()}
		}
	}
	return out
}

// getEventType answers GET /v2/event-types/{eventTypeId}: an event type of the key's user; any
// other id is 404 (Cal.com's NotFoundException).
func (s *Server) getEventType(w http.ResponseWriter, r *http.Request) {
	u := accountFrom(r.Context()).User
	raw := r.PathValue("eventTypeId")
	id, err := strconv.Atoi(raw)
	if err != nil {
		writeError(w, r, s.now(), http.StatusBadRequest, "BadRequestException", "eventTypeId must be a number")
		return
	}
	et, ok := s.eventType(id)
	if !ok || et.UserID != u.ID {
		writeError(w, r, s.now(), http.StatusNotFound, "NotFoundException", "Event type with id="+raw+" not found")
		return
	}
	writeData(w, http.StatusOK, s.eventTypeOutput(et, u))
}

// bookingFields lists the default name and email fields; email is required unless the event
// type is phone-only (then attendeePhoneNumber is required instead).
func bookingFields(et EventType) []any {
	return []any{
		map[string]any{"type": "name", "slug": "name", "label": "Your name", "placeholder": "",
			"isDefault": true, "required": true},
		map[string]any{"type": "email", "slug": "email", "label": "Email address", "placeholder": "",
			"isDefault": true, "required": et.RequiresEmail, "hidden": !et.RequiresEmail},
		map[string]any{"type": "phone", "slug": "attendeePhoneNumber", "label": "Phone number", "placeholder": "",
			"isDefault": true, "required": !et.RequiresEmail, "hidden": false},
	}
}

func (s *Server) getSchedules(w http.ResponseWriter, r *http.Request) {
	u := accountFrom(r.Context()).User
	out := []any{}
	for _, sc := range s.seed.Schedules {
		if sc.UserID != u.ID {
			continue
		}
		avail := make([]any, 0, len(sc.Availability))
		for _, a := range sc.Availability {
			avail = append(avail, map[string]any{"days": a.Days, "startTime": a.StartTime, "endTime": a.EndTime})
		}
		out = append(out, map[string]any{"id": sc.ID, "ownerId": sc.UserID, "name": sc.Name,
			"timeZone": sc.TimeZone, "isDefault": sc.IsDefault, "availability": avail, "overrides": []any{}})
	}
	writeData(w, http.StatusOK, out)
}
