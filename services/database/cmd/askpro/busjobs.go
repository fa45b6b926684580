package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/rpc"
)

// The bus's maintenance reports: dead letters (hourly; exit 3 above a threshold, so the
// CronJob fails and AskproMaintenanceDeadLetters fires), workers (daily) and queue depth
// (weekly). They read the same keys as `dlq` and `streams status`.

// liveFor is how recent an instance's heartbeat must be to count as live: servers beat every
// second (proto-schemas/README.md) and trim members older than 50 s.
const liveFor = 10 * time.Second

// DeadLetterCount is one service's line of the dead-letter check.
type DeadLetterCount struct {
	Service string     `json:"service"`
	Count   int64      `json:"count"`
	Oldest  *time.Time `json:"oldest_moved_at,omitempty"`
}

func (a *app) maintenanceDeadLetters(ctx context.Context, args []string) error {
	fs := newFlags("maintenance deadletters")
	threshold := fs.Int64("threshold", 0, "exit 3 when a service has more dead letters than this")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	if *threshold < 0 {
		return fmt.Errorf("maintenance deadletters: --threshold %d is negative", *threshold)
	}
	rdb, err := a.redis(ctx)
	if err != nil {
		return err
	}
	counts := make([]DeadLetterCount, 0, len(services))
	var over []string
	for _, svc := range services {
		c, err := deadLetterCount(ctx, rpc.NewDeadLetters(rdb, a.cfg.Namespace, svc), svc)
		if err != nil {
			return err
		}
		counts = append(counts, c)
		if c.Count > *threshold {
			over = append(over, fmt.Sprintf("%s=%d", svc, c.Count))
		}
	}
	if *asJSON {
		if err := a.printJSON(counts); err != nil {
			return err
		}
	} else if err := a.printDeadLetterCounts(counts); err != nil {
		return err
	}
	if len(over) > 0 {
		// One greppable line for whoever reads the job's log; the failed Job is the alert.
		writef(a.out, "ALERT dead letters above threshold %d: %s (askpro dlq list --service S)\n", *threshold, strings.Join(over, " "))
		return errFindings
	}
	writef(a.out, "OK no service has more than %d dead letter(s)\n", *threshold)
	return nil
}

func deadLetterCount(ctx context.Context, d *rpc.DeadLetters, svc string) (DeadLetterCount, error) {
	n, err := d.Len(ctx)
	if err != nil {
		return DeadLetterCount{}, fmt.Errorf("dead letters of %s: %w", svc, err)
	}
	c := DeadLetterCount{Service: svc, Count: n}
	if n > 0 {
		first, err := d.List(ctx, "", 1)
		if err != nil {
			return c, fmt.Errorf("dead letters of %s: %w", svc, err)
		}
		if len(first) == 1 {
			at := first[0].MovedAt.UTC()
			c.Oldest = &at
		}
	}
	return c, nil
}

func (a *app) printDeadLetterCounts(counts []DeadLetterCount) error {
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "SERVICE\tDEAD LETTERS\tOLDEST MOVED AT\t")
	for _, c := range counts {
		oldest := "-"
		if c.Oldest != nil {
			oldest = c.Oldest.Format(time.RFC3339)
		}
		writef(tw, "%s\t%d\t%s\t\n", c.Service, c.Count, oldest)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// WorkerHealth is one instance (or consumer) of a service in the health report.
type WorkerHealth struct {
	Service  string     `json:"service"`
	Instance string     `json:"instance"`
	LastBeat *time.Time `json:"last_heartbeat,omitempty"`
	// Status: "live" (beat within 10 s), "stale" (registered, but silent), "gone" (no heartbeat
	// left, yet still a consumer of the normal lane, usually with pending entries to be claimed).
	Status  string  `json:"status"`
	Silent  float64 `json:"silent_seconds,omitempty"`
	Pending int64   `json:"pending"` // its unacknowledged entries on the normal lane
}

// ServiceHealth is a service's summary line.
type ServiceHealth struct {
	Service string         `json:"service"`
	Live    int            `json:"live"`
	Workers []WorkerHealth `json:"workers"`
}

func (a *app) maintenanceHealth(ctx context.Context, args []string) error {
	fs := newFlags("maintenance health")
	requireLive := fs.Bool("require-live", false, "exit 3 when a service has no live instance")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	rdb, err := a.redis(ctx)
	if err != nil {
		return err
	}
	// Heartbeats are the servers' wall clock in Redis, so they are measured against Redis's
	// clock, not this machine's.
	now, err := rdb.Time(ctx).Result()
	if err != nil {
		return fmt.Errorf("redis time: %w", err)
	}
	report := make([]ServiceHealth, 0, len(services))
	var down []string
	for _, svc := range services {
		if svc == "gateway" {
			continue // the HTTP edge serves no methods on the bus
		}
		h, err := serviceHealth(ctx, rdb, a.cfg.Namespace, svc, now)
		if err != nil {
			return err
		}
		report = append(report, h)
		if h.Live == 0 {
			down = append(down, svc)
		}
	}
	if *asJSON {
		if err := a.printJSON(report); err != nil {
			return err
		}
	} else if err := a.printHealth(report, now); err != nil {
		return err
	}
	if len(down) > 0 {
		writef(a.out, "WARN no live instance: %s\n", strings.Join(down, " "))
		if *requireLive {
			return errFindings
		}
	}
	return nil
}

func serviceHealth(ctx context.Context, rdb *redis.Client, ns, svc string, now time.Time) (ServiceHealth, error) {
	h := ServiceHealth{Service: svc, Workers: []WorkerHealth{}}
	beats, err := rdb.ZRangeWithScores(ctx, ns+":rpc:"+svc+":instances", 0, -1).Result()
	if err != nil {
		return h, fmt.Errorf("instances of %s: %w", svc, err)
	}
	pending, err := consumerPending(ctx, rdb, rpc.RequestStream(ns, svc, rpc.LaneNormal), svc)
	if err != nil {
		return h, err
	}
	for _, z := range beats {
		name := fmt.Sprint(z.Member)
		at := time.UnixMilli(int64(z.Score)).UTC()
		w := WorkerHealth{Service: svc, Instance: name, LastBeat: &at, Status: "live", Pending: pending[name]}
		if silent := now.Sub(at); silent > liveFor {
			w.Status, w.Silent = "stale", silent.Seconds()
		} else {
			h.Live++
		}
		delete(pending, name)
		h.Workers = append(h.Workers, w)
	}
	for name, n := range pending {
		h.Workers = append(h.Workers, WorkerHealth{Service: svc, Instance: name, Status: "gone", Pending: n})
	}
	return h, nil
}

// consumerPending is each consumer's pending count in stream's group; none when either is missing.
func consumerPending(ctx context.Context, rdb *redis.Client, stream, group string) (map[string]int64, error) {
	out := map[string]int64{}
	consumers, err := rdb.XInfoConsumers(ctx, stream, group).Result()
	if err != nil {
		if isNoSuchKey(err) || strings.Contains(err.Error(), "NOGROUP") {
			return out, nil
		}
		return nil, fmt.Errorf("consumers of %s: %w", stream, err)
	}
	for _, c := range consumers {
		out[c.Name] = c.Pending
	}
	return out, nil
}

func (a *app) printHealth(report []ServiceHealth, now time.Time) error {
	writef(a.out, "workers at %s (live = heartbeat within %s)\n", now.UTC().Format(time.RFC3339), liveFor)
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "SERVICE\tINSTANCE\tSTATUS\tLAST HEARTBEAT\tSILENT\tPENDING\t")
	for _, h := range report {
		if len(h.Workers) == 0 {
			writef(tw, "%s\t-\tnone\t-\t-\t-\t\n", h.Service)
		}
		for _, w := range h.Workers {
			beat, silent := "-", "-"
			if w.LastBeat != nil {
				beat = w.LastBeat.Format(time.RFC3339)
			}
			if w.Silent > 0 {
				silent = (time.Duration(w.Silent) * time.Second).String()
			}
			writef(tw, "%s\t%s\t%s\t%s\t%s\t%d\t\n", h.Service, w.Instance, w.Status, beat, silent, w.Pending)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	for _, h := range report {
		writef(a.out, "%s: %d live\n", h.Service, h.Live)
	}
	return nil
}

// QueueDepth is one stream and consumer group of the queue report.
type QueueDepth struct {
	Kind      string `json:"kind"` // "request" or "event"
	Stream    string `json:"stream"`
	Service   string `json:"service,omitempty"`
	Lane      string `json:"lane,omitempty"`
	Topic     string `json:"topic,omitempty"`
	Group     string `json:"group,omitempty"`
	Length    int64  `json:"length"`
	Lag       int64  `json:"lag"` // -1: unknown (no group yet, or Redis cannot tell)
	Pending   int64  `json:"pending"`
	Consumers int64  `json:"consumers"`
}

func (a *app) maintenanceQueues(ctx context.Context, args []string) error {
	fs := newFlags("maintenance queues")
	maxLag := fs.Int64("max-lag", 0, "exit 3 when a group's lag is above this (0: report only)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	rdb, err := a.redis(ctx)
	if err != nil {
		return err
	}
	queues, err := queueDepths(ctx, rdb, a.cfg.Namespace)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := a.printJSON(queues); err != nil {
			return err
		}
	} else if err := a.printQueues(queues); err != nil {
		return err
	}
	if *maxLag > 0 {
		for _, q := range queues {
			if q.Lag > *maxLag {
				writef(a.out, "ALERT lag above %d: %s group %s has %d\n", *maxLag, q.Stream, q.Group, q.Lag)
				return errFindings
			}
		}
	}
	return nil
}

func queueDepths(ctx context.Context, rdb *redis.Client, ns string) ([]QueueDepth, error) {
	out := []QueueDepth{}
	for _, svc := range services {
		if svc == "gateway" {
			continue
		}
		for _, lane := range rpc.Lanes {
			rows, err := groupRows(ctx, rdb, rpc.RequestStream(ns, svc, lane), svc)
			if err != nil {
				return nil, err
			}
			r := rows[0]
			out = append(out, QueueDepth{Kind: "request", Stream: r.Stream, Service: svc, Lane: string(lane),
				Group: r.Group, Length: r.Length, Lag: r.Lag, Pending: r.Pending, Consumers: r.Members})
		}
	}
	prefix := rpc.EventStream(ns, "")
	iter := rdb.Scan(ctx, 0, prefix+"*", 200).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("scan event streams: %w", err)
	}
	slices.Sort(keys)
	for _, key := range keys {
		rows, err := groupRows(ctx, rdb, key, "")
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, QueueDepth{Kind: "event", Stream: key, Topic: strings.TrimPrefix(key, prefix),
				Group: r.Group, Length: r.Length, Lag: r.Lag, Pending: r.Pending, Consumers: r.Members})
		}
	}
	return out, nil
}

func (a *app) printQueues(queues []QueueDepth) error {
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "KIND\tSTREAM\tGROUP\tLENGTH\tLAG\tPENDING\tCONSUMERS\t")
	var length, lag, pending int64
	for _, q := range queues {
		name := q.Service + " " + q.Lane
		if q.Kind == "event" {
			name = q.Topic
		}
		writef(tw, "%s\t%s\t%s\t%d\t%s\t%d\t%d\t\n", q.Kind, name, orDash(q.Group), q.Length, lagText(q.Lag), q.Pending, q.Consumers)
		length, pending = length+q.Length, pending+q.Pending
		if q.Lag > 0 {
			lag += q.Lag
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	writef(a.out, "total: %d stream(s)/group(s), length %d, lag %d, pending %d\n", len(queues), length, lag, pending)
	return nil
}
