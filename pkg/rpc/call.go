package rpc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// CallOption changes one call.
type CallOption func(*callOptions)

type callOptions struct {
	lane    Lane
	retries int
}

// WithLane sends the request on lane l (default normal).
func WithLane(l Lane) CallOption { return func(o *callOptions) { o.lane = l } }

// WithRetries lets Call send a request again, up to n times, when it fails with a retryable
// code (see Retryable): with exponential backoff and full jitter, only while the deadline
// allows, and with the same id, so a non-idempotent method still runs once.
func WithRetries(n int) CallOption { return func(o *callOptions) { o.retries = n } }

func options(opts []CallOption) callOptions {
	o := callOptions{lane: LaneNormal}
	for _, f := range opts {
		f(&o)
	}
	if !o.lane.valid() {
		o.lane = LaneNormal
	}
	return o
}

// errClosed is returned by calls on, or waiting in, a closed client.
var errClosed = errors.New("rpc client closed")

const (
	backoffBase = 20 * time.Millisecond
	backoffCap  = 2 * time.Second
)

// Call sends method with params to service and decodes the result into result (a pointer, or
// nil to discard it). Without a deadline in ctx the call gets ClientConfig.DefaultTimeout.
// A remote error is returned as *Error; a passed deadline as an error matching both
// ErrDeadlineExceeded and context.DeadlineExceeded.
func (c *Client) Call(ctx context.Context, service, method string, params, result any, opts ...CallOption) (err error) {
	o := options(opts)
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	ctx, span := startClientSpan(ctx, service, method)
	start := time.Now()
	defer func() {
		c.observe(service, method, CodeOf(err), time.Since(start))
		var rerr *Error
		errors.As(err, &rerr)
		endSpan(span, rerr)
	}()
	id := c.newID()
	env, err := c.envelope(ctx, method, params, id, true)
	if err != nil {
		return err
	}
	ch := c.wait(id)
	defer c.unwait(id)
	for attempt := 0; ; attempt++ {
		env.attempt = attempt
		body, err := c.roundTrip(ctx, service, o.lane, env, ch)
		if err == nil {
			err = decodeSingle(body, result)
		}
		if err == nil {
			return nil
		}
		var rerr *Error
		if !errors.As(err, &rerr) || !Retryable(rerr.Code) || attempt >= o.retries || !backoff(ctx, attempt) {
			return err
		}
		c.metrics.retries.WithLabelValues(service, method).Inc()
		c.forget(service, rerr.Code)
	}
}

// roundTrip sends env once and waits for its reply body.
func (c *Client) roundTrip(ctx context.Context, service string, lane Lane, env *envelope, ch chan []byte) ([]byte, error) {
	if !c.isLive(ctx, service) {
		return nil, Errorf(CodeNoResponders, "no live instance of %s", service)
	}
	req, err := c.enqueue(service, lane, env, false)
	if err != nil {
		return nil, err
	}
	select {
	case body := <-ch:
		return body, nil
	case err := <-req.done:
		return nil, err
	case <-ctx.Done():
		return nil, ctxError(ctx)
	case <-c.stopped:
		return nil, errClosed
	}
}

func decodeSingle(body []byte, result any) error {
	resps, err := parseResponses(body)
	if err != nil || len(resps) != 1 {
		return Errorf(CodeInternal, "undecodable reply")
	}
	if resps[0].err != nil {
		return resps[0].err
	}
	if err := decodeResult(resps[0].result, result); err != nil {
		return Errorf(CodeInternal, "%v", err)
	}
	return nil
}

// backoff waits a full-jitter exponential pause before retry attempt+1; false when the
// deadline would pass first.
func backoff(ctx context.Context, attempt int) bool {
	ceil := min(backoffCap, backoffBase<<min(attempt, 10))
	d := rand.N(ceil) + time.Millisecond
	if dl, ok := ctx.Deadline(); ok && time.Now().Add(d).After(dl) {
		return false
	}
	pause(ctx, d)
	return ctx.Err() == nil
}

func ctxError(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrDeadlineExceeded, context.DeadlineExceeded)
	}
	return fmt.Errorf("rpc call: %w", ctx.Err())
}

func (c *Client) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.cfg.DefaultTimeout)
}

// envelope encodes the body and fills the transport fields from ctx.
func (c *Client) envelope(ctx context.Context, method string, params any, id string, reply bool) (*envelope, error) {
	e := getEncoder()
	if err := encodeRequest(e, method, params, id); err != nil {
		encoders.Put(e)
		return nil, Errorf(CodeInvalidParams, "%v", err)
	}
	env := &envelope{body: e.finish()}
	if reply {
		env.replyTo, env.cid = c.replyKey, id
	}
	if dl, ok := ctx.Deadline(); ok {
		env.deadline = c.clock.toRedis(dl)
	}
	env.tenant, _ = TenantFrom(ctx)
	if id, ok := IdentityFrom(ctx); ok {
		env.identity = id
	}
	injectTrace(ctx, env)
	return env, nil
}

func (c *Client) send(ctx context.Context, service string, lane Lane, env *envelope) error {
	req, err := c.enqueue(service, lane, env, true)
	if err != nil {
		return err
	}
	select {
	case err = <-req.done:
		return err
	case <-ctx.Done():
		return ctxError(ctx)
	}
}

// enqueue hands a request entry to the sender. With wait false only a failure is signalled
// on done, so a caller that waits for the reply anyway wakes up once, not twice.
func (c *Client) enqueue(service string, lane Lane, env *envelope, wait bool) (*sendReq, error) {
	if c.closed.Load() {
		return nil, errClosed
	}
	key := RequestStream(c.cfg.Namespace, service, lane)
	req := &sendReq{
		key:     key,
		cmd:     redis.NewCmd(context.Background(), env.xadd(key)...),
		done:    make(chan error, 1),
		service: service,
		wait:    wait,
	}
	c.sender.submit(req)
	return req, nil
}

// sendReq is one XADD waiting for the sender's next pipeline.
type sendReq struct {
	key     string // the request stream
	cmd     *redis.Cmd
	done    chan error
	service string
	wait    bool
}

func (r *sendReq) finish(err error) {
	if err != nil {
		r.done <- Errorf(CodeUpstreamUnavailable, "send to %s: %v", r.service, err)
	} else if r.wait {
		r.done <- nil
	}
}

// flushSends writes concurrent requests in one pipeline, those to one stream in one
// transaction (see queueByKey). It runs without the callers' contexts: a caller that gives up
// does not fail the others' writes.
func (c *Client) flushSends(batch []*sendReq) {
	ctx := context.Background()
	if len(batch) == 1 {
		_ = c.rdb.Process(ctx, batch[0].cmd)
		batch[0].finish(batch[0].cmd.Err())
		return
	}
	cmds := make([]keyedCmd, len(batch))
	for i, r := range batch {
		cmds[i] = keyedCmd{key: r.key, cmd: r.cmd}
	}
	pipe := c.rdb.Pipeline()
	results := queueByKey(ctx, pipe, cmds)
	_, _ = pipe.Exec(ctx)
	for i, r := range batch {
		r.finish(results[i].err())
	}
}

// isLive reports whether service has an instance that beat recently. A positive answer is
// cached for LiveCacheTTL, so the hot path costs no extra round trip.
func (c *Client) isLive(ctx context.Context, service string) bool {
	now := time.Now()
	c.liveMu.Lock()
	until, ok := c.live[service]
	c.liveMu.Unlock()
	if ok && now.Before(until) {
		return true
	}
	minScore := strconv.FormatInt(now.Add(-liveWindow).UnixMilli(), 10)
	n, err := c.rdb.ZCount(ctx, instancesKey(c.cfg.Namespace, service), minScore, "+inf").Result()
	if err != nil {
		return true // unknown: let the call try and time out rather than fail on a hiccup
	}
	if n == 0 {
		return false
	}
	c.liveMu.Lock()
	c.live[service] = now.Add(c.cfg.LiveCacheTTL)
	c.liveMu.Unlock()
	return true
}

// forget drops the cached liveness of service after a no-responders answer, so a retry looks
// again.
func (c *Client) forget(service string, code int) {
	if code != CodeNoResponders {
		return
	}
	c.liveMu.Lock()
	delete(c.live, service)
	c.liveMu.Unlock()
}

// Notify sends a notification: no reply, no id, no retry. It is not checked against live
// instances: the entry waits in the stream until a consumer takes it or its deadline passes.
func (c *Client) Notify(ctx context.Context, service, method string, params any, opts ...CallOption) error {
	o := options(opts)
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	env, err := c.envelope(ctx, method, params, "", false)
	if err != nil {
		return err
	}
	return c.send(ctx, service, o.lane, env)
}

// Publish appends an event to the topic's stream as a JSON-RPC notification whose method is
// the topic. Entries older than EventRetention are trimmed on the way (MINID ~).
func (c *Client) Publish(ctx context.Context, topic string, payload any) error {
	env, err := c.envelope(ctx, topic, payload, "", false)
	if err != nil {
		return err
	}
	env.deadline = time.Time{} // events have no deadline
	minID := strconv.FormatInt(time.Now().Add(-c.cfg.EventRetention).UnixMilli(), 10)
	err = c.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: EventStream(c.cfg.Namespace, topic), MinID: minID, Approx: true, Values: env.values(),
	}).Err()
	if err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	c.metrics.published.WithLabelValues(topic).Inc()
	return nil
}

// CallAs calls method on service and returns the decoded result. The acting tenant is the one
// already in ctx; only when there is none does tenant (the params' company) become it, so a
// mismatch between who acts and what is asked for still reaches the server and is refused.
// The typed clients in pkg/api are one line of it per method.
func CallAs[R any](ctx context.Context, c *Client, service, method, tenant string, params any, opts ...CallOption) (R, error) {
	var r R
	if _, ok := TenantFrom(ctx); !ok && tenant != "" {
		ctx = WithTenant(ctx, tenant)
	}
	err := c.Call(ctx, service, method, params, &r, opts...)
	return r, err
}
