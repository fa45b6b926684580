package rpc

import "context"

// Identity is who caused a request: the acting principal and, when the request came from
// outside, the client's address and user agent. It travels in the envelope (fields actor, ip,
// ua) beside the tenant, so a service several hops from the edge still knows who acted; the
// body never carries it, and nothing a caller writes into params can change it.
type Identity struct {
	// Actor names the principal: "api:<key id>", "retell:<call id>", "cli:<operator>", or a
	// service's own name for work it does on its own account.
	Actor string
	// IP is the client's address as the edge saw it; empty inside the system.
	IP string
	// UserAgent is the client's User-Agent header, at most MaxUserAgent bytes.
	UserAgent string
}

// MaxUserAgent bounds Identity.UserAgent; WithIdentity cuts a longer one.
const MaxUserAgent = 256

type identityKey struct{}

// WithIdentity returns ctx carrying id. Call, Batch and Publish put it in the envelope and the
// server puts it back in the handler's ctx, so a handler's own calls pass it on unchanged.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	id.UserAgent = truncateUTF8(id.UserAgent, MaxUserAgent)
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity in ctx; ok is false when ctx names no actor.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, _ := ctx.Value(identityKey{}).(Identity)
	return id, id.Actor != ""
}

// WithDefaultActor returns ctx as it is when it already names an actor, and otherwise ctx
// carrying actor: a service's work on its own account (a relay, a sync job) is recorded as
// the service's, and work done for a caller stays the caller's.
func WithDefaultActor(ctx context.Context, actor string) context.Context {
	if _, ok := IdentityFrom(ctx); ok {
		return ctx
	}
	return WithIdentity(ctx, Identity{Actor: actor})
}

// truncateUTF8 cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 { // continuation byte: back up to the rune's start
		i--
	}
	return s[:i]
}
