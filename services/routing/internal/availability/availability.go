// Package availability asks the booking service who is free, implementing
// routing.Availability over pkg/api/booking. Booking, in turn, asks Cal.com: routing never
// reads calendars from the database.
package availability

import (
	"context"
	"fmt"

	"github.com/askproai/backend/pkg/api/booking"
	"github.com/askproai/backend/pkg/rpc"
	"github.com/askproai/backend/services/routing/internal/routing"
)

// Booking is the part of the booking client routing uses.
type Booking interface {
	CheckAvailability(ctx context.Context, p booking.AvailabilityParams, opts ...rpc.CallOption) (booking.AvailabilityResult, error)
}

// maxOptions bounds the options asked for: enough for every staff member of a branch.
const maxOptions = 50

// Availability implements routing.Availability.
type Availability struct{ b Booking }

// New returns an Availability over b.
func New(b Booking) *Availability { return &Availability{b: b} }

var _ routing.Availability = (*Availability)(nil)

// FreeStaff asks for options nearest the start and keeps the staff whose option starts exactly
// then.
func (a *Availability) FreeStaff(ctx context.Context, q routing.SlotQuery) ([]string, error) {
	res, err := a.b.CheckAvailability(ctx, booking.AvailabilityParams{
		CompanyID: q.CompanyID, BranchID: q.BranchID, EventTypeID: q.EventTypeID,
		At: q.Start, TimeZone: q.TimeZone, Limit: maxOptions,
	}, rpc.WithLane(rpc.LaneHigh))
	if err != nil {
		return nil, fmt.Errorf("check availability: %w", err)
	}
	seen := map[string]bool{}
	var ids []string
	for _, o := range res.Options {
		if o.Start.Equal(q.Start) && !seen[o.StaffID] {
			seen[o.StaffID] = true
			ids = append(ids, o.StaffID)
		}
	}
	return ids, nil
}
