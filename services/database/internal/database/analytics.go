package database

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	statsColumns = `branch_id::text, to_char(day, 'YYYY-MM-DD'), calls, answered,
COALESCE(avg_duration_seconds, 0), COALESCE(p50_duration_seconds, 0),
COALESCE(p90_duration_seconds, 0), bookings_from_calls, cancellations, reschedules,
missed_opportunities, sentiment_positive, sentiment_neutral, sentiment_negative`
	// Days before the last refresh come from the materialized view; the rest, today included,
	// are computed live over the local-day window [cutoff, to + 1 day).
	sqlAnalytics = `WITH cut AS (
  SELECT COALESCE((SELECT (refreshed_at AT TIME ZONE $2)::date FROM stats_refreshes
                   WHERE name = 'daily_booking_stats'), '-infinity'::date) AS cut_day
), live AS (
  SELECT GREATEST(cut.cut_day, $3::date) AS lo FROM cut
)
SELECT ` + statsColumns + ` FROM daily_booking_stats, cut
WHERE company_id = $1 AND day >= $3 AND day <= $4 AND day < cut.cut_day
  AND ($5::uuid IS NULL OR branch_id = $5)
UNION ALL
SELECT ` + statsColumns + ` FROM live,
  booking_stats($1, (live.lo::timestamp AT TIME ZONE $2), (($4::date + 1)::timestamp AT TIME ZONE $2)) s
WHERE ($5::uuid IS NULL OR s.branch_id = $5)
ORDER BY 2, 1`
	sqlAnalyticsTimeZone = `SELECT time_zone FROM companies WHERE id = $1`
)

// maxAnalyticsDays bounds one request, so a typo cannot scan years of calls.
const maxAnalyticsDays = 366

// Analytics returns per-branch, per-day figures between two local days of the tenant.
func (s *Store) Analytics(ctx context.Context, p api.AnalyticsParams) (api.AnalyticsResult, error) {
	if err := checkIDs(p.CompanyID); err != nil {
		return api.AnalyticsResult{}, err
	}
	if err := optionalID(p.BranchID); err != nil {
		return api.AnalyticsResult{}, err
	}
	from, err1 := time.Parse(time.DateOnly, p.From)
	to, err2 := time.Parse(time.DateOnly, p.To)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > maxAnalyticsDays*24*time.Hour {
		return api.AnalyticsResult{}, invalid("from and to must be days (YYYY-MM-DD), in order, at most a year apart")
	}
	res := api.AnalyticsResult{Days: []api.DailyStats{}}
	if err := s.read.QueryRow(ctx, sqlAnalyticsTimeZone, p.CompanyID).Scan(&res.TimeZone); err != nil {
		return api.AnalyticsResult{}, fmt.Errorf("analytics: %w", classify(err))
	}
	rows, err := s.read.Query(ctx, sqlAnalytics, p.CompanyID, res.TimeZone, p.From, p.To, nullable(p.BranchID))
	if err != nil {
		return api.AnalyticsResult{}, fmt.Errorf("analytics: %w", classify(err))
	}
	res.Days, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (api.DailyStats, error) {
		var d api.DailyStats
		err := r.Scan(&d.BranchID, &d.Day, &d.Calls, &d.Answered, &d.AvgDurationSeconds,
			&d.P50DurationSeconds, &d.P90DurationSeconds, &d.BookingsFromCalls, &d.Cancellations,
			&d.Reschedules, &d.MissedOpportunities, &d.SentimentPositive, &d.SentimentNeutral,
			&d.SentimentNegative)
		return d, err
	})
	if err != nil {
		return api.AnalyticsResult{}, fmt.Errorf("analytics: %w", classify(err))
	}
	return res, nil
}
