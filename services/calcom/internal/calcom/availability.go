package calcom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// utcMillis is how we send instants: UTC with milliseconds, never exactly midnight for an end
// (Cal.com stretches such an end to 23:59:59 of that day).
const utcMillis = "2006-01-02T15:04:05.000Z"

// Availability returns the free slots of q, from the cache when it has them.
func (a *Account) Availability(ctx context.Context, q AvailabilityQuery) ([]Slot, error) {
	start, end, loc, err := dayBounds(q)
	if err != nil {
		return nil, fmt.Errorf("availability: %w", err)
	}
	gen, err := a.c.cache.generation(ctx, q.EventTypeID)
	if err != nil {
		a.c.opts.Logger.Warn().Err(err).Msg("availability_cache_unavailable")
	} else if slots, ok := a.c.cache.get(ctx, q, gen); ok {
		return slots, nil
	}
	slots, ferr := a.fetchSlots(ctx, q, start, end, loc)
	if ferr != nil {
		return nil, fmt.Errorf("availability of event type %d: %w", q.EventTypeID, ferr)
	}
	if err == nil {
		if err := a.c.cache.set(ctx, q, gen, slots); err != nil {
			a.c.opts.Logger.Warn().Err(err).Msg("availability_not_cached")
		}
	}
	return slots, nil
}

// dayBounds converts the local dates of q into the UTC instants Cal.com reads start/end as:
// local midnight of From up to the last millisecond before local midnight after To.
func dayBounds(q AvailabilityQuery) (time.Time, time.Time, *time.Location, error) {
	loc, err := time.LoadLocation(q.TimeZone)
	if err != nil || q.TimeZone == "" {
		return time.Time{}, time.Time{}, nil, fmt.Errorf("time zone %q: %w", q.TimeZone, ErrInvalidInput)
	}
	from, err1 := time.ParseInLocation(time.DateOnly, q.From, loc)
	to, err2 := time.ParseInLocation(time.DateOnly, q.To, loc)
	if err1 != nil || err2 != nil || to.Before(from) {
		return time.Time{}, time.Time{}, nil, fmt.Errorf("date range %s..%s: %w", q.From, q.To, ErrInvalidInput)
	}
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc).Add(-time.Millisecond)
	return from.UTC(), end.UTC(), loc, nil
}

func (a *Account) fetchSlots(ctx context.Context, q AvailabilityQuery, start, end time.Time, loc *time.Location) ([]Slot, error) {
	query := url.Values{
		"eventTypeId": {strconv.Itoa(q.EventTypeID)},
		"start":       {start.Format(utcMillis)},
		"end":         {end.Format(utcMillis)},
		"timeZone":    {q.TimeZone},
		"format":      {"range"},
	}
	var days map[string][]struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
	}
	err := a.do(ctx, request{method: http.MethodGet, path: "/v2/slots", version: VersionSlots,
		query: query, idempotent: true}, &days)
	if err != nil {
		return nil, err
	}
	slots := []Slot{}
	for _, day := range days {
		for _, s := range day {
			local := s.Start.In(loc)
			// Keep only the asked local dates: Cal.com may return neighbouring days.
			if d := local.Format(time.DateOnly); d < q.From || d > q.To {
				continue
			}
			slots = append(slots, Slot{Start: local, End: s.End.In(loc)})
		}
	}
	sortSlots(slots)
	return slots, nil
}

func sortSlots(s []Slot) {
	slices.SortFunc(s, func(a, b Slot) int { return a.Start.Compare(b.Start) })
}
