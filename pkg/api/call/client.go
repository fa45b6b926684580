package call

import (
	"context"

	"github.com/askproai/backend/pkg/rpc"
)

// Client calls the call service over the bus.
type Client struct {
	rpc *rpc.Client
}

// NewClient wraps a bus client.
func NewClient(c *rpc.Client) *Client { return &Client{rpc: c} }

// Save stores one lifecycle webhook.
func (c *Client) Save(ctx context.Context, p SaveParams, opts ...rpc.CallOption) (SaveResult, error) {
	return rpc.CallAs[SaveResult](ctx, c.rpc, Service, MethodSave, p.CompanyID, p, opts...)
}

// ExtractMetadata understands a transcript.
func (c *Client) ExtractMetadata(ctx context.Context, p ExtractMetadataParams, opts ...rpc.CallOption) (Metadata, error) {
	return rpc.CallAs[Metadata](ctx, c.rpc, Service, MethodExtractMetadata, p.CompanyID, p, opts...)
}

// LinkToAppointment links a call to the appointment booked in it.
func (c *Client) LinkToAppointment(ctx context.Context, p LinkParams, opts ...rpc.CallOption) (LinkResult, error) {
	return rpc.CallAs[LinkResult](ctx, c.rpc, Service, MethodLinkToAppointment, p.CompanyID, p, opts...)
}

// Analytics reports figures between two local days.
func (c *Client) Analytics(ctx context.Context, p AnalyticsParams, opts ...rpc.CallOption) (AnalyticsResult, error) {
	return rpc.CallAs[AnalyticsResult](ctx, c.rpc, Service, MethodAnalytics, p.CompanyID, p, opts...)
}
