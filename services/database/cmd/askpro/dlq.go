package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/askproai/backend/pkg/logging"
	"github.com/askproai/backend/pkg/rpc"
)

// services are the six services, in the order tables list them.
var services = []string{"gateway", "routing", "call", "booking", "database", "calcom"}

func (a *app) dlq(ctx context.Context, sub string, args []string) error {
	fs := newFlags("dlq " + sub)
	service := fs.String("service", "", "service whose dead letters to use")
	var ids multiFlag
	fs.Var(&ids, "id", "dead letter id (repeatable)")
	count := fs.Int64("count", 50, "list: at most this many")
	after := fs.String("after", "", "list: start after this id")
	all := fs.Bool("all", false, "replay/purge: every dead letter of the service")
	timeout := fs.Duration("timeout", 30*time.Second, "replay: the renewed deadline")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("dlq %s: %w", sub, err)
	}
	ids = append(ids, fs.Args()...)
	if *service == "" {
		return fmt.Errorf("dlq %s: --service is required (one of %s)", sub, strings.Join(services, ", "))
	}
	rdb, err := a.redis(ctx)
	if err != nil {
		return err
	}
	d := rpc.NewDeadLetters(rdb, a.cfg.Namespace, *service)
	switch sub {
	case "list":
		return a.dlqList(ctx, d, *service, *after, *count)
	case "show":
		if len(ids) == 0 {
			return fmt.Errorf("dlq show: --id is required")
		}
		return a.dlqShow(ctx, d, ids)
	case "replay":
		return a.dlqReplay(ctx, d, ids, *all, *timeout)
	case "purge":
		if len(ids) == 0 && !*all {
			return fmt.Errorf("dlq purge: give --id or --all")
		}
		n, err := d.Purge(ctx, ids...)
		if err != nil {
			return err
		}
		writef(a.out, "purged %d dead letter(s) of %s\n", n, *service)
		return nil
	}
	return fmt.Errorf("dlq: unknown subcommand %q (want list, show, replay or purge)", sub)
}

func (a *app) dlqList(ctx context.Context, d *rpc.DeadLetters, service, after string, count int64) error {
	n, err := d.Len(ctx)
	if err != nil {
		return err
	}
	list, err := d.List(ctx, after, count)
	if err != nil {
		return err
	}
	writef(a.out, "%d dead letter(s) of %s\n", n, service)
	if len(list) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "ID\tMOVED AT\tMETHOD\tREQUEST ID\tDELIVERIES\tSOURCE\tREASON")
	for _, dl := range list {
		writef(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", dl.ID, dl.MovedAt.UTC().Format(time.RFC3339),
			orDash(dl.Method), orDash(dl.RequestID), dl.Deliveries, dl.Source, dl.Reason)
	}
	return tw.Flush()
}

// dlqShow prints dead letters with their body decoded; phone numbers and e-mail addresses in
// it are masked (the body is a caller's data).
func (a *app) dlqShow(ctx context.Context, d *rpc.DeadLetters, ids []string) error {
	for _, id := range ids {
		dl, err := d.Get(ctx, id)
		if err != nil {
			return err
		}
		writef(a.out, "id:          %s\nmoved at:    %s\nreason:      %s\nsource:      %s (entry %s, group %s)\n",
			dl.ID, dl.MovedAt.UTC().Format(time.RFC3339), dl.Reason, dl.Source, dl.SourceID, dl.Group)
		writef(a.out, "deliveries:  %d\nmethod:      %s\nrequest id:  %s\n", dl.Deliveries, orDash(dl.Method), orDash(dl.RequestID))
		for _, k := range slices.Sorted(maps.Keys(dl.Fields)) {
			if k != "body" {
				writef(a.out, "field %-6s %s\n", k+":", dl.Fields[k])
			}
		}
		writef(a.out, "body:        %s\n\n", logging.MaskBytes([]byte(decodeBody(dl.Body))))
	}
	return nil
}

// decodeBody renders a MessagePack body as JSON, or as quoted bytes when it does not decode.
func decodeBody(body []byte) string {
	var v any
	if err := rpc.Unmarshal(body, &v); err != nil {
		return fmt.Sprintf("%q (not MessagePack: %v)", body, err)
	}
	raw, err := json.Marshal(jsonable(v))
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(raw)
}

// jsonable turns msgpack's map[any]any into map[string]any, recursively.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = jsonable(x)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = jsonable(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = jsonable(x)
		}
		return t
	case []byte:
		return string(t)
	}
	return v
}

func (a *app) dlqReplay(ctx context.Context, d *rpc.DeadLetters, ids []string, all bool, timeout time.Duration) error {
	if len(ids) == 0 {
		if !all {
			return fmt.Errorf("dlq replay: give --id or --all")
		}
		list, err := d.List(ctx, "", 10000)
		if err != nil {
			return err
		}
		for _, dl := range list {
			ids = append(ids, dl.ID)
		}
	}
	for _, id := range ids {
		newID, err := d.Replay(ctx, id, timeout)
		if err != nil {
			return err
		}
		writef(a.out, "replayed %s as %s\n", id, newID)
	}
	writef(a.out, "replayed %d dead letter(s)\n", len(ids))
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}
