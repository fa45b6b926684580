package call

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// maxAnalyticsDays bounds one analytics request.
const maxAnalyticsDays = 366

// AnalyticsQuery asks for figures between two local days (YYYY-MM-DD, both inclusive) in the
// company's time zone; an empty BranchID means every branch.
type AnalyticsQuery struct {
	CompanyID string
	BranchID  string
	From      string
	To        string
}

// DayRow is one branch's figures for one local day, as the store computes them: from the
// materialized view for past days and live for today.
type DayRow struct {
	BranchID string
	Day      string
	Figures
}

// Daily is the store's answer.
type Daily struct {
	TimeZone string
	Rows     []DayRow
}

// Figures are the counts of a set of calls.
type Figures struct {
	Calls              int64
	Answered           int64
	AvgDurationSeconds float64
	// P50DurationSeconds and P90DurationSeconds are exact for one branch and day; percentiles
	// cannot be combined across rows, so a group of several rows with answered calls leaves
	// them nil (see README: the store does not offer range percentiles yet).
	P50DurationSeconds  *float64
	P90DurationSeconds  *float64
	BookingsFromCalls   int64
	Conversion          float64 // bookings from calls per answered call
	Cancellations       int64
	Reschedules         int64
	MissedOpportunities int64
	SentimentPositive   int64
	SentimentNeutral    int64
	SentimentNegative   int64
}

// Group is the figures of one day or one branch.
type Group struct {
	Key string // the day (YYYY-MM-DD) or the branch id
	Figures
}

// Report is the analytics answer: totals, by day, by branch, and the rows they came from.
type Report struct {
	TimeZone string
	Total    Figures
	ByDay    []Group
	ByBranch []Group
	Rows     []DayRow
}

// Analytics reports a company's figures between two local days.
func (s *Service) Analytics(ctx context.Context, q AnalyticsQuery) (Report, error) {
	if err := q.validate(); err != nil {
		return Report{}, err
	}
	d, err := s.store.Daily(ctx, q)
	if err != nil {
		return Report{}, fmt.Errorf("analytics of company %s: %w", q.CompanyID, err)
	}
	return BuildReport(d), nil
}

func (q AnalyticsQuery) validate() error {
	from, err1 := time.Parse(time.DateOnly, q.From)
	to, err2 := time.Parse(time.DateOnly, q.To)
	switch {
	case q.CompanyID == "":
		return fmt.Errorf("analytics: %w: company is required", ErrInvalidInput)
	case err1 != nil || err2 != nil:
		return fmt.Errorf("analytics: %w: from and to must be YYYY-MM-DD", ErrInvalidInput)
	case to.Before(from):
		return fmt.Errorf("analytics: %w: to is before from", ErrInvalidInput)
	case to.Sub(from) >= maxAnalyticsDays*24*time.Hour:
		return fmt.Errorf("analytics: %w: at most %d days", ErrInvalidInput, maxAnalyticsDays)
	}
	return nil
}

// BuildReport groups the store's rows by day and by branch and totals them.
func BuildReport(d Daily) Report {
	rows := slices.Clone(d.Rows)
	slices.SortFunc(rows, func(a, b DayRow) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.BranchID, b.BranchID))
	})
	for i := range rows {
		rows[i].Conversion = conversion(rows[i].Figures)
	}
	return Report{
		TimeZone: d.TimeZone,
		Total:    combine(rows),
		ByDay:    groupBy(rows, func(r DayRow) string { return r.Day }),
		ByBranch: groupBy(rows, func(r DayRow) string { return r.BranchID }),
		Rows:     rows,
	}
}

func groupBy(rows []DayRow, key func(DayRow) string) []Group {
	parts := map[string][]DayRow{}
	for _, r := range rows {
		parts[key(r)] = append(parts[key(r)], r)
	}
	out := make([]Group, 0, len(parts))
	for k, rs := range parts {
		out = append(out, Group{Key: k, Figures: combine(rs)})
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// combine adds rows up; the average is weighted by answered calls.
func combine(rows []DayRow) Figures {
	var f Figures
	var durationSum float64
	withAnswered := 0
	for _, r := range rows {
		f.Calls += r.Calls
		f.Answered += r.Answered
		durationSum += r.AvgDurationSeconds * float64(r.Answered)
		f.BookingsFromCalls += r.BookingsFromCalls
		f.Cancellations += r.Cancellations
		f.Reschedules += r.Reschedules
		f.MissedOpportunities += r.MissedOpportunities
		f.SentimentPositive += r.SentimentPositive
		f.SentimentNeutral += r.SentimentNeutral
		f.SentimentNegative += r.SentimentNegative
		if r.Answered > 0 {
			withAnswered++
			f.P50DurationSeconds, f.P90DurationSeconds = r.P50DurationSeconds, r.P90DurationSeconds
		}
	}
	if withAnswered != 1 {
		f.P50DurationSeconds, f.P90DurationSeconds = nil, nil
	}
	if f.Answered > 0 {
		f.AvgDurationSeconds = durationSum / float64(f.Answered)
	}
	f.Conversion = conversion(f)
	return f
}

func conversion(f Figures) float64 {
	if f.Answered == 0 {
		return 0
	}
	return float64(f.BookingsFromCalls) / float64(f.Answered)
}
