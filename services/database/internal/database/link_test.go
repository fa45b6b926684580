package database

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	api "github.com/askproai/backend/pkg/api/database"
)

// A booking made during a live call carries only Retell's call id. Whether the call row is
// stored before or after the booking, both end up linked both ways.
func TestBookingLinksItsCallInEitherOrder(t *testing.T) {
	cases := []struct {
		name        string
		callIsFirst bool
	}{
		{"call stored first", true},
		{"booking first, call stored later", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, false)
			tn := newTenant(t, e.store, "Salon")
			ctx := t.Context()
			save := func(status string) api.Call {
				c, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID,
					RetellCallID: "call_live", Status: status, StartedAt: time.Now().Add(-time.Minute)})
				require.NoError(t, err)
				return c
			}
			if tc.callIsFirst {
				save(api.CallOngoing)
			}
			p := booking(tn, tn.staff, 0, 30)
			p.RetellCallID = "call_live"
			a, err := e.store.CreateAppointment(ctx, p)
			require.NoError(t, err)
			require.Equal(t, "call_live", a.RetellCallID)

			c := save(api.CallEnded)
			require.Equal(t, a.ID, c.AppointmentID, "the call points at its booking")
			got, err := e.store.Appointment(ctx, tn.company.ID, a.ID)
			require.NoError(t, err)
			require.Equal(t, c.ID, got.CallID, "the booking points at its call")
		})
	}
}

func TestRetellCallIDNeverLinksAcrossTenants(t *testing.T) {
	e := newEnv(t, false)
	salon, clinic := newTenant(t, e.store, "Salon"), newTenant(t, e.store, "Clinic")
	ctx := t.Context()
	p := booking(clinic, clinic.staff, 0, 30)
	p.RetellCallID = "call_shared"
	a, err := e.store.CreateAppointment(ctx, p)
	require.NoError(t, err)
	c, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: salon.company.ID, BranchID: salon.branch.ID,
		RetellCallID: "call_shared", Status: api.CallEnded, StartedAt: time.Now()})
	require.NoError(t, err)
	require.Empty(t, c.AppointmentID)
	got, err := e.store.Appointment(ctx, clinic.company.ID, a.ID)
	require.NoError(t, err)
	require.Empty(t, got.CallID)
}

// The extraction job saves a rule-based sentiment without Retell's call_analysis; finishing
// after call_analyzed, it must not replace Retell's own sentiment.
func TestRetellSentimentOutranksTheEstimate(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	ctx := t.Context()
	started := time.Now().Add(-time.Minute)
	save := func(status, sentiment string, md map[string]any) api.Call {
		c, err := e.store.SaveCall(ctx, api.SaveCallParams{CompanyID: tn.company.ID, BranchID: tn.branch.ID,
			RetellCallID: "call_sentiment", Status: status, StartedAt: started, Sentiment: sentiment, Metadata: md})
		require.NoError(t, err)
		return c
	}
	require.Equal(t, "neutral", save(api.CallEnded, "neutral", map[string]any{"sentiment_source": "rules"}).Sentiment)
	analysis := map[string]any{"call_analysis": map[string]any{"user_sentiment": "Positive"}}
	require.Equal(t, "positive", save(api.CallAnalyzed, "positive", analysis).Sentiment)
	late := save(api.CallEnded, "neutral", map[string]any{"sentiment_source": "rules"})
	require.Equal(t, "positive", late.Sentiment, "a late estimate never replaces Retell's analysis")
	require.Equal(t, "positive", save(api.CallAnalyzed, "positive", analysis).Sentiment)
}
