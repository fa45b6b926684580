package booking

import (
	"context"

	"github.com/askproai/backend/pkg/rpc"
)

// Client calls the booking service through pkg/rpc, with the tenant in the envelope.
type Client struct {
	rpc *rpc.Client
}

// NewClient wraps an rpc client.
func NewClient(c *rpc.Client) *Client { return &Client{rpc: c} }

// CheckAvailability lists free slots nearest the wish.
func (c *Client) CheckAvailability(ctx context.Context, p AvailabilityParams, opts ...rpc.CallOption) (AvailabilityResult, error) {
	return rpc.CallAs[AvailabilityResult](ctx, c.rpc, Service, MethodCheckAvailability, p.CompanyID, p, opts...)
}

// HandleConflict lists alternatives to a slot that is gone.
func (c *Client) HandleConflict(ctx context.Context, p AvailabilityParams, opts ...rpc.CallOption) (Alternatives, error) {
	return rpc.CallAs[Alternatives](ctx, c.rpc, Service, MethodHandleConflict, p.CompanyID, p, opts...)
}

// ReserveSlot holds a slot; rpc.ErrSlotLocked when an overlapping hold exists.
func (c *Client) ReserveSlot(ctx context.Context, p ReserveParams, opts ...rpc.CallOption) (Reservation, error) {
	return rpc.CallAs[Reservation](ctx, c.rpc, Service, MethodReserveSlot, p.CompanyID, p, opts...)
}

// Create books a slot; rpc.ErrConflict (with Alternatives as data) or rpc.ErrSlotLocked when it
// is gone.
func (c *Client) Create(ctx context.Context, p CreateParams, opts ...rpc.CallOption) (CreateResult, error) {
	return rpc.CallAs[CreateResult](ctx, c.rpc, Service, MethodCreate, p.CompanyID, p, opts...)
}

// Cancel cancels an appointment.
func (c *Client) Cancel(ctx context.Context, p CancelParams, opts ...rpc.CallOption) (CancelResult, error) {
	return rpc.CallAs[CancelResult](ctx, c.rpc, Service, MethodCancel, p.CompanyID, p, opts...)
}

// Reschedule moves an appointment.
func (c *Client) Reschedule(ctx context.Context, p RescheduleParams, opts ...rpc.CallOption) (RescheduleResult, error) {
	return rpc.CallAs[RescheduleResult](ctx, c.rpc, Service, MethodReschedule, p.CompanyID, p, opts...)
}
