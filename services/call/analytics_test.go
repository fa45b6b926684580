package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	callapi "github.com/askproai/backend/pkg/api/call"
	"github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/testenv"
)

// The month is October 2025 in Berlin: the clocks go back on the 26th.
const (
	monthFrom = "2025-10-01"
	monthTo   = "2025-10-31"
	tz        = "Europe/Berlin"
)

// genCall is one generated call and what became of it.
type genCall struct {
	branch    string
	started   time.Time
	duration  int // 0: not answered
	sentiment string
	intent    string
	booked    bool
}

type genAppt struct {
	branch      string
	cancelledAt time.Time // zero: not cancelled
	rescheduled time.Time // zero: not a reschedule; else created_at of the new appointment
}

type month struct {
	company  string
	branches []string
	calls    []genCall
	appts    []genAppt
}

// TestAnalyticsMonthMatchesDirectComputation generates a month of calls and appointments in
// real PostgreSQL, reads analytics through the call service on the bus (the database side is
// a test handler over the real daily_booking_stats view), and compares every figure with a
// computation in Go.
func TestAnalyticsMonthMatchesDirectComputation(t *testing.T) {
	pool := testenv.Postgres(t)
	m := generateMonth(t, pool, rand.New(rand.NewPCG(7, 11)))
	b := startBus(t, nil)
	b.db.mu.Lock()
	b.db.analyze = viewAnalytics(pool)
	b.db.mu.Unlock()

	checkMonth(t, callapi.NewClient(b.client), m)
}

// checkMonth reads the month through call.analytics and compares every figure with a direct
// computation from the generated data.
func checkMonth(t *testing.T, c *callapi.Client, m *month) {
	t.Helper()
	res, err := c.Analytics(t.Context(), callapi.AnalyticsParams{CompanyID: m.company, From: monthFrom, To: monthTo})
	require.NoError(t, err)
	require.Equal(t, tz, res.TimeZone)
	want := m.expected(t, "")
	got := map[string]callapi.Figures{}
	for _, r := range res.Rows {
		got[r.BranchID+" "+r.Day] = r.Figures
	}
	require.Equal(t, len(want), len(got))
	for k, w := range want {
		requireFigures(t, w, got[k], k)
	}
	var total callapi.Figures
	days := map[string]bool{}
	for k, w := range want {
		total = add(total, w)
		days[k[len(k)-10:]] = true
	}
	requireFigures(t, total, res.Total, "total")
	require.Len(t, res.ByBranch, 2)
	require.Len(t, res.ByDay, len(days))

	one, err := c.Analytics(t.Context(), callapi.AnalyticsParams{CompanyID: m.company, BranchID: m.branches[1], From: "2025-10-26", To: "2025-10-26"})
	require.NoError(t, err)
	w := m.expected(t, m.branches[1])[m.branches[1]+" 2025-10-26"]
	requireFigures(t, w, one.Total, "branch on the day the clocks change")
	require.NotNil(t, one.Total.P90DurationSeconds, "one branch and day keeps its percentiles")
}

func requireFigures(t *testing.T, want, got callapi.Figures, what string) {
	t.Helper()
	if want.P50DurationSeconds == nil {
		got.P50DurationSeconds, got.P90DurationSeconds = nil, nil
	}
	require.InDelta(t, want.AvgDurationSeconds, got.AvgDurationSeconds, 1e-6, what)
	require.InDelta(t, want.Conversion, got.Conversion, 1e-9, what)
	if want.P50DurationSeconds != nil {
		require.NotNil(t, got.P50DurationSeconds, what)
		require.InDelta(t, *want.P50DurationSeconds, *got.P50DurationSeconds, 1e-6, what)
		require.InDelta(t, *want.P90DurationSeconds, *got.P90DurationSeconds, 1e-6, what)
	}
	want.AvgDurationSeconds, got.AvgDurationSeconds = 0, 0
	want.Conversion, got.Conversion = 0, 0
	want.P50DurationSeconds, want.P90DurationSeconds, got.P50DurationSeconds, got.P90DurationSeconds = nil, nil, nil, nil
	require.Equal(t, want, got, what)
}

// add totals two sets of figures; percentiles do not combine.
func add(a, b callapi.Figures) callapi.Figures {
	sum := a.AvgDurationSeconds*float64(a.Answered) + b.AvgDurationSeconds*float64(b.Answered)
	a.Calls += b.Calls
	a.Answered += b.Answered
	a.AvgDurationSeconds = 0
	if a.Answered > 0 {
		a.AvgDurationSeconds = sum / float64(a.Answered)
	}
	a.BookingsFromCalls += b.BookingsFromCalls
	a.Cancellations += b.Cancellations
	a.Reschedules += b.Reschedules
	a.MissedOpportunities += b.MissedOpportunities
	a.SentimentPositive += b.SentimentPositive
	a.SentimentNeutral += b.SentimentNeutral
	a.SentimentNegative += b.SentimentNegative
	a.P50DurationSeconds, a.P90DurationSeconds = nil, nil
	a.Conversion = 0
	if a.Answered > 0 {
		a.Conversion = float64(a.BookingsFromCalls) / float64(a.Answered)
	}
	return a
}

// expected computes the figures per "branch day" directly from the generated data.
func (m *month) expected(t *testing.T, onlyBranch string) map[string]callapi.Figures {
	loc, err := time.LoadLocation(tz)
	require.NoError(t, err)
	out := map[string]callapi.Figures{}
	durations := map[string][]float64{}
	key := func(branch string, at time.Time) string { return branch + " " + at.In(loc).Format(time.DateOnly) }
	for _, c := range m.calls {
		if onlyBranch != "" && c.branch != onlyBranch {
			continue
		}
		k := key(c.branch, c.started)
		f := out[k]
		f.Calls++
		if c.duration > 0 {
			f.Answered++
			durations[k] = append(durations[k], float64(c.duration))
		}
		if c.booked {
			f.BookingsFromCalls++
		} else if c.duration == 0 || c.intent == "booking" {
			f.MissedOpportunities++
		}
		switch c.sentiment {
		case "positive":
			f.SentimentPositive++
		case "neutral":
			f.SentimentNeutral++
		case "negative":
			f.SentimentNegative++
		}
		out[k] = f
	}
	for _, a := range m.appts {
		if onlyBranch != "" && a.branch != onlyBranch {
			continue
		}
		if !a.cancelledAt.IsZero() {
			f := out[key(a.branch, a.cancelledAt)]
			f.Cancellations++
			out[key(a.branch, a.cancelledAt)] = f
		}
		if !a.rescheduled.IsZero() {
			f := out[key(a.branch, a.rescheduled)]
			f.Reschedules++
			out[key(a.branch, a.rescheduled)] = f
		}
	}
	for k, f := range out {
		if d := durations[k]; len(d) > 0 {
			slices.Sort(d)
			var s float64
			for _, x := range d {
				s += x
			}
			f.AvgDurationSeconds = s / float64(len(d))
			p50, p90 := percentile(d, 0.5), percentile(d, 0.9)
			f.P50DurationSeconds, f.P90DurationSeconds = &p50, &p90
			f.Conversion = float64(f.BookingsFromCalls) / float64(f.Answered)
		}
		out[k] = f
	}
	return out
}

// percentile is PostgreSQL's percentile_cont: linear interpolation between sorted values.
func percentile(sorted []float64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	lo := math.Floor(pos)
	hi := math.Ceil(pos)
	return sorted[int(lo)] + (pos-lo)*(sorted[int(hi)]-sorted[int(lo)])
}

// viewAnalytics answers analytics.daily from the real materialized view, refreshed first (every
// day of the month is past).
func viewAnalytics(pool *pgxpool.Pool) func(context.Context, database.AnalyticsParams) (database.AnalyticsResult, error) {
	return func(ctx context.Context, p database.AnalyticsParams) (database.AnalyticsResult, error) {
		if _, err := pool.Exec(ctx, `REFRESH MATERIALIZED VIEW daily_booking_stats`); err != nil {
			return database.AnalyticsResult{}, err
		}
		res := database.AnalyticsResult{TimeZone: tz}
		rows, err := pool.Query(ctx, `SELECT branch_id::text, day::text, calls, answered,
  COALESCE(avg_duration_seconds, 0), COALESCE(p50_duration_seconds, 0), COALESCE(p90_duration_seconds, 0),
  bookings_from_calls, cancellations, reschedules, missed_opportunities,
  sentiment_positive, sentiment_neutral, sentiment_negative
FROM daily_booking_stats
WHERE company_id = $1 AND ($2 = '' OR branch_id::text = $2) AND day BETWEEN $3::date AND $4::date`,
			p.CompanyID, p.BranchID, p.From, p.To)
		if err != nil {
			return res, err
		}
		defer rows.Close()
		for rows.Next() {
			var d database.DailyStats
			if err := rows.Scan(&d.BranchID, &d.Day, &d.Calls, &d.Answered, &d.AvgDurationSeconds,
				&d.P50DurationSeconds, &d.P90DurationSeconds, &d.BookingsFromCalls, &d.Cancellations,
				&d.Reschedules, &d.MissedOpportunities, &d.SentimentPositive, &d.SentimentNeutral,
				&d.SentimentNegative); err != nil {
				return res, err
			}
			res.Days = append(res.Days, d)
		}
		return res, rows.Err()
	}
}

func generateMonth(t *testing.T, pool *pgxpool.Pool, rng *rand.Rand) *month {
	t.Helper()
	ctx := t.Context()
	m := &month{}
	digest := make([]byte, 32)
	for i := range digest {
		digest[i] = byte(rng.IntN(256))
	}
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO companies (name, api_key_digest, api_key_prefix, time_zone)
VALUES ('Salon', $1, 'ak_test', $2) RETURNING id::text`, digest, tz).Scan(&m.company))
	staff := map[string]string{}
	for i := range 2 {
		var br, st string
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO branches (company_id, name, phone_number)
VALUES ($1, $2, $3) RETURNING id::text`, m.company, fmt.Sprintf("Filiale %d", i), fmt.Sprintf("+49305557%04d", i)).Scan(&br))
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO staff (company_id, branch_id, name)
VALUES ($1, $2, 'Steffi') RETURNING id::text`, m.company, br).Scan(&st))
		m.branches, staff[br] = append(m.branches, br), st
	}
	loc, err := time.LoadLocation(tz)
	require.NoError(t, err)
	g := &generator{t: t, pool: pool, rng: rng, m: m, staff: staff}
	for day := 1; day <= 31; day++ {
		for _, br := range m.branches {
			for range rng.IntN(7) {
				// Any local minute of the day, so calls near midnight test the day boundary.
				at := time.Date(2025, 10, day, 0, rng.IntN(24*60), rng.IntN(60), 0, loc)
				g.call(ctx, br, at)
			}
		}
	}
	return m
}

type generator struct {
	t     *testing.T
	pool  *pgxpool.Pool
	rng   *rand.Rand
	m     *month
	staff map[string]string
	seq   int
}

func (g *generator) call(ctx context.Context, branch string, at time.Time) {
	t, rng := g.t, g.rng
	g.seq++
	c := genCall{branch: branch, started: at, intent: []string{"booking", "info", "none", "cancellation"}[rng.IntN(4)],
		sentiment: []string{"positive", "neutral", "negative", "unknown", ""}[rng.IntN(5)]}
	if rng.IntN(5) > 0 {
		c.duration = 5 + rng.IntN(600)
	}
	var id string
	require.NoError(t, g.pool.QueryRow(ctx, `INSERT INTO call_keys (company_id, retell_call_id, started_at)
VALUES ($1, $2, $3) RETURNING id::text`, g.m.company, fmt.Sprintf("call_gen%05d", g.seq), at).Scan(&id))
	var dur, sentiment any
	if c.duration > 0 {
		dur = c.duration
	}
	if c.sentiment != "" {
		sentiment = c.sentiment
	}
	_, err := g.pool.Exec(ctx, `INSERT INTO calls (id, company_id, branch_id, retell_call_id, status, duration_seconds,
  sentiment, metadata, started_at) VALUES ($1, $2, $3, $4, 'analyzed', $5, $6, jsonb_build_object('intent', $7::text), $8)`,
		id, g.m.company, branch, fmt.Sprintf("call_gen%05d", g.seq), dur, sentiment, c.intent, at)
	require.NoError(t, err)
	if c.duration > 0 && c.intent == "booking" && rng.IntN(2) == 0 {
		c.booked = true
		g.appointment(ctx, branch, id, at)
	}
	g.m.calls = append(g.m.calls, c)
}

// appointment books the call's appointment; some are later cancelled or rescheduled.
func (g *generator) appointment(ctx context.Context, branch, callID string, at time.Time) {
	t, rng := g.t, g.rng
	g.seq++
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.seq) * time.Hour)
	var appt string
	require.NoError(t, g.pool.QueryRow(ctx, `INSERT INTO appointments (company_id, branch_id, staff_id, call_id,
  start_time, end_time, confirmation_number, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text`,
		g.m.company, branch, g.staff[branch], callID, start, start.Add(30*time.Minute), confirmation(g.seq), at).Scan(&appt))
	_, err := g.pool.Exec(ctx, `UPDATE calls SET appointment_id = $1 WHERE id = $2`, appt, callID)
	require.NoError(t, err)
	later := at.Add(time.Duration(1+rng.IntN(72*60)) * time.Minute)
	if later.After(time.Date(2025, 10, 31, 22, 0, 0, 0, time.UTC)) {
		return // keep every effect inside the month
	}
	switch rng.IntN(4) {
	case 0:
		_, err = g.pool.Exec(ctx, `UPDATE appointments SET status = 'cancelled', cancelled_at = $2 WHERE id = $1`, appt, later)
		require.NoError(t, err)
		g.m.appts = append(g.m.appts, genAppt{branch: branch, cancelledAt: later})
	case 1:
		_, err = g.pool.Exec(ctx, `UPDATE appointments SET status = 'rescheduled' WHERE id = $1`, appt)
		require.NoError(t, err)
		g.seq++
		ns := start.Add(time.Duration(g.seq) * time.Hour * 1000)
		_, err = g.pool.Exec(ctx, `INSERT INTO appointments (company_id, branch_id, staff_id, start_time, end_time,
  confirmation_number, rescheduled_from, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			g.m.company, branch, g.staff[branch], ns, ns.Add(30*time.Minute), confirmation(g.seq), appt, later)
		require.NoError(t, err)
		g.m.appts = append(g.m.appts, genAppt{branch: branch, rescheduled: later})
	}
}

// confirmation makes a unique six-character confirmation number from n.
func confirmation(n int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = alphabet[n%len(alphabet)]
		n /= len(alphabet)
	}
	return string(b)
}
