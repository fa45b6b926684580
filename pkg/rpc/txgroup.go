package rpc

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// keyedCmd is a stream write and the one key it touches.
type keyedCmd struct {
	key string
	cmd redis.Cmder
}

// queued is where the outcome of one queued command can be read after the pipeline ran.
type queued struct {
	cmd  redis.Cmder
	exec *redis.SliceCmd // the MULTI/EXEC the command ran in, or nil
	at   int             // its position in exec's reply
}

// queueByKey adds cmds to pipe, the commands of a key that occurs more than once wrapped in
// one MULTI/EXEC, in their order.
//
// Redis serves a client blocked on a stream (a server's XREADGROUP, a client's reply XREAD)
// right after each command that adds to it. A batch of entries XADDed one by one therefore
// reaches a blocked reader one entry at a time, and the rest a read later; inside a
// transaction the whole group is in the stream before the reader is served. Every
// transaction touches one key, so it runs on Redis Cluster too.
func queueByKey(ctx context.Context, pipe redis.Pipeliner, cmds []keyedCmd) []queued {
	out := make([]queued, len(cmds))
	count := make(map[string]int, 2)
	for _, c := range cmds {
		count[c.key]++
	}
	for i, c := range cmds {
		n := count[c.key]
		count[c.key] = 0 // the key's commands are queued below, all of them
		switch n {
		case 0:
			continue
		case 1:
			_ = pipe.Process(ctx, c.cmd)
			out[i] = queued{cmd: c.cmd}
			continue
		}
		_ = pipe.Process(ctx, redis.NewStatusCmd(ctx, "multi"))
		exec := redis.NewSliceCmd(ctx, "exec")
		at := 0
		for j := i; j < len(cmds); j++ {
			if cmds[j].key == c.key {
				_ = pipe.Process(ctx, cmds[j].cmd)
				out[j] = queued{cmd: cmds[j].cmd, exec: exec, at: at}
				at++
			}
		}
		_ = pipe.Process(ctx, exec)
	}
	return out
}

// firstFailure is the first error of qs other than a nil reply.
func firstFailure(qs []queued) error {
	for _, q := range qs {
		if err := q.err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

var errShortExec = errors.New("rpc: EXEC reply shorter than its transaction")

// err is the command's outcome: nil, redis.Nil for a nil reply (XADD NOMKSTREAM to a stream
// that is gone), or the error Redis or the connection gave.
func (q queued) err() error {
	if err := q.cmd.Err(); err != nil || q.exec == nil {
		return err // a plain command, or one Redis refused to queue
	}
	vals, err := q.exec.Result()
	switch {
	case err != nil:
		return err // EXECABORT, or the connection failed
	case q.at >= len(vals):
		return errShortExec
	}
	switch v := vals[q.at].(type) {
	case nil:
		return redis.Nil
	case error:
		return v
	}
	return nil
}
