package calsim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// listBookings serves GET /v2/bookings with the filters the client uses: eventTypeId,
// attendeeEmail, attendeeName, afterStart, beforeEnd, status, take, skip. Like the real API it
// has no metadata filter: callers filter metadata themselves.
func (s *Server) listBookings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	take, skip := queryInt(q, "take", 100), queryInt(q, "skip", 0)
	if take < 1 || take > 250 || skip < 0 {
		badRequest(w, r, s.now(), "take must be between 1 and 250, skip must not be negative")
		return
	}
	user := accountFrom(r.Context()).User
	s.mu.Lock()
	var match []map[string]any
	for _, b := range s.bookings {
		if b.HostID == user.ID && s.matches(b, q) {
			match = append(match, s.output(b))
		}
	}
	s.mu.Unlock()
	total := len(match)
	page := match[min(skip, total):min(skip+take, total)]
	if page == nil {
		page = []map[string]any{}
	}
	pages := (total + take - 1) / take
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "data": page, "pagination": map[string]any{
		"totalItems": total, "remainingItems": total - skip - len(page), "returnedItems": len(page),
		"itemsPerPage": take, "currentPage": skip/take + 1, "totalPages": pages,
		"hasNextPage": skip+len(page) < total, "hasPreviousPage": skip > 0,
	}})
}

func queryInt(q url.Values, key string, def int) int {
	n, err := strconv.Atoi(q.Get(key))
	if err != nil {
		return def
	}
	return n
}

func (s *Server) matches(b *booking, q url.Values) bool {
	if v := q.Get("eventTypeId"); v != "" && v != strconv.Itoa(b.EventType.ID) {
		return false
	}
	if v := q.Get("attendeeEmail"); v != "" && !strings.EqualFold(v, b.Attendee.Email) {
		return false
	}
	if v := q.Get("attendeeName"); v != "" && !strings.Contains(strings.ToLower(b.Attendee.Name), strings.ToLower(v)) {
		return false
	}
	if t, err := time.Parse(time.RFC3339Nano, q.Get("afterStart")); err == nil && b.Start.Before(t) {
		return false
	}
	if t, err := time.Parse(time.RFC3339Nano, q.Get("beforeEnd")); err == nil && b.End.After(t) {
		return false
	}
	return s.statusMatches(b, q.Get("status"))
}

func (s *Server) statusMatches(b *booking, filter string) bool {
	if filter == "" {
		return true
	}
	for _, f := range strings.Split(filter, ",") {
		switch f {
		case "upcoming":
			if b.Status == statusAccepted && b.End.After(s.now()) {
				return true
			}
		case "past":
			if !b.End.After(s.now()) {
				return true
			}
		case "cancelled":
			if b.Status == statusCancelled {
				return true
			}
		}
	}
	return false
}
