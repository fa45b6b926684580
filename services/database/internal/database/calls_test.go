package database

import (
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

func TestSaveCallIsIdempotentAndNeverGoesBackwards(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	started := time.Now().UTC().Truncate(time.Second)
	save := func(status string, mut func(*api.SaveCallParams)) api.Call {
		p := api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID, RetellCallID: "call_123",
			FromNumber: "+4917612121212", ToNumber: tn.branch.PhoneNumber, Status: status, StartedAt: started,
			RawPayload: []byte(`{"event":"` + status + `"}`)}
		if mut != nil {
			mut(&p)
		}
		c, err := e.store.SaveCall(ctx, p)
		require.NoError(t, err)
		return c
	}
	first := save(api.CallOngoing, nil)
	require.NotEmpty(t, first.CustomerID, "the caller became a customer in the same transaction")
	dur := 95
	ended := save(api.CallEnded, func(p *api.SaveCallParams) {
		p.DurationSeconds = &dur
		end := started.Add(95 * time.Second)
		p.EndedAt = &end
		p.Transcript = "Agent: Guten Tag …"
	})
	require.Equal(t, first.ID, ended.ID)
	analyzed := save(api.CallAnalyzed, func(p *api.SaveCallParams) {
		p.Sentiment = "positive"
		p.Metadata = map[string]any{"intent": "booking"}
	})
	late := save(api.CallOngoing, func(p *api.SaveCallParams) { p.StartedAt = started.Add(time.Hour) })
	require.Equal(t, api.CallAnalyzed, late.Status, "a late call_started does not rewind the call")
	require.Equal(t, analyzed.ID, late.ID)
	require.Equal(t, 95, late.DurationSeconds)
	require.Equal(t, "positive", late.Sentiment)
	require.Equal(t, "booking", late.Metadata["intent"])
	require.Equal(t, "Agent: Guten Tag …", late.Transcript)
	require.WithinDuration(t, started, late.StartedAt, 0, "started_at is pinned at first sight")

	byRetell, err := e.store.Call(ctx, api.GetCallParams{CompanyID: tn.company.ID, RetellCallID: "call_123"})
	require.NoError(t, err)
	byID, err := e.store.Call(ctx, api.GetCallParams{CompanyID: tn.company.ID, CallID: first.ID})
	require.NoError(t, err)
	require.Equal(t, late, byRetell)
	require.Equal(t, late, byID)
	require.Equal(t, "+4917612121212", byID.FromNumber)

	var rows, customers int
	var sealed []byte
	var plain string
	require.NoError(t, e.pool.QueryRow(ctx, `SELECT count(*) OVER (), raw_payload,
		c::text || encode(from_number, 'escape') || encode(transcript, 'escape') || encode(raw_payload, 'escape')
		FROM calls c`).Scan(&rows, &sealed, &plain))
	require.Equal(t, 1, rows)
	raw, err := e.store.cipher.Open(sealed, tn.company.ID, "call.raw_payload")
	require.NoError(t, err)
	require.JSONEq(t, `{"event":"analyzed"}`, raw, "the raw payload follows the status")
	for _, pii := range []string{"17612121212", "Guten Tag", `"event"`} {
		require.NotContains(t, plain, pii, "caller number, transcript and payload are sealed at rest")
	}
	require.NoError(t, e.pool.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&customers))
	require.Equal(t, 1, customers)
}

func TestConcurrentFirstSavesMakeOneCall(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := []string{api.CallOngoing, api.CallEnded}[i%2]
			_, errs[i] = e.store.SaveCall(t.Context(), api.SaveCallParams{CompanyID: tn.company.ID,
				BranchID: tn.branch.ID, RetellCallID: "call_dup", FromNumber: "+4917655555555",
				Status: status, StartedAt: time.Now()})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	var calls, keys int
	var status string
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT count(*), max(status) FROM calls`).Scan(&calls, &status))
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT count(*) FROM call_keys`).Scan(&keys))
	require.Equal(t, 1, calls)
	require.Equal(t, 1, keys)
	require.Equal(t, api.CallEnded, status)
}

func TestLinkAppointment(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	c, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID,
		RetellCallID: "call_link", Status: api.CallOngoing, StartedAt: time.Now()})
	require.NoError(t, err)
	a, err := e.store.CreateAppointment(ctx, booking(tn, tn.staff, 0, 30))
	require.NoError(t, err)
	linked, err := e.store.LinkAppointment(ctx, api.LinkAppointmentParams{CompanyID: tn.company.ID, CallID: c.ID, AppointmentID: a.ID})
	require.NoError(t, err)
	require.Equal(t, a.ID, linked.AppointmentID)
	got, err := e.store.Appointment(ctx, tn.company.ID, a.ID)
	require.NoError(t, err)
	require.Equal(t, c.ID, got.CallID)
}

// A write of derived data says so in its call.saved event, so the extraction job it came from
// does not start itself again.
func TestDerivedCallSaveIsMarkedInItsEvent(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	base := api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID, RetellCallID: "call_derived",
		Status: api.CallEnded, StartedAt: time.Now()}
	_, err := e.store.SaveCall(ctx, base)
	require.NoError(t, err)
	derived := base
	derived.Derived, derived.Metadata = true, map[string]any{"intent": "book"}
	_, err = e.store.SaveCall(ctx, derived)
	require.NoError(t, err)

	pub := &recorder{}
	_, err = NewRelay(e.store.WritePool(), pub, RelayOptions{Logger: zerolog.Nop()}).RelayOnce(ctx)
	require.NoError(t, err)
	var marks []bool
	for _, p := range pub.payloads() {
		if ev, ok := p.(*api.CallSavedEvent); ok {
			marks = append(marks, ev.Derived)
		}
	}
	require.Equal(t, []bool{false, true}, marks)
}

// A save with if_version applies only while the call is still at the version its writer read;
// otherwise it answers stale and changes nothing: no row, no audit entry, no event. Every write,
// a link included, raises the version.
func TestConditionalCallSaveRefusesAStaleVersion(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	base := api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID, RetellCallID: "call_cas",
		Status: api.CallEnded, StartedAt: time.Now()}

	fresh := base
	fresh.IfVersion = 1
	_, err := e.store.SaveCall(ctx, fresh)
	require.ErrorIs(t, err, ErrStale, "there is no call at version 1 yet")
	require.ErrorIs(t, WireError(err), rpc.ErrConflict)
	fresh.IfVersion = -1
	_, err = e.store.SaveCall(ctx, fresh)
	require.ErrorIs(t, err, ErrValidation)

	read, err := e.store.SaveCall(ctx, base)
	require.NoError(t, err)
	require.Equal(t, int64(1), read.Version)
	newer := base
	newer.Status, newer.Metadata = api.CallAnalyzed, map[string]any{"call_analysis": map[string]any{"user_sentiment": "Positive"}}
	newest, err := e.store.SaveCall(ctx, newer)
	require.NoError(t, err)
	require.Equal(t, int64(2), newest.Version)

	stale := base
	stale.Derived, stale.IfVersion, stale.Metadata = true, read.Version, map[string]any{"sentiment_source": "rules"}
	var audits, events int
	count := func() (int, int) {
		var a, o int
		require.NoError(t, e.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM outbox)`).Scan(&a, &o))
		return a, o
	}
	audits, events = count()
	_, err = e.store.SaveCall(ctx, stale)
	require.ErrorIs(t, err, ErrStale)
	got, err := e.store.Call(ctx, api.GetCallParams{CompanyID: tn.company.ID, RetellCallID: "call_cas"})
	require.NoError(t, err)
	require.Equal(t, newest, got, "the stale save changed nothing")
	a, o := count()
	require.Equal(t, []int{audits, events}, []int{a, o}, "nor wrote an audit entry or an event")

	stale.IfVersion = newest.Version
	saved, err := e.store.SaveCall(ctx, stale)
	require.NoError(t, err)
	require.Equal(t, "rules", saved.Metadata["sentiment_source"])
	require.Equal(t, int64(3), saved.Version)

	ap, err := e.store.CreateAppointment(ctx, booking(tn, tn.staff, 0, 30))
	require.NoError(t, err)
	linked, err := e.store.LinkAppointment(ctx, api.LinkAppointmentParams{CompanyID: tn.company.ID, CallID: saved.ID, AppointmentID: ap.ID})
	require.NoError(t, err)
	require.Equal(t, int64(4), linked.Version, "a link changes what extraction reads")
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	require.NoError(t, e.store.AppendAudit(ctx, api.AuditAppendParams{CompanyID: tn.company.ID,
		Action: "slot.locked", Entity: "staff", EntityID: tn.staff.ID}))
	var n int
	require.NoError(t, e.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE company_id = $1`, tn.company.ID).Scan(&n))
	require.GreaterOrEqual(t, n, 5, "company, branch, event type, two staff and the appended entry")
	for _, stmt := range []string{`UPDATE audit_log SET actor = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		_, err := e.pool.Exec(ctx, stmt)
		require.ErrorContains(t, err, "append-only", stmt)
	}
}

func TestAnAnonymousCallIsStoredWithoutACustomer(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	started := time.Now().UTC().Truncate(time.Second)
	for _, status := range []string{api.CallOngoing, api.CallEnded} {
		c, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID,
			RetellCallID: "call_anon", FromNumber: "anonymous", Status: status, StartedAt: started})
		require.NoError(t, err)
		require.Empty(t, c.CustomerID)
		require.Equal(t, status, c.Status)
	}
	var customers int
	require.NoError(t, e.pool.QueryRow(ctx, `SELECT count(*) FROM customers WHERE company_id = $1`, tn.company.ID).Scan(&customers))
	require.Zero(t, customers)
}
