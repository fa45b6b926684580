package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/rpc"
)

// streamRow is one consumer group on one stream.
type streamRow struct {
	Name, Stream, Group           string
	Length, Lag, Pending, Members int64
	Exists                        bool
}

func (a *app) streamsStatus(ctx context.Context, _ []string) error {
	rdb, err := a.redis(ctx)
	if err != nil {
		return err
	}
	ns := a.cfg.Namespace
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writef(a.out, "request streams (namespace %s; lag = entries not yet delivered to the group)\n", ns)
	writeln(tw, "SERVICE\tLANE\tLENGTH\tLAG\tPENDING\tCONSUMERS\tINSTANCES\t")
	for _, svc := range services {
		if svc == "gateway" {
			continue // the HTTP edge serves no methods on the bus
		}
		// Instances beat every second (proto-schemas/README.md); 10 s without one is gone.
		alive := strconv.FormatInt(time.Now().Add(-10*time.Second).UnixMilli(), 10)
		instances, err := rdb.ZCount(ctx, ns+":rpc:"+svc+":instances", alive, "+inf").Result()
		if err != nil {
			return fmt.Errorf("instances of %s: %w", svc, err)
		}
		for _, lane := range rpc.Lanes {
			rows, err := groupRows(ctx, rdb, rpc.RequestStream(ns, svc, lane), svc)
			if err != nil {
				return err
			}
			r := rows[0]
			if !r.Exists {
				writef(tw, "%s\t%s\t-\t-\t-\t-\t%d\t\n", svc, lane, instances)
				continue
			}
			writef(tw, "%s\t%s\t%d\t%s\t%d\t%d\t%d\t\n", svc, lane, r.Length, lagText(r.Lag), r.Pending, r.Members, instances)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	if err := a.eventStatus(ctx, rdb); err != nil {
		return err
	}
	writeln(a.out, "\ndead letters")
	tw = tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "SERVICE\tDEAD LETTERS\t")
	for _, svc := range services {
		n, err := rpc.NewDeadLetters(rdb, ns, svc).Len(ctx)
		if err != nil {
			return err
		}
		writef(tw, "%s\t%d\t\n", svc, n)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	a.breakerStatus(ctx)
	return nil
}

// eventStatus lists every event stream with each subscribing group.
func (a *app) eventStatus(ctx context.Context, rdb *redis.Client) error {
	prefix := rpc.EventStream(a.cfg.Namespace, "")
	var keys []string
	iter := rdb.Scan(ctx, 0, prefix+"*", 200).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("scan event streams: %w", err)
	}
	slices.Sort(keys)
	writeln(a.out, "\nevent streams")
	if len(keys) == 0 {
		writeln(a.out, "  none yet")
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "TOPIC\tGROUP\tLENGTH\tLAG\tPENDING\tCONSUMERS\t")
	for _, key := range keys {
		rows, err := groupRows(ctx, rdb, key, "")
		if err != nil {
			return err
		}
		topic := strings.TrimPrefix(key, prefix)
		for _, r := range rows {
			if r.Group == "" {
				writef(tw, "%s\t-\t%d\t-\t-\t-\t\n", topic, r.Length)
				continue
			}
			writef(tw, "%s\t%s\t%d\t%s\t%d\t%d\t\n", topic, r.Group, r.Length, lagText(r.Lag), r.Pending, r.Members)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// groupRows reads a stream's groups: only group when it is set, else all. A missing stream
// gives one row with Exists false.
func groupRows(ctx context.Context, rdb *redis.Client, stream, group string) ([]streamRow, error) {
	n, err := rdb.XLen(ctx, stream).Result()
	if err != nil {
		return nil, fmt.Errorf("length of %s: %w", stream, err)
	}
	groups, err := rdb.XInfoGroups(ctx, stream).Result()
	if err != nil && !isNoSuchKey(err) {
		return nil, fmt.Errorf("groups of %s: %w", stream, err)
	}
	var out []streamRow
	for _, g := range groups {
		if group == "" || g.Name == group {
			out = append(out, streamRow{Stream: stream, Group: g.Name, Length: n, Lag: g.Lag,
				Pending: g.Pending, Members: g.Consumers, Exists: true})
		}
	}
	if len(out) == 0 {
		out = append(out, streamRow{Stream: stream, Length: n, Lag: -1, Exists: n > 0 && group == ""})
	}
	return out, nil
}

func isNoSuchKey(err error) bool {
	return err != nil && (errors.Is(err, redis.Nil) || strings.Contains(err.Error(), "no such key"))
}

func lagText(lag int64) string {
	if lag < 0 {
		return "?"
	}
	return fmt.Sprint(lag)
}
