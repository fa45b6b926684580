package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/logging"
)

const fnPending = "pending"

// fnCached makes a function call idempotent on (call id, function, arguments): Retell's
// max_retry and an LLM that repeats itself both resend the same call, and the caller must
// hear the same answer without a second booking. The first delivery marks the key pending
// and computes; a concurrent duplicate waits for the stored answer. Transient failures are not
// stored, so a retry computes again.
func (s *Server) fnCached(ctx context.Context, name string, req functionRequest, body []byte, compute func(context.Context) FunctionResult) FunctionResult {
	if req.Call.CallID == "" {
		return compute(ctx)
	}
	key := s.fnKey(name, req)
	log := logging.FromContext(ctx)
	acquired, err := s.rdb.SetNX(ctx, key, fnPending, s.opt.FunctionTimeout+5*time.Second).Result()
	if err != nil {
		// Without Redis there is no idempotency; the booking service's own idempotency key
		// still keeps a repeated booking single.
		log.Warn().Err(err).Msg("function_idempotency_unavailable")
		return compute(ctx)
	}
	if !acquired {
		if res, ok := s.fnWait(ctx, key); ok {
			return res
		}
		return FunctionResult{Message: sayUnavailable, Error: "unavailable"}
	}
	res := compute(ctx)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if res.transient {
		s.rdb.Del(wctx, key)
		return res
	}
	if b, err := json.Marshal(res); err == nil {
		s.rdb.Set(wctx, key, b, s.opt.FunctionResultTTL)
	}
	return res
}

func (s *Server) fnWait(ctx context.Context, key string) (FunctionResult, bool) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		v, err := s.rdb.Get(ctx, key).Result()
		switch {
		case errors.Is(err, redis.Nil):
			return FunctionResult{}, false // the first attempt failed transiently
		case err != nil:
			return FunctionResult{}, false
		case v != fnPending:
			var res FunctionResult
			if json.Unmarshal([]byte(v), &res) == nil {
				return res, true
			}
			return FunctionResult{}, false
		}
		select {
		case <-ctx.Done():
			return FunctionResult{}, false
		case <-tick.C:
		}
	}
}

// fnKey digests call id, function and arguments. json.Marshal sorts map keys, so the same
// arguments in another order give the same key.
func (s *Server) fnKey(name string, req functionRequest) string {
	args, _ := json.Marshal(flattenArgs(req.Args))
	h := sha256.New()
	h.Write([]byte(req.Call.CallID))
	h.Write([]byte{0})
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(args)
	return s.opt.Namespace + ":gateway:fn:" + hex.EncodeToString(h.Sum(nil))
}

// idempotencyKey is the key booking.create gets for this function call.
func (c *fnCall) idempotencyKey() string {
	args, _ := json.Marshal(c.args)
	h := sha256.Sum256(append([]byte(c.req.Call.CallID+"\x00"+c.name+"\x00"), args...))
	return "retell:" + hex.EncodeToString(h[:16])
}
