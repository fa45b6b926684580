package rpc

import "context"

// DefaultNamespace prefixes every key when a config leaves Namespace empty.
const DefaultNamespace = "askpro"

// Lane is a request stream's priority class.
type Lane string

// The three lanes of a service. High is served first; normal and low still get a share of the
// workers when high is busy, so no lane starves.
const (
	LaneHigh   Lane = "high"
	LaneNormal Lane = "normal"
	LaneLow    Lane = "low"
)

// Lanes lists the lanes in priority order.
var Lanes = []Lane{LaneHigh, LaneNormal, LaneLow}

func (l Lane) class() int {
	switch l {
	case LaneHigh:
		return 0
	case LaneLow:
		return 2
	}
	return 1
}

func (l Lane) valid() bool { return l == LaneHigh || l == LaneNormal || l == LaneLow }

// Key layout. Every key is a single Redis key; no command touches two, so Redis Cluster works.
//
//	<ns>:rpc:<service>:<lane>      request stream of a lane (consumer group = service name)
//	<ns>:rpc:<service>:instances   sorted set: live instances, score = last heartbeat (unix ms)
//	<ns>:reply:<instance>          reply stream of one client instance
//	<ns>:dlq:<service>             dead-letter stream of a service
//	<ns>:evt:<topic>               event stream (one consumer group per subscribing service)
//	<ns>:idem:<service>:<id>       stored result (or in-progress marker) of a non-idempotent call

// RequestStream returns the request stream of service's lane.
func RequestStream(ns, service string, lane Lane) string {
	return ns + ":rpc:" + service + ":" + string(lane)
}

// ReplyStream returns the reply stream of a client instance.
func ReplyStream(ns, instance string) string { return ns + ":reply:" + instance }

// DeadLetterStream returns the dead-letter stream of service.
func DeadLetterStream(ns, service string) string { return ns + ":dlq:" + service }

// EventStream returns the stream of an event topic.
func EventStream(ns, topic string) string { return ns + ":evt:" + topic }

func instancesKey(ns, service string) string { return ns + ":rpc:" + service + ":instances" }

func idemKey(ns, service, id string) string { return ns + ":idem:" + service + ":" + id }

func namespaceOr(ns string) string {
	if ns == "" {
		return DefaultNamespace
	}
	return ns
}

type tenantKey struct{}

// WithTenant returns ctx carrying the acting tenant; Call puts it in the envelope and the
// server puts it back in the handler's ctx.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// TenantFrom returns the acting tenant in ctx.
func TenantFrom(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(tenantKey{}).(string)
	return t, ok && t != ""
}

type entryKey struct{}

// EntryID is the stream entry id of the request a handler runs, "" outside a handler. Every
// delivery of one entry has the same id (a claim after its consumer died included); a client's
// retry is a new entry. A handler that guards work with its own in-progress marker can put it
// in the marker, and take the marker over when it meets its own entry's (see booking's ledger).
func EntryID(ctx context.Context) string {
	id, _ := ctx.Value(entryKey{}).(string)
	return id
}

// WithEntryID returns ctx carrying entry as its EntryID: the server sets it for every handler;
// tests of handlers set it themselves.
func WithEntryID(ctx context.Context, entry string) context.Context {
	return context.WithValue(ctx, entryKey{}, entry)
}
