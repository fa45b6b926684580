package loadsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/askproai/backend/pkg/retell"
)

// Endpoints as the report names them.
const (
	EpInbound = "inbound"
	EpWebhook = "webhook"
	EpCheck   = "fn:check_availability"
	EpBook    = "fn:book_appointment"
	EpCancel  = "fn:cancel_appointment"
)

// Errors of a function answer that mean the system failed the caller (as opposed to an honest
// "that slot is taken").
var failureCodes = map[string]bool{"internal": true, "unavailable": true, "malformed_request": true, "unknown_tenant": true}

// Wishes the callers say. A small set on purpose: callers ask for the same day, time and
// staff and so race for the same slots.
var (
	days = []string{"morgen", "übermorgen", "nächste Woche Dienstag", "nächste Woche Mittwoch",
		"nächste Woche Donnerstag", "nächste Woche Freitag", "nächste Woche Samstag"}
	times = []string{"um 10 Uhr", "um 11 Uhr", "um 12 Uhr", "um 13 Uhr", "um 15 Uhr", "um halb elf", "um 16:30 Uhr"}
)

var months = [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}

// wishDay says a day: half the callers use the few relative words everyone uses (and collide),
// the others name a date up to eight weeks ahead ("am 14. Dezember").
func wishDay(rng *rand.Rand, now time.Time) string {
	if rng.IntN(2) == 0 {
		return days[rng.IntN(len(days))]
	}
	d := now.AddDate(0, 0, 3+rng.IntN(54))
	return fmt.Sprintf("am %d. %s", d.Day(), months[d.Month()-1])
}

// Config shapes a run.
type Config struct {
	// GatewayURL is the gateway's base URL.
	GatewayURL string
	Tenant     Tenant
	// Concurrency is how many calls are in progress at once; Duration how long new calls start.
	Concurrency int
	Duration    time.Duration
	// Think is the mean pause between two steps of a call (a caller talking to the agent);
	// each pause is drawn between Think/2 and 3*Think/2.
	Think time.Duration
	// RampUp spreads the callers' first calls over this long.
	RampUp time.Duration
	// RunID makes this run's call ids unique.
	RunID string
	// Timeout bounds each HTTP request.
	Timeout time.Duration
	// WebhookAttempts is how often a webhook is sent before it is given up (default 4); Retell
	// retries a 5xx.
	WebhookAttempts int
	// Now is the business clock the callers say their days against ("morgen", "am 14.
	// Dezember"): Started.Now for a system on a test clock, so a test's wishes mean the same on
	// every day it runs. Default time.Now, the clock of a real system.
	Now func() time.Time
}

// Runner runs simulated calls and records what happened.
type Runner struct {
	cfg    Config
	client *http.Client
	Stats  *Stats
	mu     sync.Mutex
	calls  []string
	booked map[string]string // appointment id -> confirmation number, still booked
	// cancelled counts cancellations a caller was told about.
	cancelled int
	active    int
	peak      int
}

// NewRunner returns a runner for cfg.
func NewRunner(cfg Config) *Runner {
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.WebhookAttempts == 0 {
		cfg.WebhookAttempts = 4
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	tr := &http.Transport{MaxIdleConns: cfg.Concurrency + 16, MaxIdleConnsPerHost: cfg.Concurrency + 16, IdleConnTimeout: time.Minute}
	return &Runner{cfg: cfg, client: &http.Client{Transport: tr, Timeout: cfg.Timeout}, Stats: NewStats(),
		booked: map[string]string{}}
}

// CallIDs returns the ids of every call started so far.
func (r *Runner) CallIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// Booked returns the appointments callers were told are booked and did not ask to cancel.
func (r *Runner) Booked() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.booked))
	for k, v := range r.booked {
		out[k] = v
	}
	return out
}

// Peak is the most calls that were in progress at once.
func (r *Runner) Peak() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peak
}

// Run starts Concurrency callers; each makes calls one after the other until Duration has
// passed since the start, then finishes the call in progress. It returns when every caller is
// done or ctx ends.
func (r *Runner) Run(ctx context.Context) {
	start := time.Now()
	r.Stats.Start(start)
	stopAt := start.Add(r.cfg.Duration)
	var wg sync.WaitGroup
	for i := range r.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			if r.cfg.RampUp > 0 && !r.pause(ctx, time.Duration(rng.Int64N(int64(r.cfg.RampUp)))) {
				return
			}
			for n := 0; time.Now().Before(stopAt) && ctx.Err() == nil; n++ {
				r.OneCall(ctx, rng, fmt.Sprintf("call_%s_%04d_%03d", r.cfg.RunID, i, n))
			}
		}()
	}
	wg.Wait()
	r.Stats.Stop(time.Now())
}

func (r *Runner) pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func (r *Runner) think(ctx context.Context, rng *rand.Rand) bool {
	if r.cfg.Think <= 0 {
		return ctx.Err() == nil
	}
	return r.pause(ctx, r.cfg.Think/2+time.Duration(rng.Int64N(int64(r.cfg.Think))))
}

// Call is one simulated phone call's state.
type Call struct {
	id, from, to string
	branch       Branch
	start        time.Time
	metadata     map[string]any
	variables    map[string]string
	said         []string
}

// OneCall plays one call: inbound webhook, call_started, one to three function calls, then
// call_ended and call_analyzed. The lifecycle webhooks are sent even when the call's context
// ends early, so no started call is left without its end.
func (r *Runner) OneCall(ctx context.Context, rng *rand.Rand, id string) {
	b := r.cfg.Tenant.Branches[rng.IntN(len(r.cfg.Tenant.Branches))]
	c := &Call{id: id, from: fmt.Sprintf("+49151%08d", rng.IntN(100_000_000)), to: b.Phone, branch: b, start: time.Now()}
	r.enter(id)
	defer r.leave()
	r.Inbound(ctx, c)
	r.Webhook(context.WithoutCancel(ctx), c, "call_started")
	if r.think(ctx, rng) {
		r.conversation(ctx, rng, c)
	}
	end := context.WithoutCancel(ctx)
	r.Webhook(end, c, "call_ended")
	r.Webhook(end, c, "call_analyzed")
}

func (r *Runner) enter(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, id)
	r.active++
	r.peak = max(r.peak, r.active)
}

func (r *Runner) leave() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active--
}

// conversation: availability, then (usually) a booking, sometimes followed by a cancellation.
func (r *Runner) conversation(ctx context.Context, rng *rand.Rand, c *Call) {
	service := c.branch.Services[rng.IntN(len(c.branch.Services))]
	args := map[string]string{"service": service, "date": wishDay(rng, r.cfg.Now()), "time": times[rng.IntN(len(times))]}
	if staff := c.branch.Offers[service]; rng.IntN(2) == 0 && len(staff) > 0 {
		args["staff"] = staff[rng.IntN(len(staff))]
	}
	c.said = append(c.said, "User: Ich hätte gern "+service+" "+args["date"]+" "+args["time"]+".")
	avail, ok := r.Function(ctx, c, EpCheck, args)
	if !ok || rng.IntN(10) == 0 || !r.think(ctx, rng) {
		return
	}
	book := map[string]string{"service": service, "name": "Testkunde " + c.id[len(c.id)-8:]}
	if len(avail.Options) > 0 && rng.IntN(3) > 0 {
		// The caller takes the first offer: callers with the same wish race for it.
		book["start"], book["staff_id"] = avail.Options[0].Start, avail.Options[0].StaffID
	} else {
		book["date"], book["time"] = args["date"], args["time"]
		if args["staff"] != "" {
			book["staff"] = args["staff"]
		}
	}
	res, ok := r.Function(ctx, c, EpBook, book)
	if !ok || !res.Success || res.Booking == nil {
		return
	}
	r.mu.Lock()
	r.booked[res.Booking.AppointmentID] = res.Booking.ConfirmationNumber
	r.mu.Unlock()
	if rng.IntN(4) > 0 || !r.think(ctx, rng) {
		return
	}
	// "Ach nein, doch nicht": the number read back with spaces, as a caller would say it.
	// Once asked for, the cancellation may happen even when the answer was an apology (the
	// request was still in a stream when the deadline passed), so the booking no longer counts
	// as one the caller relies on.
	r.mu.Lock()
	delete(r.booked, res.Booking.AppointmentID)
	r.mu.Unlock()
	spoken := strings.Join(strings.Split(res.Booking.ConfirmationNumber, ""), " ")
	if cres, ok := r.Function(ctx, c, EpCancel, map[string]string{"confirmation_number": spoken}); ok && cres.Success {
		r.mu.Lock()
		r.cancelled++
		r.mu.Unlock()
	}
}

// FunctionResult is the part of a function answer the callers read.
type FunctionResult struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Error   string `json:"error"`
	Options []struct {
		Start   string `json:"start"`
		StaffID string `json:"staff_id"`
	} `json:"options"`
	Booking *struct {
		AppointmentID      string `json:"appointment_id"`
		ConfirmationNumber string `json:"confirmation_number"`
	} `json:"booking"`
}

// Function sends one signed function call; ok is false when the system failed the caller.
func (r *Runner) Function(ctx context.Context, c *Call, ep string, args map[string]string) (FunctionResult, bool) {
	name := strings.TrimPrefix(ep, "fn:")
	body, _ := json.Marshal(map[string]any{"name": name, "args": args, "call": r.callObject(c, "ongoing", false)})
	status, raw, d, err := r.post(ctx, "/retell/functions/"+name, body)
	var res FunctionResult
	switch {
	case err != nil:
		r.Stats.Record(ep, d, "transport: "+shortErr(err))
		return res, false
	case status != http.StatusOK:
		r.Stats.Record(ep, d, fmt.Sprintf("http %d", status))
		return res, false
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		r.Stats.Record(ep, d, "undecodable answer")
		return res, false
	}
	if res.Message == "" {
		r.Stats.Record(ep, d, "nothing to say (empty message)")
		return res, false
	}
	if failureCodes[res.Error] {
		r.Stats.Record(ep, d, "answer "+res.Error)
		return res, false
	}
	r.Stats.Record(ep, d, "")
	r.Stats.Outcome(ep, outcome(res), fmt.Sprint(args)+" -> "+res.Message)
	return res, true
}

func outcome(res FunctionResult) string {
	switch {
	case res.Success:
		return "success"
	case res.Error != "":
		return res.Error
	}
	return "no_options"
}

// NewCall prepares a call to branch b from a random number; nothing is sent yet. Its id is
// recorded among the run's calls.
func (r *Runner) NewCall(id string, b Branch) *Call {
	c := &Call{id: id, from: fmt.Sprintf("+49152%08d", rand.IntN(100_000_000)), to: b.Phone, branch: b, start: time.Now()}
	r.mu.Lock()
	r.calls = append(r.calls, id)
	r.mu.Unlock()
	return c
}

// Inbound sends the inbound webhook and keeps the metadata the gateway answers with.
func (r *Runner) Inbound(ctx context.Context, c *Call) {
	body, _ := json.Marshal(map[string]any{"event": "call_inbound", "call_inbound": map[string]string{
		"agent_id": "agent_loadsim", "from_number": c.from, "to_number": c.to, "call_id": c.id}})
	status, raw, d, err := r.post(ctx, "/retell/inbound", body)
	if err != nil || status != http.StatusOK {
		r.Stats.Record(EpInbound, d, errText(status, err))
		return
	}
	var ans struct {
		CallInbound struct {
			DynamicVariables map[string]string `json:"dynamic_variables"`
			Metadata         map[string]any    `json:"metadata"`
		} `json:"call_inbound"`
	}
	if json.Unmarshal(raw, &ans) != nil || ans.CallInbound.Metadata["company_id"] == nil {
		// The gateway failed open: the call goes on, tenant found again from the number.
		r.Stats.Record(EpInbound, d, "failed open (no metadata)")
		return
	}
	c.metadata, c.variables = ans.CallInbound.Metadata, ans.CallInbound.DynamicVariables
	r.Stats.Record(EpInbound, d, "")
}

// Webhook sends a lifecycle event, retrying like Retell does on 5xx and transport errors.
func (r *Runner) Webhook(ctx context.Context, c *Call, event string) {
	body, _ := json.Marshal(map[string]any{"event": event, "call": r.callObject(c, statusOf(event), event == "call_analyzed")})
	for attempt := range r.cfg.WebhookAttempts {
		status, _, d, err := r.post(ctx, "/retell/webhook", body)
		if err == nil && status == http.StatusNoContent {
			r.Stats.Record(EpWebhook, d, "")
			return
		}
		r.Stats.Record(EpWebhook, d, errText(status, err))
		if err == nil && status < 500 || attempt == r.cfg.WebhookAttempts-1 ||
			!r.pause(ctx, time.Duration(min(attempt+1, 4))*500*time.Millisecond) {
			return
		}
	}
}

func statusOf(event string) string {
	if event == "call_started" {
		return "ongoing"
	}
	return "ended"
}

func (r *Runner) callObject(c *Call, status string, analyzed bool) map[string]any {
	o := map[string]any{
		"call_id": c.id, "agent_id": "agent_loadsim", "agent_version": 1, "call_type": "phone_call",
		"call_status": status, "direction": "inbound", "from_number": c.from, "to_number": c.to,
		"start_timestamp": c.start.UnixMilli(),
	}
	if c.metadata != nil {
		o["metadata"] = c.metadata
	}
	if c.variables != nil {
		o["retell_llm_dynamic_variables"] = c.variables
	}
	if status == "ended" {
		end := time.Now()
		o["end_timestamp"], o["duration_ms"] = end.UnixMilli(), end.Sub(c.start).Milliseconds()
		o["disconnection_reason"] = "user_hangup"
		o["transcript"] = "Agent: " + c.branch.Name + ", guten Tag!\n" + strings.Join(c.said, "\n") + "\nUser: Danke, tschüss!\n"
	}
	if analyzed {
		o["call_analysis"] = map[string]any{"call_summary": "Lastsimulation: Terminwunsch.", "user_sentiment": "Neutral",
			"call_successful": true, "in_voicemail": false, "custom_analysis_data": map[string]any{}}
	}
	return o
}

func (r *Runner) post(ctx context.Context, path string, body []byte) (int, []byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.GatewayURL+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(retell.SignatureHeader, retell.Sign(body, RetellKey, time.Now()))
	t0 := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, nil, time.Since(t0), fmt.Errorf("post %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	d := time.Since(t0)
	if err != nil {
		return resp.StatusCode, nil, d, fmt.Errorf("read %s: %w", path, err)
	}
	return resp.StatusCode, raw, d, nil
}

func errText(status int, err error) string {
	if err != nil {
		return "transport: " + shortErr(err)
	}
	return fmt.Sprintf("http %d", status)
}

func shortErr(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}
