package loadsim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/pkg/stack"
)

// Violation is one broken invariant.
type Violation struct {
	Check, Detail string
}

func (v Violation) String() string { return v.Check + ": " + v.Detail }

// Checker checks what must hold after a run.
type Checker struct {
	DB        *pgxpool.Pool
	Redis     *redis.Client
	Namespace string
	CalsimURL string
}

// DoubleBookings finds overlapping active appointments of one staff member in PostgreSQL.
func (c *Checker) DoubleBookings(ctx context.Context) ([]Violation, error) {
	const q = `SELECT a.id::text, b.id::text, a.staff_id::text
		FROM appointments a JOIN appointments b
		  ON a.staff_id = b.staff_id AND a.id < b.id
		 AND tstzrange(a.start_time, a.end_time) && tstzrange(b.start_time, b.end_time)
		WHERE a.status IN ('scheduled','confirmed') AND b.status IN ('scheduled','confirmed')`
	rows, err := c.DB.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("query double bookings: %w", err)
	}
	defer rows.Close()
	var out []Violation
	for rows.Next() {
		var a, b, staff string
		if err := rows.Scan(&a, &b, &staff); err != nil {
			return nil, fmt.Errorf("scan double booking: %w", err)
		}
		out = append(out, Violation{"double booking (PostgreSQL)", fmt.Sprintf("staff %s: appointments %s and %s overlap", staff, a, b)})
	}
	return out, rows.Err()
}

// CalsimBooking is one booking as calsim's admin view lists it.
type CalsimBooking struct {
	UID         string         `json:"uid"`
	EventTypeID int            `json:"eventTypeId"`
	Start       time.Time      `json:"start"`
	End         time.Time      `json:"end"`
	Status      string         `json:"status"`
	Metadata    map[string]any `json:"metadata"`
}

// CalsimBookings lists every booking calsim holds.
func (c *Checker) CalsimBookings(ctx context.Context) ([]CalsimBooking, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.CalsimURL+"/_calsim/bookings", nil)
	if err != nil {
		return nil, fmt.Errorf("build calsim request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("list calsim bookings: %w", err)
	}
	defer resp.Body.Close()
	var list []CalsimBooking
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("decode calsim bookings: %w", err)
	}
	return list, nil
}

// CalsimDoubleBookings finds overlapping accepted calsim bookings of one host. The demo account
// owns every event type, so the staff member a booking is for is in its metadata (staff_id).
func (c *Checker) CalsimDoubleBookings(ctx context.Context) ([]Violation, error) {
	list, err := c.CalsimBookings(ctx)
	if err != nil {
		return nil, err
	}
	byHost := map[string][]CalsimBooking{}
	for _, b := range list {
		if b.Status != "accepted" {
			continue
		}
		host, _ := b.Metadata["staff_id"].(string)
		byHost[host] = append(byHost[host], b)
	}
	var out []Violation
	for host, bs := range byHost {
		sort.Slice(bs, func(i, j int) bool { return bs[i].Start.Before(bs[j].Start) })
		for i := 1; i < len(bs); i++ {
			if bs[i].Start.Before(bs[i-1].End) {
				out = append(out, Violation{"double booking (calsim)", fmt.Sprintf("host %q: %s and %s overlap", host, bs[i-1].UID, bs[i].UID)})
			}
		}
	}
	return out, nil
}

// Orphans compares calsim with PostgreSQL: every accepted calsim booking has an active
// appointment, and every active appointment with a Cal.com booking is accepted in calsim.
func (c *Checker) Orphans(ctx context.Context) ([]Violation, error) {
	list, err := c.CalsimBookings(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.DB.Query(ctx, `SELECT id::text, coalesce(calcom_booking_id, ''), status FROM appointments`)
	if err != nil {
		return nil, fmt.Errorf("query appointments: %w", err)
	}
	defer rows.Close()
	active := map[string]string{} // calcom uid -> appointment id
	var missingUID []string
	for rows.Next() {
		var id, uid, status string
		if err := rows.Scan(&id, &uid, &status); err != nil {
			return nil, fmt.Errorf("scan appointment: %w", err)
		}
		if status != "scheduled" && status != "confirmed" {
			continue
		}
		if uid == "" {
			missingUID = append(missingUID, id)
			continue
		}
		active[uid] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query appointments: %w", err)
	}
	var out []Violation
	accepted := map[string]bool{}
	for _, b := range list {
		if b.Status != "accepted" {
			continue
		}
		accepted[b.UID] = true
		if _, ok := active[b.UID]; !ok {
			out = append(out, Violation{"orphan (calsim booking without appointment)", b.UID})
		}
	}
	for uid, id := range active {
		if !accepted[uid] {
			out = append(out, Violation{"orphan (appointment without calsim booking)", fmt.Sprintf("appointment %s, uid %s", id, uid)})
		}
	}
	for _, id := range missingUID {
		out = append(out, Violation{"orphan (active appointment never mirrored to Cal.com)", id})
	}
	return out, nil
}

// LostWebhooks checks that every simulated call id is stored exactly once in calls.
func (c *Checker) LostWebhooks(ctx context.Context, callIDs []string) ([]Violation, error) {
	rows, err := c.DB.Query(ctx, `SELECT retell_call_id, count(*) FROM calls WHERE retell_call_id = ANY($1) GROUP BY retell_call_id`, callIDs)
	if err != nil {
		return nil, fmt.Errorf("query calls: %w", err)
	}
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("scan call: %w", err)
		}
		seen[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query calls: %w", err)
	}
	var out []Violation
	missing := 0
	for _, id := range callIDs {
		switch n := seen[id]; {
		case n == 0:
			missing++
			if missing <= 10 {
				out = append(out, Violation{"lost webhook", "call " + id + " is not stored"})
			}
		case n > 1:
			out = append(out, Violation{"duplicate call", fmt.Sprintf("call %s stored %d times", id, n)})
		}
	}
	if missing > 10 {
		out = append(out, Violation{"lost webhook", fmt.Sprintf("%d more calls are not stored", missing-10)})
	}
	return out, nil
}

// CallsStored counts how many of callIDs have a calls row whose status is final.
func (c *Checker) CallsStored(ctx context.Context, callIDs []string, status string) (int, error) {
	var n int
	err := c.DB.QueryRow(ctx, `SELECT count(DISTINCT retell_call_id) FROM calls WHERE retell_call_id = ANY($1) AND ($2 = '' OR status = $2)`, callIDs, status).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count calls: %w", err)
	}
	return n, nil
}

// DeadLetters counts the entries of every dead-letter stream of the namespace.
func (c *Checker) DeadLetters(ctx context.Context) ([]Violation, error) {
	names := map[string]bool{}
	for _, s := range stack.Services {
		names[s] = true
	}
	prefix := rpc.DeadLetterStream(c.Namespace, "")
	iter := c.Redis.Scan(ctx, 0, prefix+"*", 200).Iterator()
	for n := 0; iter.Next(ctx) && n < 10_000; n++ {
		names[strings.TrimPrefix(iter.Val(), prefix)] = true
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("scan dead-letter streams: %w", err)
	}
	var out []Violation
	for _, name := range sortedKeys(names) {
		dl := rpc.NewDeadLetters(c.Redis, c.Namespace, name)
		n, err := dl.Len(ctx)
		if err != nil {
			return nil, fmt.Errorf("dead letters of %s: %w", name, err)
		}
		if n == 0 {
			continue
		}
		detail := fmt.Sprintf("%s has %d", name, n)
		if list, err := dl.List(ctx, "", 3); err == nil {
			for _, d := range list {
				detail += fmt.Sprintf("; %+v", d)
			}
		}
		out = append(out, Violation{"dead letters", truncate(detail, 1200)})
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// All runs every check.
func (c *Checker) All(ctx context.Context, callIDs []string, orphans bool) ([]Violation, error) {
	var out []Violation
	checks := []func(context.Context) ([]Violation, error){c.DoubleBookings, c.CalsimDoubleBookings, c.DeadLetters,
		func(ctx context.Context) ([]Violation, error) { return c.LostWebhooks(ctx, callIDs) }}
	if orphans {
		checks = append(checks, c.Orphans)
	}
	for _, check := range checks {
		v, err := check(ctx)
		if err != nil {
			return out, err
		}
		out = append(out, v...)
	}
	return out, nil
}

// Settle waits until every call has been processed through call_analyzed and Cal.com agrees
// with PostgreSQL, or until timeout; it reports whether that happened.
func (c *Checker) Settle(ctx context.Context, callIDs []string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := c.CallsStored(ctx, callIDs, "analyzed")
		if err == nil && n == len(callIDs) {
			if o, err := c.Orphans(ctx); err == nil && len(o) == 0 {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}
