package rpc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
)

func xadd(ctx context.Context, key string, extra ...any) keyedCmd {
	args := append([]any{"xadd", key}, extra...)
	args = append(args, "*", "f", "v")
	return keyedCmd{key: key, cmd: redis.NewStringCmd(ctx, args...)}
}

func TestQueueByKeyHandsABlockedReaderTheWholeGroup(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	ctx := t.Context()
	stream, other := env.Prefix+"s", env.Prefix+"o"
	require.NoError(t, env.Client.XAdd(ctx, &redis.XAddArgs{Stream: stream, ID: "1-1", Values: []any{"f", "v"}}).Err())

	opts := *env.Client.Options()
	opts.ClientName = "txgroup-" + testenv.RandomSuffix()
	reader := redis.NewClient(&opts)
	defer reader.Close()
	got := make(chan []redis.XMessage, 1)
	go func() {
		res, err := reader.XRead(context.Background(), &redis.XReadArgs{Streams: []string{stream, "1-1"}, Count: 100, Block: 5 * time.Second}).Result()
		if err != nil || len(res) == 0 {
			got <- nil
			return
		}
		got <- res[0].Messages
	}()
	testenv.Eventually(t, 30*time.Second, func() bool {
		list, _ := env.Client.ClientList(ctx).Result()
		for _, line := range strings.Split(list, "\n") {
			if strings.Contains(line, "name="+opts.ClientName+" ") && strings.Contains(line, "cmd=xread") {
				return true
			}
		}
		return false
	}, "the reader blocks on the stream")

	pipe := env.Client.Pipeline()
	q := queueByKey(ctx, pipe, []keyedCmd{xadd(ctx, stream), xadd(ctx, other), xadd(ctx, stream), xadd(ctx, stream)})
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)
	for i := range q {
		require.NoError(t, q[i].err(), "command %d", i)
	}
	assert.Nil(t, q[1].exec, "a key written once needs no transaction")
	assert.Len(t, <-got, 3, "one read gets the whole group, not its first entry")
}

func TestQueueByKeyReportsEachCommandsOutcome(t *testing.T) {
	t.Parallel()
	env := testenv.Redis(t)
	ctx := t.Context()
	wrong, gone, ok := env.Prefix+"string", env.Prefix+"gone", env.Prefix+"ok"
	require.NoError(t, env.Client.Set(ctx, wrong, "x", time.Minute).Err())

	pipe := env.Client.Pipeline()
	q := queueByKey(ctx, pipe, []keyedCmd{
		xadd(ctx, wrong), xadd(ctx, gone, "nomkstream"), xadd(ctx, ok),
		xadd(ctx, wrong), xadd(ctx, gone, "nomkstream"), xadd(ctx, ok),
		xadd(ctx, env.Prefix+"single", "nomkstream"),
	})
	_, _ = pipe.Exec(ctx)

	for _, i := range []int{0, 3} {
		require.Error(t, q[i].err())
		assert.Contains(t, q[i].err().Error(), "WRONGTYPE", "command %d fails alone", i)
	}
	for _, i := range []int{1, 4, 6} {
		assert.ErrorIs(t, q[i].err(), redis.Nil, "command %d: NOMKSTREAM to a missing stream", i)
	}
	for _, i := range []int{2, 5} {
		assert.NoError(t, q[i].err(), "command %d", i)
	}
	require.Error(t, firstFailure(q))
	assert.Contains(t, firstFailure(q).Error(), "WRONGTYPE")
	assert.NoError(t, firstFailure(q[1:3]), "nil replies are no failure")
	n, err := env.Client.XLen(ctx, ok).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "the other keys' writes happened")
}
