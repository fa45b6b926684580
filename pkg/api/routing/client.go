package routing

import (
	"context"

	"github.com/askproai/backend/pkg/rpc"
)

// Client calls the routing service through pkg/rpc, with the tenant in the envelope when the
// params name one.
type Client struct {
	rpc *rpc.Client
}

// NewClient wraps an rpc client.
func NewClient(c *rpc.Client) *Client { return &Client{rpc: c} }

// ResolveBranch finds the branch of a dialled number; rpc.ErrNotFound for an unknown number.
func (c *Client) ResolveBranch(ctx context.Context, p ResolveBranchParams, opts ...rpc.CallOption) (Branch, error) {
	return rpc.CallAs[Branch](ctx, c.rpc, Service, MethodResolveBranch, "", p, opts...)
}

// AnalyzeIntent understands a caller's words.
func (c *Client) AnalyzeIntent(ctx context.Context, p AnalyzeIntentParams, opts ...rpc.CallOption) (Intent, error) {
	return rpc.CallAs[Intent](ctx, c.rpc, Service, MethodAnalyzeIntent, p.CompanyID, p, opts...)
}

// FindAvailableStaff lists who offers the service and is free at the time.
func (c *Client) FindAvailableStaff(ctx context.Context, p FindAvailableStaffParams, opts ...rpc.CallOption) (StaffList, error) {
	return rpc.CallAs[StaffList](ctx, c.rpc, Service, MethodFindAvailableStaff, p.CompanyID, p, opts...)
}

// RouteCall decides where an inbound call goes.
func (c *Client) RouteCall(ctx context.Context, p RouteCallParams, opts ...rpc.CallOption) (Decision, error) {
	return rpc.CallAs[Decision](ctx, c.rpc, Service, MethodRouteCall, "", p, opts...)
}
