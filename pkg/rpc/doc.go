// Package rpc is the service bus of the AskProAI backend: JSON-RPC 2.0 over Redis Streams,
// MessagePack-encoded, that neither loses nor doubles work.
//
// # Model
//
// Each service consumes three request streams, one per Lane, with one consumer group named
// after the service and one consumer per instance (ServerConfig.Instance, the pod name). A
// request is one stream entry: the JSON-RPC object in MessagePack in the "body" field, and
// beside it the transport fields (envelope version, reply stream, absolute deadline, W3C
// traceparent, tenant, the caller's Identity, attempt). Replies go to the caller's own reply stream, read by one
// goroutine per Client that hands each reply to the waiting call. Keys:
//
//	<ns>:rpc:<service>:<lane>      requests (lane = high, normal, low)
//	<ns>:rpc:<service>:instances   live instances (heartbeat scores), for "no responders"
//	<ns>:reply:<instance>          replies to one client instance
//	<ns>:dlq:<service>             dead letters
//	<ns>:evt:<topic>               events
//
// The namespace <ns> is "askpro" unless configured. Every command touches one key, so the bus
// runs on Redis Cluster; it needs Redis 7.0 or later. proto-schemas/README.md describes the
// wire format for clients in other languages.
//
// # Guarantees
//
//   - At least once: an entry is acknowledged in the same pipeline that writes its reply. If a
//     consumer dies, its pending entries are claimed (XAUTOCLAIM) by a live instance once they
//     have been idle for ServerConfig.ClaimMinIdle, well within the caller's deadline; an
//     instance that restarts under the same name first handles its own pending entries.
//     Running handlers keep their entries from being claimed.
//   - Deadlines: the caller's deadline travels in the envelope; work whose deadline passed is
//     acknowledged and counted, never run. Handlers get it in their ctx.
//   - Exactly-once effect: a method registered with NonIdempotent stores its response under
//     the request id; duplicates (client retries, redeliveries, replays) get the stored
//     response, and concurrent duplicates never both run. The in-progress marker names the
//     stream entry that runs the request: when its consumer dies mid-handler, the instance
//     that claims that entry runs it (the caller gets an answer, not "in progress"). Should
//     the first consumer only have frozen for longer than ClaimMinIdle and then finish, both
//     runs happen; leases, not fences, guard this, so effects must still be safe to repeat at
//     their store (the booking service's exclusion constraint and Cal.com lookups are).
//   - Poison work: an entry that cannot be decoded goes to the dead-letter stream at once, one
//     delivered more than ServerConfig.MaxDeliveries times goes there too, and the consumer
//     keeps serving. DeadLetters lists, inspects, replays and purges them.
//   - Notifications: nobody waits for them, so nobody would send one again. A notification
//     (not in a batch) whose handler fails with a Retryable code stays pending and is
//     delivered again like an event; any other outcome acknowledges it.
//   - Retries: a failed event stays pending and is delivered again after ClaimMinIdle, then
//     after twice that, and so on up to RetryMaxDelay; after MaxDeliveries it is
//     dead-lettered. The failing instance keeps renewing the entry's lease for the pause, and
//     XAUTOCLAIM takes it once the renewals stop; if that instance dies meanwhile, another
//     claims the entry ClaimMinIdle after the last renewal. Nothing waits in memory alone.
//   - Every instance: SubscribeAll reads an event stream without a consumer group, so each
//     running instance sees each event (for caches); no group outlives its instance.
//   - Backpressure: a server reads only as many entries as it has free workers; high-lane
//     readers get free workers first, normal and low still get a share.
//   - Graceful drain: when Run's ctx ends the server stops reading, finishes and acknowledges
//     what it took, and returns.
//
// # Errors
//
// Handlers return *Error values with the codes in errors.go (one table for all services; the
// same table is in proto-schemas/README.md). Any other error becomes -32603 with a generic
// message, the detail going to the log; a panic is recovered the same way. On the calling
// side errors.Is(err, ErrNotFound) matches by code.
//
// # Observability
//
// Both sides create OpenTelemetry spans (the server's a child of the caller's, through the
// traceparent field) and Prometheus metrics named askpro_rpc_*: requests by method and code,
// round-trip, handling and queue-wait histograms, in-flight work, lag and pending per stream,
// claims, redeliveries, dead letters, expired work and orphan replies. Every server answers
// rpc.ping, rpc.info and rpc.discover (an OpenRPC 1.3 document generated from the Go types).
//
// Package rpctest starts servers and clients on a test's own Redis prefix.
package rpc
