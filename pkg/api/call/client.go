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
	var r SaveResult
	err := c.rpc.Call(ctx, Service, MethodSave, p, &r, opts...)
	return r, err
}

// ExtractMetadata understands a transcript.
func (c *Client) ExtractMetadata(ctx context.Context, p ExtractMetadataParams, opts ...rpc.CallOption) (Metadata, error) {
	var r Metadata
	err := c.rpc.Call(ctx, Service, MethodExtractMetadata, p, &r, opts...)
	return r, err
}

// LinkToAppointment links a call to the appointment booked in it.
func (c *Client) LinkToAppointment(ctx context.Context, p LinkParams, opts ...rpc.CallOption) (LinkResult, error) {
	var r LinkResult
	err := c.rpc.Call(ctx, Service, MethodLinkToAppointment, p, &r, opts...)
	return r, err
}

// Analytics reports figures between two local days.
func (c *Client) Analytics(ctx context.Context, p AnalyticsParams, opts ...rpc.CallOption) (AnalyticsResult, error) {
	var r AnalyticsResult
	err := c.rpc.Call(ctx, Service, MethodAnalytics, p, &r, opts...)
	return r, err
}
