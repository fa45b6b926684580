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

func call[R any](ctx context.Context, c *Client, method, tenant string, params any, opts []rpc.CallOption) (R, error) {
	var r R
	if tenant != "" {
		ctx = rpc.WithTenant(ctx, tenant)
	}
	err := c.rpc.Call(ctx, Service, method, params, &r, opts...)
	return r, err
}

// CheckAvailability lists free slots nearest the wish.
func (c *Client) CheckAvailability(ctx context.Context, p AvailabilityParams, opts ...rpc.CallOption) (AvailabilityResult, error) {
	return call[AvailabilityResult](ctx, c, MethodCheckAvailability, p.CompanyID, p, opts)
}

// HandleConflict lists alternatives to a slot that is gone.
func (c *Client) HandleConflict(ctx context.Context, p AvailabilityParams, opts ...rpc.CallOption) (Alternatives, error) {
	return call[Alternatives](ctx, c, MethodHandleConflict, p.CompanyID, p, opts)
}

// ReserveSlot holds a slot; rpc.ErrSlotLocked when an overlapping hold exists.
func (c *Client) ReserveSlot(ctx context.Context, p ReserveParams, opts ...rpc.CallOption) (Reservation, error) {
	return call[Reservation](ctx, c, MethodReserveSlot, p.CompanyID, p, opts)
}

// Create books a slot; rpc.ErrConflict (with Alternatives as data) or rpc.ErrSlotLocked when it
// is gone.
func (c *Client) Create(ctx context.Context, p CreateParams, opts ...rpc.CallOption) (CreateResult, error) {
	return call[CreateResult](ctx, c, MethodCreate, p.CompanyID, p, opts)
}

// Cancel cancels an appointment.
func (c *Client) Cancel(ctx context.Context, p CancelParams, opts ...rpc.CallOption) (CancelResult, error) {
	return call[CancelResult](ctx, c, MethodCancel, p.CompanyID, p, opts)
}

// Reschedule moves an appointment.
func (c *Client) Reschedule(ctx context.Context, p RescheduleParams, opts ...rpc.CallOption) (RescheduleResult, error) {
	return call[RescheduleResult](ctx, c, MethodReschedule, p.CompanyID, p, opts)
}
