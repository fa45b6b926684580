// Package democall plays a realistic, signed German Retell call against a running AskProAI
// system and reports what happened: the inbound webhook, call_started, check_availability and
// book_appointment in the caller's own words, call_ended with the transcript, call_analyzed;
// then the stored call and today's analytics, read over the bus. `askpro simulate-call` and
// `make demo` use it, and so can end-to-end tests.
package democall

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/askproai/backend/pkg/retell"

	callapi "github.com/askproai/backend/pkg/api/call"
	dbapi "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

// Options configure one call.
type Options struct {
	// GatewayURL is the gateway's base URL ("http://127.0.0.1:8080").
	GatewayURL string
	// RetellKey signs every request (the gateway's RETELL_API_KEY).
	RetellKey string
	// To is the dialled branch number, From the caller's (E.164).
	To, From string
	// CallerName is who the caller says they are.
	CallerName string
	// Service, Date and Time are the caller's words for the wish.
	Service, Date, Time string
	// Bus, when set, reads the stored call (database calls.get) and today's analytics
	// (call.analytics). Nil skips those steps.
	Bus *rpc.Client
	// BookingLog, when set, is the booking service's log file; the SMS the log sink "sent" is
	// looked up there.
	BookingLog string
	// StoreTimeout bounds the wait for the call to be stored and analysed (default 20s).
	StoreTimeout time.Duration
	// HTTP is the client (default: 15s timeout).
	HTTP *http.Client
	// Now is the business clock: when the call starts and which day "today" is for the
	// analytics (default time.Now; tests set it). Request signatures always carry the real
	// time, since the gateway checks their freshness against its real clock.
	Now func() time.Time
}

// Step is one thing the call did.
type Step struct {
	Name   string
	OK     bool
	Detail string
}

// FunctionResult is the gateway's answer to a function call.
type FunctionResult struct {
	Success            bool        `json:"success"`
	Message            string      `json:"message"`
	NeedsClarification bool        `json:"needs_clarification,omitempty"`
	Error              string      `json:"error,omitempty"`
	Options            []SlotOffer `json:"options,omitempty"`
	Booking            *BookedSlot `json:"booking,omitempty"`
}

// SlotOffer is one offered slot.
type SlotOffer struct {
	Start     string `json:"start"`
	Spoken    string `json:"spoken"`
	StaffID   string `json:"staff_id"`
	StaffName string `json:"staff_name"`
}

// BookedSlot is the booking the agent reads back.
type BookedSlot struct {
	AppointmentID      string `json:"appointment_id"`
	Start              string `json:"start"`
	Spoken             string `json:"spoken"`
	ConfirmationNumber string `json:"confirmation_number"`
	ConfirmationSpoken string `json:"confirmation_spoken"`
}

// Result is what happened.
type Result struct {
	CallID string
	Steps  []Step
	// DynamicVariables and Metadata are the inbound webhook's answer.
	DynamicVariables map[string]string
	Metadata         map[string]any
	CompanyID        string
	BranchID         string
	BranchName       string
	TimeZone         string
	Availability     FunctionResult
	// Bookings are the book_appointment answers: the chosen offer first, then an alternative
	// when that slot was taken in the meantime.
	Bookings []FunctionResult
	Booked   *BookedSlot
	// Chosen is the offer the caller took (the last one, when the first was taken meanwhile).
	Chosen *SlotOffer
	// Exchange is the conversation: what the caller said and what the agent answered, turn by
	// turn, clarifications and the caller's answers to them included.
	Exchange []Line
	// Clarified is the reading the caller picked when the agent asked which one was meant
	// ("Dienstag, 8. Dezember"); empty when the agent did not ask.
	Clarified string
	// Confirmation is the booking answer's message (what the agent says); SMS the text the
	// booking service's SMS log sink wrote, when BookingLog was given and it was found.
	Confirmation string
	SMS          string
	Transcript   string
	Stored       *dbapi.Call
	Analytics    *callapi.AnalyticsResult
	Today        string
}

// Line is one turn of the conversation.
type Line struct {
	Who  string // Caller or Agent
	Text string
}

// Who says a Line.
const (
	Caller = "caller"
	Agent  = "agent"
)

// Conversation renders the exchange, one "caller: …" or "agent: …" line per turn.
func (r Result) Conversation() string {
	var b strings.Builder
	for _, l := range r.Exchange {
		fmt.Fprintf(&b, "%-7s %s\n", l.Who+":", l.Text)
	}
	return b.String()
}

// OK reports whether every step succeeded.
func (r Result) OK() bool {
	for _, s := range r.Steps {
		if !s.OK {
			return false
		}
	}
	return len(r.Steps) > 0
}

func (o *Options) defaults() error {
	if o.GatewayURL == "" || o.RetellKey == "" {
		return errors.New("democall: gateway URL and Retell key are required")
	}
	o.GatewayURL = strings.TrimRight(o.GatewayURL, "/")
	if o.To == "" {
		o.To = "+493055571234"
	}
	if o.From == "" {
		o.From = "+4915112345678"
	}
	if o.CallerName == "" {
		o.CallerName = "Anna Weber"
	}
	if o.Service == "" {
		o.Service = "Haare schneiden"
	}
	if o.Date == "" {
		o.Date = "nächsten Dienstag"
	}
	if o.Time == "" {
		o.Time = "halb drei"
	}
	if o.StoreTimeout <= 0 {
		o.StoreTimeout = 20 * time.Second
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// Run plays the call. It returns the result with every step, and an error naming the failed
// steps when any failed; later steps still run where they make sense (a failed booking still
// ends the call).
func Run(ctx context.Context, o Options) (Result, error) {
	if err := o.defaults(); err != nil {
		return Result{}, err
	}
	c := &caller{o: o, res: Result{CallID: "call_demo_" + randomHex(12)}, start: o.Now(),
		args: map[string]any{"service": o.Service, "date": o.Date, "time": o.Time}}
	c.inbound(ctx)
	if c.res.CompanyID == "" {
		return c.res, c.failed()
	}
	c.lifecycle(ctx, "call_started", nil)
	c.checkAvailability(ctx)
	c.book(ctx)
	c.lifecycle(ctx, "call_ended", c.endedFields())
	c.lifecycle(ctx, "call_analyzed", c.analyzedFields())
	if o.Bus != nil {
		c.stored(ctx)
		c.analytics(ctx)
	}
	c.sms(ctx)
	return c.res, c.failed()
}

type caller struct {
	o     Options
	res   Result
	start time.Time
	// args is the wish as the caller has put it so far: the first words, then the answers to
	// the agent's questions.
	args map[string]any
}

func (c *caller) say(who, text string) {
	c.res.Exchange = append(c.res.Exchange, Line{Who: who, Text: text})
}

func (c *caller) step(name string, ok bool, format string, args ...any) {
	c.res.Steps = append(c.res.Steps, Step{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func (c *caller) failed() error {
	var names []string
	for _, s := range c.res.Steps {
		if !s.OK {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("demo call %s: failed steps: %s", c.res.CallID, strings.Join(names, ", "))
}

// post sends body signed and returns the status and the answer.
func (c *caller) post(ctx context.Context, path string, body any) (int, []byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return 0, nil, fmt.Errorf("encode %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.GatewayURL+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, fmt.Errorf("request %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(retell.SignatureHeader, retell.Sign(raw, c.o.RetellKey, time.Now()))
	resp, err := c.o.HTTP.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("POST %s: %w", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read answer of %s: %w", path, err)
	}
	return resp.StatusCode, answer, nil
}

func (c *caller) inbound(ctx context.Context) {
	body := map[string]any{"event": "call_inbound", "call_inbound": map[string]any{
		"agent_id": "agent_askpro_demo", "from_number": c.o.From, "to_number": c.o.To, "call_id": c.res.CallID}}
	status, raw, err := c.post(ctx, "/retell/inbound", body)
	if err != nil || status != http.StatusOK {
		c.step("inbound webhook", false, "status %d: %v %s", status, err, trim(raw))
		return
	}
	var ans struct {
		CallInbound struct {
			DynamicVariables map[string]string `json:"dynamic_variables"`
			Metadata         map[string]any    `json:"metadata"`
		} `json:"call_inbound"`
		Reject bool `json:"reject"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		c.step("inbound webhook", false, "answer is not JSON: %v", err)
		return
	}
	dv := ans.CallInbound.DynamicVariables
	c.res.DynamicVariables, c.res.Metadata = dv, ans.CallInbound.Metadata
	c.res.CompanyID, c.res.BranchID = dv["company_id"], dv["branch_id"]
	c.res.BranchName, c.res.TimeZone = dv["branch_name"], dv["time_zone"]
	if c.res.CompanyID == "" || c.res.BranchID == "" {
		c.step("inbound webhook", false, "%s is not routed to a branch (answer %s)", c.o.To, trim(raw))
		return
	}
	c.step("inbound webhook", true, "branch %s of %s", c.res.BranchName, dv["company_name"])
}

// callObject is Retell's call object as it stands at this point of the call.
func (c *caller) callObject(extra map[string]any) map[string]any {
	obj := map[string]any{
		"call_id": c.res.CallID, "call_type": "phone_call", "agent_id": "agent_askpro_demo", "agent_version": 1,
		"direction": "inbound", "call_status": "ongoing", "from_number": c.o.From, "to_number": c.o.To,
		"start_timestamp": c.start.UnixMilli(), "metadata": c.res.Metadata,
		"retell_llm_dynamic_variables": c.res.DynamicVariables,
	}
	for k, v := range extra {
		obj[k] = v
	}
	return obj
}

func (c *caller) lifecycle(ctx context.Context, event string, extra map[string]any) {
	status, raw, err := c.post(ctx, "/retell/webhook", map[string]any{"event": event, "call": c.callObject(extra)})
	if err != nil || status != http.StatusNoContent {
		c.step(event, false, "status %d: %v %s", status, err, trim(raw))
		return
	}
	c.step(event, true, "204 stored")
}

func (c *caller) function(ctx context.Context, name string, args map[string]any) (FunctionResult, error) {
	body := map[string]any{"name": name, "call": c.callObject(nil), "args": args}
	status, raw, err := c.post(ctx, "/retell/functions/"+name, body)
	if err != nil {
		return FunctionResult{}, err
	}
	if status != http.StatusOK {
		return FunctionResult{}, fmt.Errorf("%s: status %d %s", name, status, trim(raw))
	}
	var res FunctionResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return FunctionResult{}, fmt.Errorf("%s: answer is not JSON: %w", name, err)
	}
	return res, nil
}

// maxTurns bounds how often the caller answers the agent before giving up.
const maxTurns = 4

// checkAvailability asks for the wish in the caller's words and answers the agent as a person
// would until the agent offers a slot: which of two days was meant (the first reading, said
// back in words), an alternative when the wished day is closed or full (the first offered),
// the next opening when nothing fits the wish at all.
func (c *caller) checkAvailability(ctx context.Context) {
	c.say(Caller, fmt.Sprintf("Hallo, hier ist %s. Ich möchte %s lassen, am liebsten %s um %s.",
		c.o.CallerName, strings.ToLower(c.o.Service), c.o.Date, c.o.Time))
	for turn := 1; ; turn++ {
		res, err := c.function(ctx, "check_availability", c.args)
		c.res.Availability = res
		if err != nil {
			c.step("check_availability", false, "%v", err)
			return
		}
		c.say(Agent, res.Message)
		if res.Success && len(res.Options) > 0 {
			c.choose(res.Options) // the wished slot, or the nearest the agent offers
			c.step("check_availability", true, "%d option(s) after %d turn(s)", len(res.Options), turn)
			return
		}
		if turn == maxTurns || !c.answer(res) {
			c.step("check_availability", false, "no options: %s (%s)", res.Message, res.Error)
			return
		}
		if c.res.Chosen != nil {
			c.step("check_availability", true, "took an alternative after %d turn(s)", turn)
			return
		}
	}
}

// answer replies to an agent's answer that offers nothing bookable yet; false when a caller
// would have nothing left to say.
func (c *caller) answer(res FunctionResult) bool {
	if len(res.Options) > 0 { // refused, with alternatives
		c.choose(res.Options)
		return true
	}
	if readings := spokenDays.FindAllString(res.Message, -1); res.NeedsClarification && len(readings) > 0 {
		c.res.Clarified = readings[0]
		c.args["date"] = sayDay(readings[0])
		c.say(Caller, fmt.Sprintf("Ich meine %s, um %s.", c.args["date"], c.args["time"]))
		return true
	}
	if c.args["date"] != "" || c.args["time"] != "" { // nothing on the wished day: the next opening
		c.args = map[string]any{"service": c.o.Service}
		c.say(Caller, "Schade. Wann haben Sie denn den nächsten freien Termin?")
		return true
	}
	return false
}

// choose takes the first offered slot and says so.
func (c *caller) choose(opts []SlotOffer) {
	opt := opts[0]
	c.res.Chosen = &opt
	with := ""
	if opt.StaffName != "" {
		with = " bei " + opt.StaffName
	}
	if len(opts) > 1 {
		c.say(Caller, fmt.Sprintf("Dann nehme ich den ersten: %s%s.", opt.Spoken, with))
		return
	}
	c.say(Caller, fmt.Sprintf("Dann nehme ich %s%s.", opt.Spoken, with))
}

// book books the slot the caller chose, passing the offer back with the wish as Retell's agent
// does. When the slot is gone by then, the caller takes the first alternative offered.
func (c *caller) book(ctx context.Context) {
	if c.res.Chosen == nil {
		c.step("book_appointment", false, "nothing to book: %s", c.res.Availability.Message)
		return
	}
	args := maps.Clone(c.args)
	args["name"] = c.o.CallerName
	last := &c.res.Exchange[len(c.res.Exchange)-1] // the caller's choice
	last.Text += fmt.Sprintf(" Auf den Namen %s, bitte.", c.o.CallerName)
	for turn := 1; ; turn++ {
		args["start"], args["staff_id"] = c.res.Chosen.Start, c.res.Chosen.StaffID
		res, err := c.function(ctx, "book_appointment", args)
		if err != nil {
			c.step("book_appointment", false, "%v", err)
			return
		}
		c.res.Bookings = append(c.res.Bookings, res)
		c.say(Agent, res.Message)
		if res.Success && res.Booking != nil && res.Booking.ConfirmationNumber != "" {
			c.res.Booked, c.res.Confirmation = res.Booking, res.Message
			c.say(Caller, "Super, vielen Dank! Tschüss.")
			c.step("book_appointment", true, "confirmation %s", res.Booking.ConfirmationNumber)
			return
		}
		// The slot went to someone else in the meantime: the caller takes the first alternative.
		if turn == maxTurns || len(res.Options) == 0 {
			c.step("book_appointment", false, "not booked: %s (%s)", res.Message, res.Error)
			return
		}
		c.choose(res.Options)
	}
}

var (
	germanWeekdays = []string{"Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"}
	germanMonths   = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
		"September", "Oktober", "November", "Dezember"}
	// spokenDays finds the days the agent names: "Dienstag, 8. Dezember", with the year when it
	// is not this year's ("Dienstag, 5. Januar 2027").
	spokenDays = regexp.MustCompile(`(?:` + strings.Join(germanWeekdays, "|") + `), \d{1,2}\. (?:` +
		strings.Join(germanMonths, "|") + `)(?: \d{4})?`)
)

// sayDay is how a caller says a reading back: "Dienstag, 8. Dezember" → "Dienstag, den
// 8. Dezember".
func sayDay(reading string) string {
	wd, rest, _ := strings.Cut(reading, ", ")
	return wd + ", den " + rest
}

func (c *caller) endedFields() map[string]any {
	end := c.o.Now()
	if !end.After(c.start.Add(time.Minute)) {
		end = c.start.Add(97 * time.Second) // the length a real call of this script takes
	}
	c.res.Transcript = c.transcript()
	return map[string]any{"call_status": "ended", "end_timestamp": end.UnixMilli(),
		"duration_ms": end.Sub(c.start).Milliseconds(), "disconnection_reason": "user_hangup",
		"transcript": c.res.Transcript}
}

func (c *caller) analyzedFields() map[string]any {
	f := c.endedFields()
	booked := c.res.Booked != nil
	f["call_analysis"] = map[string]any{
		"call_summary":   "Die Anruferin hat einen Damenhaarschnitt gebucht.",
		"user_sentiment": "Positive", "call_successful": booked, "in_voicemail": false,
		"custom_analysis_data": map[string]any{"service": c.o.Service}}
	return f
}

func (c *caller) transcript() string {
	company := c.res.DynamicVariables["company_name"]
	var b strings.Builder
	fmt.Fprintf(&b, "Agent: %s, %s, guten Tag! Was kann ich für Sie tun?\n", or(company, "Salon"), c.res.BranchName)
	for _, l := range c.res.Exchange {
		who := "Agent"
		if l.Who == Caller {
			who = "User"
		}
		fmt.Fprintf(&b, "%s: %s\n", who, l.Text)
	}
	if c.res.Booked == nil {
		b.WriteString("Agent: Das hat leider nicht geklappt. Wir rufen Sie zurück.\nUser: Okay, danke.\n")
	}
	b.WriteString("Agent: Auf Wiederhören!\n")
	return b.String()
}

// stored polls database calls.get until the call is there with its analysis (or linked
// appointment), or StoreTimeout passes; the last version read is kept.
func (c *caller) stored(ctx context.Context) {
	db := dbapi.NewClient(c.o.Bus)
	ctx, cancel := context.WithTimeout(ctx, c.o.StoreTimeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		call, err := db.Call(ctx, dbapi.GetCallParams{CompanyID: c.res.CompanyID, RetellCallID: c.res.CallID})
		if err == nil {
			c.res.Stored = &call
			if complete(call, c.res.Booked != nil) {
				c.step("stored call", true, "status %s", call.Status)
				return
			}
		} else {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			if c.res.Stored != nil {
				c.step("stored call", false, "stored but incomplete after %s (status %s, appointment %q)",
					c.o.StoreTimeout, c.res.Stored.Status, c.res.Stored.AppointmentID)
				return
			}
			c.step("stored call", false, "not stored after %s: %v", c.o.StoreTimeout, lastErr)
			return
		case <-tick.C:
		}
	}
}

// complete: analysed (call_analyzed applied), and linked to the appointment when one was booked.
func complete(call dbapi.Call, booked bool) bool {
	if call.Status != "analyzed" || call.EndedAt == nil {
		return false
	}
	return !booked || call.AppointmentID != ""
}

func (c *caller) analytics(ctx context.Context) {
	loc, err := time.LoadLocation(or(c.res.TimeZone, "Europe/Berlin"))
	if err != nil {
		loc = time.UTC
	}
	c.res.Today = c.o.Now().In(loc).Format(time.DateOnly)
	ctx, cancel := context.WithTimeout(rpc.WithTenant(ctx, c.res.CompanyID), 10*time.Second)
	defer cancel()
	res, err := callapi.NewClient(c.o.Bus).Analytics(ctx, callapi.AnalyticsParams{
		CompanyID: c.res.CompanyID, From: c.res.Today, To: c.res.Today})
	if err != nil {
		c.step("analytics", false, "%v", err)
		return
	}
	c.res.Analytics = &res
	c.step("analytics", true, "%d call(s) today", res.Total.Calls)
}

// sms finds what the booking service's log sink "sent" for this booking. Confirmations go out
// on booking.created, a moment after the booking: the log is read again for a few seconds.
func (c *caller) sms(ctx context.Context) {
	if c.o.BookingLog == "" || c.res.Booked == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		line, err := findSMS(c.o.BookingLog, c.res.Booked.ConfirmationNumber)
		if err != nil {
			c.res.SMS = fmt.Sprintf("booking log %s not readable: %v", c.o.BookingLog, err)
			return
		}
		if line != "" {
			c.res.SMS = smsText(line)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// findSMS returns the last sms_logged line of the log that carries the confirmation number.
func findSMS(path, confirmation string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open booking log: %w", err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	found := ""
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, "sms_logged") && strings.Contains(line, confirmation) {
			found = line
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read booking log: %w", err)
	}
	return found, nil
}

var (
	ansi       = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	textFields = []*regexp.Regexp{
		regexp.MustCompile(`"text":("(?:[^"\\]|\\.)*")`), // json logs
		regexp.MustCompile(`text=("(?:[^"\\]|\\.)*")`),   // console logs
	}
)

// smsText extracts the message from a log sink line (JSON or console format); the whole line
// when it has no text field.
func smsText(line string) string {
	line = ansi.ReplaceAllString(line, "")
	for _, re := range textFields {
		if m := re.FindStringSubmatch(line); m != nil {
			if text, err := strconv.Unquote(m[1]); err == nil {
				return text
			}
		}
	}
	return line
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func trim(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
