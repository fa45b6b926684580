package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/services/gateway/internal/gateway"
)

// ruleCase is one wish that breaks an opening rule of Haarmonie Mitte (DE-BE, Heiligabend
// closed, Saturdays until 14:00), asked on Monday 7 December 2026, 10:00 Berlin time.
type ruleCase struct {
	name   string
	reason string
	wish   time.Time // Berlin time
	date   string    // the caller's words for the day
	clock  string    // the caller's words for the time
	closed bool      // the whole day is closed: availability offers nothing that day
	next   bool      // the sentence offers a free start (too_far: the latest before the horizon)
}

var rulesNow = berlinAt("2026-12-07", "10:00")

var ruleCases = []ruleCase{
	{"Sunday is closed", "closed", berlinAt("2026-12-13", "10:00"), "am 13. Dezember", "um 10 Uhr", true, true},
	{"Heiligabend is the tenant's closing day", "closed", berlinAt("2026-12-24", "10:00"), "am 24. Dezember", "um 10 Uhr", true, true},
	{"Neujahr is a Berlin holiday", "holiday", berlinAt("2027-01-01", "10:00"), "am 1. Januar", "um 10 Uhr", true, true},
	{"a 45-minute cut at 13:30 on a Saturday runs past 14:00", "outside_opening_hours", berlinAt("2026-12-12", "13:30"), "am 12. Dezember", "um 13:30 Uhr", false, true},
	{"within the two hours' notice", "too_soon", berlinAt("2026-12-07", "11:00"), "heute", "um 11 Uhr", false, true},
	{"in the past", "in_the_past", berlinAt("2026-12-07", "09:00"), "", "", false, true},
	{"beyond the 90 days' horizon", "too_far", berlinAt("2027-03-09", "10:00"), "am 9. März", "um 10 Uhr", false, true},
}

// openingRules plays every ruleCase through /rpc (booking.checkAvailability and booking.create
// with the tenant's key) and through the live functions (check_availability and
// book_appointment, signed as Retell signs them), on the running system of the German call.
func (e *e2e) openingRules(t *testing.T) {
	require.NoError(t, clock.Set(e.clockFile, rulesNow))
	call := e.inboundCall(t, rulesNow)
	meta := call["metadata"].(map[string]any)
	branchID := fmt.Sprint(meta["branch_id"])
	cut := e.eventTypeID(t, branchID, "Damenhaarschnitt")
	proven := map[time.Time]bool{} // next possible starts booked already

	t.Run("last slot before closing is accepted", func(t *testing.T) {
		at := berlinAt("2026-12-12", "13:15") // 45 minutes end at 14:00 sharp
		e.bookThroughRPC(t, branchID, cut, at)
		proven[at.UTC()] = true
	})

	for _, rc := range ruleCases {
		t.Run(rc.name, func(t *testing.T) {
			require.NoError(t, clock.Set(e.clockFile, rulesNow))
			// /rpc: availability at the wished time names the rule and offers nothing then.
			av := e.availability(t, branchID, cut, map[string]any{"at": rc.wish})
			require.Equal(t, rc.reason, av.Reason, "%+v", av)
			for _, o := range av.Options {
				require.False(t, o.Start.Equal(rc.wish), "the wished start is not offered: %+v", av)
			}
			requireGerman(t, av.Message)
			t.Logf("%s: %s", rc.reason, av.Message)
			if rc.closed {
				from, to := dayOf(rc.wish)
				day := e.availability(t, branchID, cut, map[string]any{"from": from, "to": to})
				require.Empty(t, day.Options, "nothing is offered on a closed day: %+v", day)
			}
			// /rpc: create is refused with -32002, data.reason and the sentence.
			staffID := e.someStaff(t, branchID, cut)
			code, data := e.create(t, branchID, cut, staffID, rc.wish)
			require.Equal(t, -32002, code, "%+v", data)
			require.Equal(t, rc.reason, data.Reason, "%+v", data)
			requireGerman(t, data.Message)

			// Live functions: the same reason in error, the booking service's sentence read out.
			if rc.date != "" {
				args := map[string]any{"service": "Haare schneiden", "date": rc.date, "time": rc.clock}
				var check, book gateway.FunctionResult
				require.Equal(t, http.StatusOK, e.retell(t, "/retell/functions/check_availability",
					map[string]any{"name": "check_availability", "call": call, "args": args}, &check))
				require.Equal(t, rc.reason, check.Error, "%+v", check)
				require.Equal(t, len(check.Options) > 0, check.Success, "success means options were offered: %+v", check)
				for _, o := range check.Options {
					require.NotEqual(t, rc.wish.UTC().Format(time.RFC3339), o.Start, "%+v", check)
				}
				require.Equal(t, av.Message, check.Message, "the caller hears the booking service's sentence")
				args["name"] = "Maria Regel"
				require.Equal(t, http.StatusOK, e.retell(t, "/retell/functions/book_appointment",
					map[string]any{"name": "book_appointment", "call": call, "args": args}, &book))
				require.False(t, book.Success, "%+v", book)
				require.Nil(t, book.Booking, "%+v", book)
				require.Equal(t, rc.reason, book.Error, "%+v", book)
				require.Equal(t, av.Message, book.Message, "the caller hears the booking service's sentence")
				if rc.closed {
					var day gateway.FunctionResult
					require.Equal(t, http.StatusOK, e.retell(t, "/retell/functions/check_availability",
						map[string]any{"name": "check_availability", "call": call, "args": map[string]any{"service": "Haare schneiden", "date": rc.date}}, &day))
					require.False(t, day.Success, "%+v", day)
					require.Empty(t, day.Options, "%+v", day)
					require.NotContains(t, day.Message, " ist frei", "%+v", day)
					requireGerman(t, day.Message)
					t.Logf("the whole day: %s", day.Message)
				}
			}
			// Nothing was stored, here or at Cal.com.
			e.requireNothingAt(t, rc.wish)

			// The start the sentence offers is one the calendar has free: it books. Availability
			// offers the earliest of any staff member, create's refusal that of the one asked for.
			if !rc.next {
				return
			}
			require.Regexp(t, `etwas frei\.|freie Termin wäre am|Ich kann Ihnen anbieten: `, av.Message, "the offer is a free start, not only one the rules allow")
			next, ok := offeredStart(av.Message, rc.wish)
			require.True(t, ok, "the sentence offers a free start: %q", av.Message)
			dataNext, ok := offeredStart(data.Message, rc.wish)
			require.True(t, ok, "create's refusal offers one too: %q", data.Message)
			for _, at := range []time.Time{next, dataNext} {
				require.False(t, at.Equal(rc.wish), "%s is not the wish", at)
				switch {
				case rc.reason == "too_far":
					require.True(t, at.Before(rc.wish), "the latest start before the horizon: %s", at)
				case rc.closed:
					require.True(t, at.After(rc.wish), "%s after %s", at, rc.wish)
				}
				if !proven[at.UTC()] {
					e.bookThroughRPC(t, branchID, cut, at)
					proven[at.UTC()] = true
				}
			}
		})
	}
}

// requireGerman checks a sentence is speakable German, not an English error.
func requireGerman(t *testing.T, msg string) {
	t.Helper()
	require.NotEmpty(t, msg)
	require.Regexp(t, `(?i)\b(wir|ich|leider|ist|haben|kann|möglich|geschlossen)\b`, msg)
	require.NotRegexp(t, `(?i)\b(error|slot|invalid|not found)\b`, msg)
	require.NotRegexp(t, `\b0\d:\d\d Uhr|\d:00 Uhr`, msg, "times are said naturally: um 9 Uhr, um 14:30 Uhr")
}

// offeredStart reads the offered start from a sentence: a weekday, optionally its date
// ("14. Dezember", with the year when not this one), and "um 9 Uhr" or "um 9:30 Uhr"
// (never "um 09:00 Uhr": requireGerman checks that). Without a date it is the first such weekday on or after the wished day.
var offeredRe = regexp.MustCompile(`(` + strings.Join(germanWeekdays, "|") + `)(?:, (?:den )?(\d{1,2})\. (` +
	strings.Join(germanMonths, "|") + `)(?: (\d{4}))?)?,? um (\d{1,2})(?:[:.](\d{2}))? Uhr`)

func offeredStart(msg string, wish time.Time) (time.Time, bool) {
	// The sentence's own offer ("Am Montag, 14. Dezember, um 10 Uhr wäre etwas frei.") is its
	// last start; listed options ("Ich kann Ihnen anbieten: …") take its place, the first one.
	head, list, _ := strings.Cut(msg, "Ich kann Ihnen anbieten")
	var m []string
	if all := offeredRe.FindAllStringSubmatch(head, -1); all != nil {
		m = all[len(all)-1]
	} else if m = offeredRe.FindStringSubmatch(list); m == nil {
		return time.Time{}, false
	}
	hour, _ := strconv.Atoi(m[5])
	minute := 0
	if m[6] != "" {
		minute, _ = strconv.Atoi(m[6])
	}
	w := wish.In(berlin)
	var day time.Time
	if m[2] != "" {
		d, _ := strconv.Atoi(m[2])
		month := time.Month(indexOf(germanMonths, m[3]) + 1)
		year := w.Year()
		if m[4] != "" {
			year, _ = strconv.Atoi(m[4])
		} else if month < w.Month() {
			year++
		}
		day = time.Date(year, month, d, 0, 0, 0, 0, berlin)
	} else {
		day = time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, berlin)
		for germanWeekdays[day.Weekday()] != m[1] {
			day = day.AddDate(0, 0, 1)
		}
	}
	if germanWeekdays[day.Weekday()] != m[1] {
		return time.Time{}, false
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, berlin), true
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func dayOf(t time.Time) (time.Time, time.Time) {
	l := t.In(berlin)
	from := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, berlin)
	return from, from.AddDate(0, 0, 1)
}

// inboundCall rings the demo's Mitte number at the given business time and returns the call
// object later function calls carry.
func (e *e2e) inboundCall(t *testing.T, at time.Time) map[string]any {
	t.Helper()
	callID := "call_rules" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var inbound struct {
		CallInbound struct {
			Metadata map[string]any `json:"metadata"`
		} `json:"call_inbound"`
	}
	require.Equal(t, http.StatusOK, e.retell(t, "/retell/inbound", map[string]any{
		"event": "call_inbound", "call_inbound": map[string]any{"from_number": e2eCaller, "to_number": e.phone, "call_id": callID},
	}, &inbound))
	require.NotEmpty(t, inbound.CallInbound.Metadata["branch_id"])
	return map[string]any{
		"call_id": callID, "call_type": "phone_call", "direction": "inbound", "agent_id": "agent_e2e",
		"from_number": e2eCaller, "to_number": e.phone, "call_status": "ongoing",
		"start_timestamp": at.UnixMilli(), "metadata": inbound.CallInbound.Metadata,
	}
}

type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// rpc posts one JSON-RPC request to /rpc with the tenant's key and decodes the result into out.
func (e *e2e) rpc(t *testing.T, method string, params any, out any) *rpcError {
	t.Helper()
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.sys.GatewayURL+"/rpc", strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", e.apiKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	var res struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	require.NoError(t, json.Unmarshal(raw, &res), "%s", raw)
	if res.Error == nil && out != nil {
		require.NoError(t, json.Unmarshal(res.Result, out), "%s", raw)
	}
	return res.Error
}

type wireOption struct {
	StaffID string    `json:"staff_id"`
	Start   time.Time `json:"start"`
	Spoken  string    `json:"spoken"`
}

type wireAvailability struct {
	Options []wireOption `json:"options"`
	Exact   bool         `json:"exact"`
	Message string       `json:"message"`
	Reason  string       `json:"reason"`
}

func (e *e2e) availability(t *testing.T, branchID, eventTypeID string, when map[string]any) wireAvailability {
	t.Helper()
	p := map[string]any{"branch_id": branchID, "event_type_id": eventTypeID, "time_zone": "Europe/Berlin", "limit": 3}
	for k, v := range when {
		p[k] = v
	}
	var av wireAvailability
	require.Nil(t, e.rpc(t, "booking.checkAvailability", p, &av))
	return av
}

func (e *e2e) eventTypeID(t *testing.T, branchID, name string) string {
	t.Helper()
	var list struct {
		EventTypes []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"event_types"`
	}
	require.Nil(t, e.rpc(t, "database.eventTypes.list", map[string]any{"branch_id": branchID}, &list))
	for _, et := range list.EventTypes {
		if et.Name == name {
			return et.ID
		}
	}
	require.Failf(t, "no event type", "%s in %+v", name, list)
	return ""
}

// someStaff is a staff member of the branch who offers the event type.
func (e *e2e) someStaff(t *testing.T, branchID, eventTypeID string) string {
	t.Helper()
	var list struct {
		Staff []struct {
			ID           string   `json:"id"`
			EventTypeIDs []string `json:"event_type_ids"`
		} `json:"staff"`
	}
	require.Nil(t, e.rpc(t, "database.staff.list", map[string]any{"branch_id": branchID}, &list))
	for _, st := range list.Staff {
		for _, id := range st.EventTypeIDs {
			if id == eventTypeID {
				return st.ID
			}
		}
	}
	require.NotEmpty(t, list.Staff)
	return list.Staff[0].ID
}

type refusalData struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func (e *e2e) create(t *testing.T, branchID, eventTypeID, staffID string, at time.Time) (int, refusalData) {
	t.Helper()
	var data refusalData
	rerr := e.rpc(t, "booking.create", map[string]any{"branch_id": branchID, "event_type_id": eventTypeID,
		"staff_id": staffID, "start": at, "time_zone": "Europe/Berlin", "customer_phone": e2eCaller,
		"customer_name": "Maria Regel", "idempotency_key": "rules-" + at.UTC().Format(time.RFC3339) + "-" + staffID}, nil)
	if rerr == nil {
		return 0, data
	}
	require.NoError(t, json.Unmarshal(rerr.Data, &data), "%s", rerr.Data)
	return rerr.Code, data
}

// bookThroughRPC proves at is bookable: availability offers it exactly, and create books it,
// stored in PostgreSQL and at Cal.com.
func (e *e2e) bookThroughRPC(t *testing.T, branchID, eventTypeID string, at time.Time) {
	t.Helper()
	av := e.availability(t, branchID, eventTypeID, map[string]any{"at": at})
	require.True(t, av.Exact, "%s is offered: %+v", at, av)
	require.Empty(t, av.Reason, "%+v", av)
	code, data := e.create(t, branchID, eventTypeID, av.Options[0].StaffID, at)
	require.Zero(t, code, "%s books: %+v", at, data)
	conn, err := pgx.Connect(t.Context(), e.dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*) FROM appointments WHERE start_time = $1 AND status = 'scheduled'`, at).Scan(&n))
	require.Equal(t, 1, n, "one appointment at %s", at)
	e.assertCalsimBooking(t, at)
}

// requireNothingAt checks that no appointment and no Cal.com booking starts at at.
func (e *e2e) requireNothingAt(t *testing.T, at time.Time) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), e.dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*) FROM appointments WHERE start_time = $1`, at).Scan(&n))
	require.Zero(t, n, "no appointment row at %s", at)
	resp, err := http.Get(e.sys.CalsimURL + "/_calsim/bookings")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var bookings []map[string]any
	require.NoError(t, json.Unmarshal(raw, &bookings), "%s", raw)
	for _, b := range bookings {
		s, err := time.Parse(time.RFC3339, fmt.Sprint(b["start"]))
		require.NoError(t, err, "%v", b)
		require.False(t, s.Equal(at), "no calsim booking at %s: %v", at, b)
	}
}
