package democall_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/database/cmd/askpro/democall"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

var (
	weekdays = []string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	months   = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	saidDate = regexp.MustCompile(`^\w+, den (\d{1,2})\. (\p{L}+)$`)
)

// salonGateway answers like the gateway over a salon open Tuesday to Saturday, every slot free
// except on the days in full. It reads the caller's words against the call's start, as
// routing does: "nächsten Dienstag" said on a Monday means this week's or next week's.
type salonGateway struct {
	t    *testing.T
	full map[string]bool

	mu     sync.Mutex
	checks []map[string]any
	books  []map[string]any
}

func (g *salonGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	require.NoError(g.t, err)
	verify(g.t, body, r.Header.Get("X-Retell-Signature"))
	var m struct {
		Call struct {
			Start int64 `json:"start_timestamp"`
		} `json:"call"`
		Args map[string]any `json:"args"`
	}
	require.NoError(g.t, json.Unmarshal(body, &m))
	ref := time.UnixMilli(m.Call.Start).In(berlin)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch r.URL.Path {
	case "/retell/inbound":
		writeJSON(w, map[string]any{"call_inbound": map[string]any{
			"dynamic_variables": map[string]string{"company_id": "c1", "branch_id": "b1", "branch_name": "Haarmonie Mitte",
				"company_name": "Salon Haarmonie", "time_zone": "Europe/Berlin"},
			"metadata": map[string]any{"company_id": "c1", "branch_id": "b1"}}})
	case "/retell/functions/check_availability":
		g.checks = append(g.checks, m.Args)
		writeJSON(w, g.check(ref, m.Args))
	case "/retell/functions/book_appointment":
		g.books = append(g.books, m.Args)
		writeJSON(w, g.book(m.Args))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (g *salonGateway) check(ref time.Time, args map[string]any) map[string]any {
	date, _ := args["date"].(string)
	if date == "" {
		d := g.nextOpenDay(ref)
		return map[string]any{"success": true, "message": "Der nächste freie Termin ist " + spoken(d.Add(9*time.Hour)) + ".",
			"options": []any{offer(d.Add(9 * time.Hour)), offer(d.Add(9*time.Hour + 30*time.Minute))}}
	}
	days := g.resolve(ref, date)
	switch {
	case len(days) == 0:
		return map[string]any{"success": false, "message": "Das habe ich leider nicht ganz verstanden.", "error": "not_understood", "needs_clarification": true}
	case len(days) > 1:
		return map[string]any{"success": false, "needs_clarification": true, "error": "ambiguous_time",
			"message": "Meinen Sie " + spoken(halfPastTwo(days[0])) + " oder " + spoken(halfPastTwo(days[1])) + "?"}
	case g.full[days[0].Format(time.DateOnly)]:
		return map[string]any{"success": false, "message": "Am " + spoken(days[0]) + " ist leider nichts mehr frei."}
	}
	at := halfPastTwo(days[0])
	return map[string]any{"success": true, "message": spoken(at) + " ist frei.", "options": []any{offer(at)}}
}

// book takes an offered slot passed back, as the gateway does with start and staff_id.
func (g *salonGateway) book(args map[string]any) map[string]any {
	if start, ok := args["start"].(string); ok && args["staff_id"] != nil {
		return booked(start)
	}
	return map[string]any{"success": false, "error": "slot_unavailable", "needs_clarification": true, "message": "Welchen Termin möchten Sie?"}
}

func booked(start string) map[string]any {
	return map[string]any{"success": true, "message": "Ihr Termin ist gebucht. Ihre Bestätigungsnummer ist K 7 P 2 Q 9.",
		"booking": map[string]any{"appointment_id": "a1", "start": start, "confirmation_number": "K7P2Q9"}}
}

// resolve reads "nächsten Dienstag" and "Dienstag, den 8. Dezember" against ref.
func (g *salonGateway) resolve(ref time.Time, date string) []time.Time {
	today := time.Date(ref.Year(), ref.Month(), ref.Day(), 0, 0, 0, 0, berlin)
	if date == "nächsten Dienstag" {
		ahead := (int(time.Tuesday) - int(today.Weekday()) + 7) % 7
		if ahead == 0 {
			return []time.Time{today.AddDate(0, 0, 7)}
		}
		upcoming := today.AddDate(0, 0, ahead)
		if today.Weekday() == time.Monday { // the upcoming Tuesday is still this week
			return []time.Time{upcoming, upcoming.AddDate(0, 0, 7)}
		}
		return []time.Time{upcoming}
	}
	if p := saidDate.FindStringSubmatch(date); p != nil {
		day, _ := strconv.Atoi(p[1])
		for i, name := range months {
			if name == p[2] {
				d := time.Date(today.Year(), time.Month(i+1), day, 0, 0, 0, 0, berlin)
				if d.Before(today) {
					d = d.AddDate(1, 0, 0)
				}
				return []time.Time{d}
			}
		}
	}
	return nil
}

func (g *salonGateway) nextOpenDay(ref time.Time) time.Time {
	d := time.Date(ref.Year(), ref.Month(), ref.Day(), 0, 0, 0, 0, berlin)
	for {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() != time.Sunday && d.Weekday() != time.Monday && !g.full[d.Format(time.DateOnly)] {
			return d
		}
	}
}

func halfPastTwo(day time.Time) time.Time { return day.Add(14*time.Hour + 30*time.Minute) }

func spoken(t time.Time) string {
	s := fmt.Sprintf("%s, %d. %s", weekdays[t.Weekday()], t.Day(), months[t.Month()-1])
	if t.Hour() == 0 {
		return s
	}
	if t.Minute() == 0 {
		return fmt.Sprintf("%s, um %d Uhr", s, t.Hour())
	}
	return fmt.Sprintf("%s, um %d:%02d Uhr", s, t.Hour(), t.Minute())
}

func offer(at time.Time) map[string]any {
	return map[string]any{"start": at.UTC().Format(time.RFC3339), "spoken": spoken(at), "staff_id": "s1", "staff_name": "Anna Becker"}
}

func play(t *testing.T, g *salonGateway, now time.Time) democall.Result {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	res, err := democall.Run(t.Context(), democall.Options{GatewayURL: srv.URL, RetellKey: key,
		Now: func() time.Time { return now }})
	require.NoError(t, err, "%+v\n%s", res.Steps, res.Conversation())
	require.True(t, res.OK())
	return res
}

// On a Monday "nächsten Dienstag" has two readings: the caller picks the first and says it.
func TestRunAnswersWhichTuesdayOnAMonday(t *testing.T) {
	g := &salonGateway{t: t}
	res := play(t, g, time.Date(2026, 12, 7, 10, 0, 0, 0, berlin))

	require.Equal(t, "Dienstag, 8. Dezember", res.Clarified)
	require.Len(t, g.checks, 2)
	require.Equal(t, "Dienstag, den 8. Dezember", g.checks[1]["date"], "said back in words")
	require.Equal(t, "halb drei", g.checks[1]["time"])
	require.Equal(t, "2026-12-08T13:30:00Z", res.Booked.Start)
	require.Equal(t, "2026-12-08T13:30:00Z", g.books[0]["start"], "the offer for the clarified wish")
	require.Equal(t, "Dienstag, den 8. Dezember", g.books[0]["date"])

	printed := res.Conversation()
	require.Contains(t, printed, "agent:  Meinen Sie Dienstag, 8. Dezember, um 14:30 Uhr oder Dienstag, 15. Dezember, um 14:30 Uhr?\n")
	require.Contains(t, printed, "caller: Ich meine Dienstag, den 8. Dezember, um halb drei.\n")
	require.Contains(t, printed, "caller: Dann nehme ich Dienstag, 8. Dezember, um 14:30 Uhr bei Anna Becker. Auf den Namen Anna Weber, bitte.\n")
	require.Contains(t, printed, "agent:  Ihr Termin ist gebucht.")
}

// At night, with the wished Tuesday fully booked, the caller asks for the next opening and
// takes the first one offered.
func TestRunTakesTheNextOpeningAtNight(t *testing.T) {
	g := &salonGateway{t: t, full: map[string]bool{"2026-12-15": true}}
	res := play(t, g, time.Date(2026, 12, 13, 23, 45, 0, 0, berlin)) // Sunday night

	require.Empty(t, res.Clarified, "on a Sunday nächsten Dienstag is clear")
	require.Len(t, g.checks, 2)
	require.Equal(t, map[string]any{"service": "Haare schneiden"}, g.checks[1], "asked for the next opening")
	require.NotNil(t, res.Chosen)
	require.Equal(t, "Mittwoch, 16. Dezember, um 9 Uhr", res.Chosen.Spoken)
	require.Equal(t, "2026-12-16T08:00:00Z", res.Booked.Start)
	require.Equal(t, res.Chosen.Start, g.books[len(g.books)-1]["start"], "booked the chosen offer")

	printed := res.Conversation()
	require.Contains(t, printed, "agent:  Am Dienstag, 15. Dezember ist leider nichts mehr frei.\n")
	require.Contains(t, printed, "caller: Schade. Wann haben Sie denn den nächsten freien Termin?\n")
	require.Contains(t, printed, "caller: Dann nehme ich den ersten: Mittwoch, 16. Dezember, um 9 Uhr bei Anna Becker. Auf den Namen Anna Weber, bitte.\n")
}
