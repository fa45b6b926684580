package democall_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/services/database/cmd/askpro/democall"
)

const key = "test-retell-key"

// verify checks X-Retell-Signature the way the gateway does: v=<ms>,d=hex(HMAC(key, body||ms)).
func verify(t *testing.T, body []byte, header string) {
	t.Helper()
	v, d, ok := strings.Cut(header, ",")
	require.True(t, ok, header)
	stamp := strings.TrimPrefix(v, "v=")
	ms, err := strconv.ParseInt(stamp, 10, 64)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), time.UnixMilli(ms), time.Minute)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	mac.Write([]byte(stamp))
	require.Equal(t, "d="+hex.EncodeToString(mac.Sum(nil)), d)
}

// fakeGateway answers like the gateway; booking works only with an offered slot passed back.
type fakeGateway struct {
	t      *testing.T
	mu     sync.Mutex
	seen   []string
	bodies map[string][]map[string]any
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	require.NoError(g.t, err)
	verify(g.t, body, r.Header.Get("X-Retell-Signature"))
	var m map[string]any
	require.NoError(g.t, json.Unmarshal(body, &m))
	name := r.URL.Path
	if ev, ok := m["event"].(string); ok && r.URL.Path == "/retell/webhook" {
		name = ev
	}
	g.mu.Lock()
	g.seen = append(g.seen, name)
	g.bodies[name] = append(g.bodies[name], m)
	g.mu.Unlock()
	offer := map[string]any{"start": "2026-12-01T13:30:00Z", "spoken": "Dienstag, 1. Dezember, um 14:30 Uhr",
		"staff_id": "s1", "staff_name": "Anna Becker"}
	switch name {
	case "/retell/inbound":
		writeJSON(w, map[string]any{"call_inbound": map[string]any{
			"dynamic_variables": map[string]string{"company_id": "c1", "branch_id": "b1", "branch_name": "Haarmonie Mitte",
				"company_name": "Salon Haarmonie", "time_zone": "Europe/Berlin"},
			"metadata": map[string]any{"company_id": "c1", "branch_id": "b1"}}})
	case "/retell/functions/check_availability":
		writeJSON(w, map[string]any{"success": true, "message": "Dienstag um 14:30 Uhr ist frei.", "options": []any{offer}})
	case "/retell/functions/book_appointment":
		args := m["args"].(map[string]any)
		if args["start"] == nil {
			writeJSON(w, map[string]any{"success": false, "error": "slot_unavailable", "needs_clarification": true,
				"message": "Um halb drei ist leider schon belegt.", "options": []any{offer}})
			return
		}
		writeJSON(w, map[string]any{"success": true, "message": "Ihr Termin ist gebucht. Ihre Bestätigungsnummer ist K 7 P 2 Q 9.",
			"booking": map[string]any{"appointment_id": "a1", "start": args["start"], "confirmation_number": "K7P2Q9"}})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func TestRunPlaysTheWholeCall(t *testing.T) {
	g := &fakeGateway{t: t, bodies: map[string][]map[string]any{}}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	log := filepath.Join(t.TempDir(), "booking.log")
	require.NoError(t, os.WriteFile(log, []byte(`{"message":"sms_logged","text":"Hallo Anna, Ihre Bestätigungsnummer: K7P2Q9."}`+"\n"), 0o600))

	wednesday := time.Date(2026, 11, 25, 10, 0, 0, 0, berlin) // nächsten Dienstag is 1 December
	res, err := democall.Run(t.Context(), democall.Options{GatewayURL: srv.URL, RetellKey: key, BookingLog: log,
		Now: func() time.Time { return wednesday }})
	require.NoError(t, err)
	require.True(t, res.OK())
	require.Equal(t, []string{"/retell/inbound", "call_started", "/retell/functions/check_availability",
		"/retell/functions/book_appointment", "call_ended", "call_analyzed"}, g.seen)
	require.Equal(t, "Haarmonie Mitte", res.BranchName)
	require.Equal(t, "K7P2Q9", res.Booked.ConfirmationNumber)
	require.NotNil(t, res.Chosen, "the caller took the offered slot")
	require.Equal(t, "Hallo Anna, Ihre Bestätigungsnummer: K7P2Q9.", res.SMS)

	book := g.bodies["/retell/functions/book_appointment"][0]["args"].(map[string]any)
	require.Equal(t, map[string]any{"service": "Haare schneiden", "date": "nächsten Dienstag", "time": "halb drei",
		"name": "Anna Weber", "start": "2026-12-01T13:30:00Z", "staff_id": "s1"}, book, "the caller's own words and the offer taken")
	call := g.bodies["call_ended"][0]["call"].(map[string]any)
	require.Contains(t, call["transcript"], "nächsten Dienstag")
	require.Equal(t, "c1", call["metadata"].(map[string]any)["company_id"], "metadata from the inbound answer")
	analyzed := g.bodies["call_analyzed"][0]["call"].(map[string]any)
	require.Equal(t, true, analyzed["call_analysis"].(map[string]any)["call_successful"])
}

func TestSMSTextFromConsoleLog(t *testing.T) {
	line := "\x1b[90m2026-11-25T00:42:41Z\x1b[0m INF sms_logged \x1b[36mtext=\x1b[0m\"Guten Tag, Nummer: \\\"K8GM5P\\\".\" \x1b[36mto_phone=\x1b[0m+49*********78"
	res := democall.SMSTextForTest(line)
	require.Equal(t, `Guten Tag, Nummer: "K8GM5P".`, res)
}

func TestRunStopsWhenTheNumberIsNotRouted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"call_inbound": map[string]any{}})
	}))
	t.Cleanup(srv.Close)
	res, err := democall.Run(t.Context(), democall.Options{GatewayURL: srv.URL, RetellKey: key, To: "+4930999999",
		Now: func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, berlin) }})
	require.ErrorContains(t, err, "inbound webhook")
	require.False(t, res.OK())
	require.Len(t, res.Steps, 1)
}
