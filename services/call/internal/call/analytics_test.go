package call

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func ptr(f float64) *float64 { return &f }

func TestBuildReport(t *testing.T) {
	d := Daily{TimeZone: "Europe/Berlin", Rows: []DayRow{
		{BranchID: "b2", Day: "2026-11-02", Figures: Figures{Calls: 4, Answered: 2, AvgDurationSeconds: 100,
			P50DurationSeconds: ptr(100), P90DurationSeconds: ptr(120), BookingsFromCalls: 1, SentimentPositive: 2}},
		{BranchID: "b1", Day: "2026-11-01", Figures: Figures{Calls: 3, Answered: 3, AvgDurationSeconds: 60,
			P50DurationSeconds: ptr(60), P90DurationSeconds: ptr(70), BookingsFromCalls: 2, MissedOpportunities: 1,
			Cancellations: 1, SentimentNegative: 1}},
		{BranchID: "b1", Day: "2026-11-02", Figures: Figures{Reschedules: 2}},
	}}
	r := BuildReport(d)
	require.Equal(t, "Europe/Berlin", r.TimeZone)
	require.Equal(t, []string{"2026-11-01", "2026-11-02", "2026-11-02"}, []string{r.Rows[0].Day, r.Rows[1].Day, r.Rows[2].Day})
	require.Equal(t, int64(7), r.Total.Calls)
	require.Equal(t, int64(5), r.Total.Answered)
	require.InDelta(t, (2*100.0+3*60.0)/5, r.Total.AvgDurationSeconds, 1e-9)
	require.InDelta(t, 3.0/5, r.Total.Conversion, 1e-9)
	require.Nil(t, r.Total.P50DurationSeconds, "percentiles do not combine")
	require.Equal(t, int64(2), r.Total.Reschedules)

	require.Len(t, r.ByDay, 2)
	require.Equal(t, "2026-11-02", r.ByDay[1].Key)
	require.Equal(t, 120.0, *r.ByDay[1].P90DurationSeconds, "one row with answered calls keeps its percentiles")
	require.Equal(t, int64(2), r.ByDay[1].Reschedules)

	require.Len(t, r.ByBranch, 2)
	require.Equal(t, "b1", r.ByBranch[0].Key)
	require.Equal(t, 60.0, *r.ByBranch[0].P50DurationSeconds)
	require.InDelta(t, 2.0/3, r.ByBranch[0].Conversion, 1e-9)
}

func TestAnalyticsQueryValidate(t *testing.T) {
	tests := []struct {
		name string
		q    AnalyticsQuery
		ok   bool
	}{
		{"ok", AnalyticsQuery{CompanyID: "c", From: "2026-11-01", To: "2026-11-30"}, true},
		{"one day", AnalyticsQuery{CompanyID: "c", From: "2026-11-01", To: "2026-11-01"}, true},
		{"no company", AnalyticsQuery{From: "2026-11-01", To: "2026-11-30"}, false},
		{"bad date", AnalyticsQuery{CompanyID: "c", From: "1.11.2026", To: "2026-11-30"}, false},
		{"reversed", AnalyticsQuery{CompanyID: "c", From: "2026-11-30", To: "2026-11-01"}, false},
		{"too long", AnalyticsQuery{CompanyID: "c", From: "2025-01-01", To: "2026-11-01"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.q.validate()
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrInvalidInput)
			}
		})
	}
}
