package rpc

import (
	"context"
	"time"
)

// BatchCall is one member of a Batch.
type BatchCall struct {
	Method string
	Params any
	// Result receives the member's result (a pointer; nil discards it).
	Result any
	// Notify sends the member as a notification: it gets no response.
	Notify bool
	// Err is set by Batch to the member's error (*Error), nil on success.
	Err error
}

// Batch sends calls as one JSON-RPC batch (one stream entry, one reply entry) and fills each
// member's Result or Err. The returned error is about the batch as a whole: transport
// failures, the deadline, or an error response to the whole batch. Batches are not retried.
func (c *Client) Batch(ctx context.Context, service string, calls []BatchCall, opts ...CallOption) error {
	o := options(opts)
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	start := time.Now()
	ids := make(map[string]int, len(calls))
	e := getEncoder()
	_ = e.enc.EncodeArrayLen(len(calls))
	for i := range calls {
		id := ""
		if !calls[i].Notify {
			id = c.newID()
			ids[id] = i
		}
		if err := encodeRequest(e, calls[i].Method, calls[i].Params, id); err != nil {
			encoders.Put(e)
			return Errorf(CodeInvalidParams, "batch member %d: %v", i, err)
		}
	}
	env := &envelope{body: e.finish()}
	if dl, ok := ctx.Deadline(); ok {
		env.deadline = c.clock.toRedis(dl)
	}
	env.tenant, _ = TenantFrom(ctx)
	if id, ok := IdentityFrom(ctx); ok {
		env.identity = id
	}
	injectTrace(ctx, env)
	defer func() {
		c.metrics.roundTrip.WithLabelValues(service, "rpc.batch").Observe(seconds(time.Since(start)))
	}()
	if len(ids) == 0 {
		return c.send(ctx, service, o.lane, env)
	}
	env.cid = c.newID()
	env.replyTo = c.replyKey
	ch := c.wait(env.cid)
	defer c.unwait(env.cid)
	body, err := c.roundTrip(ctx, service, o.lane, env, ch)
	if err != nil {
		return err
	}
	return fillBatch(body, calls, ids)
}

func fillBatch(body []byte, calls []BatchCall, ids map[string]int) error {
	resps, err := parseResponses(body)
	if err != nil {
		return Errorf(CodeInternal, "undecodable batch reply")
	}
	if len(resps) == 1 && resps[0].id == "" && resps[0].err != nil {
		return resps[0].err // the batch itself was rejected
	}
	for _, r := range resps {
		i, ok := ids[r.id]
		if !ok {
			continue
		}
		delete(ids, r.id)
		if r.err != nil {
			calls[i].Err = r.err
			continue
		}
		if err := decodeResult(r.result, calls[i].Result); err != nil {
			calls[i].Err = Errorf(CodeInternal, "%v", err)
		}
	}
	for _, i := range ids {
		calls[i].Err = Errorf(CodeInternal, "no response for batch member %d", i)
	}
	return nil
}
