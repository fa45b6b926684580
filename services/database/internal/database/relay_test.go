package database

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	routing "github.com/askproai/backend/pkg/api/routing"
	"github.com/askproai/backend/pkg/testenv"
)

// recorder is a Publisher that keeps what it was given and can be told to fail.
type recorder struct {
	mu      sync.Mutex
	events  []recorded
	failFor map[string]int // aggregate id → failures left
	failed  int            // failures returned
}

type recorded struct {
	topic, aggregate string
	payload          any
}

func (r *recorder) Publish(_ context.Context, topic string, payload any) error {
	agg := aggregateOf(payload)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failFor[agg] > 0 {
		r.failFor[agg]--
		r.failed++
		return errors.New("bus unavailable")
	}
	r.events = append(r.events, recorded{topic: topic, aggregate: agg, payload: payload})
	return nil
}

func aggregateOf(payload any) string {
	switch p := payload.(type) {
	case *api.AppointmentEvent:
		if p.PreviousID != "" {
			return p.PreviousID
		}
		return p.Appointment.ID
	case *api.CallSavedEvent:
		return p.CallID
	case *routing.BranchChangedEvent:
		return p.BranchID
	case *map[string]any:
		s, _ := (*p)["aggregate"].(string)
		return s
	}
	return ""
}

func (r *recorder) payloads() []any {
	var out []any
	for _, ev := range r.snapshot() {
		out = append(out, ev.payload)
	}
	return out
}

func (r *recorder) snapshot() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.events...)
}

func TestOutboxDeliversEveryEventInOrderPerAggregate(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	want := map[string][]string{} // aggregate → topics in the order they were written
	for i := range 5 {
		a, err := e.store.CreateAppointment(ctx, booking(tn, tn.staff, i*120, 60))
		require.NoError(t, err)
		want[a.ID] = append(want[a.ID], api.TopicBookingCreated)
		if i%2 == 0 {
			_, err := e.store.RescheduleAppointment(ctx, api.RescheduleAppointmentParams{CompanyID: tn.company.ID,
				AppointmentID: a.ID, StartTime: slot(i*120 + 30), EndTime: slot(i*120 + 90)})
			require.NoError(t, err)
			want[a.ID] = append(want[a.ID], api.TopicBookingRescheduled)
		} else {
			_, err := e.store.CancelAppointment(ctx, api.CancelAppointmentParams{CompanyID: tn.company.ID, AppointmentID: a.ID})
			require.NoError(t, err)
			want[a.ID] = append(want[a.ID], api.TopicBookingCancelled)
		}
	}
	for i := range 3 {
		require.NoError(t, e.store.AppendOutbox(ctx, api.OutboxAppendParams{CompanyID: tn.company.ID,
			AggregateType: "custom", AggregateID: "agg-x", Topic: "custom.step",
			Payload: map[string]any{"aggregate": "agg-x", "step": i}}))
		want["agg-x"] = append(want["agg-x"], "custom.step")
	}

	// The first publish of two aggregates fails: their later events must wait, not overtake.
	var first string
	for id := range want {
		first = id
		break
	}
	pub := &recorder{failFor: map[string]int{first: 2, "agg-x": 1}}
	// Three replicas relay at once; the advisory lock lets one work at a time. They share one
	// set of metrics.
	reg := prometheus.NewRegistry()
	metrics, err := NewMetrics(reg)
	require.NoError(t, err)
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		r := NewRelay(e.store.WritePool(), pub, RelayOptions{Batch: 4, Interval: 5 * time.Millisecond,
			Metrics: metrics, Logger: zerolog.Nop()})
		go func() { defer wg.Done(); _ = r.Run(rctx) }()
	}
	testenv.Eventually(t, 30*time.Second, func() bool {
		var unsent int
		_ = e.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&unsent)
		return unsent == 0
	})
	cancel()
	wg.Wait()

	got := map[string][]string{}
	for _, ev := range pub.snapshot() {
		if ev.topic == api.TopicCallSaved || ev.topic == routing.TopicBranchChanged {
			continue
		}
		got[ev.aggregate] = append(got[ev.aggregate], ev.topic)
	}
	require.Equal(t, want, got)
	require.Equal(t, float64(len(pub.snapshot())), testutil.ToFloat64(metrics.published))
	require.Positive(t, pub.failed)
	require.Equal(t, float64(pub.failed), testutil.ToFloat64(metrics.failed), "every failed publish is counted")
	require.Zero(t, testutil.ToFloat64(metrics.oldestUnset), "nothing waits once the outbox is drained")
}

// Catalogue writes tell routing which branch changed, with the numbers before and after.
func TestCatalogueWritesQueueBranchChanged(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	moved := tn.branch
	moved.PhoneNumber = "+4940999888777"
	_, err := e.store.UpsertBranch(ctx, moved)
	require.NoError(t, err)

	pub := &recorder{}
	r := NewRelay(e.store.WritePool(), pub, RelayOptions{Logger: zerolog.Nop()})
	_, err = r.RelayOnce(ctx)
	require.NoError(t, err)
	var last *routing.BranchChangedEvent
	count := 0
	for _, ev := range pub.payloads() {
		if bc, ok := ev.(*routing.BranchChangedEvent); ok {
			count++
			last = bc
		}
	}
	require.Equal(t, 5, count, "branch created, event type, two staff, branch moved")
	require.Equal(t, tn.branch.ID, last.BranchID)
	require.ElementsMatch(t, []string{tn.branch.PhoneNumber, moved.PhoneNumber}, last.PhoneNumbers)
}

// A commit wakes the relay at once; it does not wait for its polling interval.
func TestRelayWakesOnCommit(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	pub := &recorder{}
	r := NewRelay(e.store.WritePool(), pub, RelayOptions{Interval: time.Hour, Logger: zerolog.Nop()})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	testenv.Eventually(t, 30*time.Second, func() bool { return len(pub.snapshot()) >= 4 }, "catalogue events were not relayed")
	a, err := e.store.CreateAppointment(t.Context(), booking(tn, tn.staff, 0, 60))
	require.NoError(t, err)
	testenv.Eventually(t, 30*time.Second, func() bool {
		for _, ev := range pub.snapshot() {
			if ev.topic == api.TopicBookingCreated && ev.aggregate == a.ID {
				return true
			}
		}
		return false
	}, "booking.created was not relayed on commit")
}
