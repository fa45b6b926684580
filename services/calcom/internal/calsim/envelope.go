package calsim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// isoMillis is how Cal.com renders instants: milliseconds and an offset (Z for UTC).
const isoMillis = "2006-01-02T15:04:05.000Z07:00"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeData(w http.ResponseWriter, status int, data any) {
	writeJSON(w, status, map[string]any{"status": "success", "data": data})
}

// writeError writes the envelope of apps/api/v2/src/filters/http-exception.filter.ts.
func writeError(w http.ResponseWriter, r *http.Request, now time.Time, status int, code, msg string) {
	w.Header().Set("X-Request-Id", randomID(8))
	writeJSON(w, status, map[string]any{
		"status":    "error",
		"timestamp": now.UTC().Format(isoMillis),
		"path":      r.URL.Path,
		"error":     map[string]any{"code": code, "message": msg},
	})
}

func badRequest(w http.ResponseWriter, r *http.Request, now time.Time, msg string) {
	writeError(w, r, now, http.StatusBadRequest, "BadRequestException", msg)
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type accountKey struct{}

type account struct {
	APIKey string
	User   User
}

func withAccount(ctx context.Context, a account) context.Context {
	return context.WithValue(ctx, accountKey{}, a)
}

func accountFrom(ctx context.Context) account {
	a, _ := ctx.Value(accountKey{}).(account)
	return a
}

func (s *Server) authenticate(r *http.Request) (account, bool) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || key == "" {
		return account{}, false
	}
	for _, a := range s.seed.Accounts {
		if a.APIKey == key {
			u, _ := s.user(a.UserID)
			return account{APIKey: key, User: u}, true
		}
	}
	return account{}, false
}

func (s *Server) user(id int) (User, bool) {
	for _, u := range s.seed.Users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

func (s *Server) eventType(id int) (EventType, bool) {
	for _, et := range s.seed.EventTypes {
		if et.ID == id {
			return et, true
		}
	}
	return EventType{}, false
}

// schedule is the event type's schedule, else its owner's default one.
func (s *Server) schedule(et EventType) (Schedule, bool) {
	for _, sc := range s.seed.Schedules {
		if (et.ScheduleID != 0 && sc.ID == et.ScheduleID) || (et.ScheduleID == 0 && sc.UserID == et.UserID && sc.IsDefault) {
			return sc, true
		}
	}
	return Schedule{}, false
}
