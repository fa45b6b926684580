package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/askproai/backend/pkg/tlsconf"
)

// The scheduled maintenance jobs (issue 19; deploy/k8s/base/maintenance.yaml runs each as a
// CronJob). vacuum and reindex work table by table on a connection of their own, outside any
// transaction, because VACUUM and REINDEX … CONCURRENTLY refuse to run inside one.

const (
	// sqlMaintainedTables is every table of the schema that VACUUM can take, partitioned parents
	// instead of their partitions (VACUUM of a parent covers its partitions).
	sqlMaintainedTables = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
ORDER BY c.relname`
	sqlTableExists = `SELECT to_regclass($1) IS NOT NULL`
	sqlTableSize   = `SELECT coalesce(sum(pg_total_relation_size(r)), 0)::bigint
FROM (SELECT $1::regclass AS r UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass) t`
	// sqlInvalidIndexes finds what a failed REINDEX CONCURRENTLY leaves behind (…_ccnew, …_ccold).
	sqlInvalidIndexes = `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT i.indisvalid ORDER BY 1`
	sqlNoStatementTimeout = `SET statement_timeout = 0`
)

// largeTables are the tables that grow with traffic: the monthly reindex rebuilds their indexes.
var largeTables = []string{"calls", "call_keys", "appointments", "customers", "audit_log", "outbox", "processed_webhooks"}

// tableRun is one table's line of the vacuum and reindex reports.
type tableRun struct {
	Table   string  `json:"table"`
	Seconds float64 `json:"seconds"`
	Bytes   int64   `json:"bytes"` // table, indexes and TOAST, partitions included, afterwards
}

func (a *app) maintenance(ctx context.Context, sub string, args []string) error {
	switch sub {
	case "vacuum":
		return a.maintenanceVacuum(ctx, args)
	case "reindex":
		return a.maintenanceReindex(ctx, args)
	case "rotate":
		return a.maintenanceRotate(ctx, args)
	case "deadletters":
		return a.maintenanceDeadLetters(ctx, args)
	case "health":
		return a.maintenanceHealth(ctx, args)
	case "queues":
		return a.maintenanceQueues(ctx, args)
	}
	return fmt.Errorf("maintenance: unknown job %q (want vacuum, reindex, rotate, deadletters, health or queues)", sub)
}

// pgConn is a plain connection to DATABASE_URL, without the store's pool or transactions.
func (a *app) pgConn(ctx context.Context) (*pgx.Conn, error) {
	if a.pg != nil {
		return a.pg, nil
	}
	if err := a.needDatabase(); err != nil {
		return nil, err
	}
	cfg, err := tlsconf.PostgresConnConfig(a.cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to DATABASE_URL: %w", tlsconf.ExplainPostgres(err))
	}
	// A job's statement may take longer than the services' timeout in the URL.
	if _, err := conn.Exec(ctx, sqlNoStatementTimeout); err != nil {
		_ = conn.Close(ctx)
		return nil, fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	a.pg = conn
	return conn, nil
}

func (a *app) maintenanceVacuum(ctx context.Context, args []string) error {
	fs := newFlags("maintenance vacuum")
	var tables multiFlag
	fs.Var(&tables, "table", "only this table (repeatable; default: every table)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	conn, err := a.pgConn(ctx)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		if tables, err = maintainedTables(ctx, conn); err != nil {
			return err
		}
	}
	runs, err := eachTable(ctx, conn, tables, "VACUUM (ANALYZE) ")
	if err != nil {
		return fmt.Errorf("maintenance vacuum: %w", err)
	}
	return a.printTableRuns("vacuum analyze", runs, *asJSON)
}

func (a *app) maintenanceReindex(ctx context.Context, args []string) error {
	fs := newFlags("maintenance reindex")
	var tables multiFlag
	fs.Var(&tables, "table", "only this table (repeatable; default: the large tables)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	conn, err := a.pgConn(ctx)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		tables = largeTables
	}
	runs, err := eachTable(ctx, conn, tables, "REINDEX TABLE CONCURRENTLY ")
	if err != nil {
		return fmt.Errorf("maintenance reindex: %w", err)
	}
	if err := a.printTableRuns("reindex concurrently", runs, *asJSON); err != nil {
		return err
	}
	// A REINDEX CONCURRENTLY that was interrupted (here or before) leaves an invalid index
	// that slows writes and is never used: name it, so the operator drops it.
	invalid, err := queryStrings(ctx, conn, sqlInvalidIndexes)
	if err != nil {
		return fmt.Errorf("maintenance reindex: %w", err)
	}
	if len(invalid) > 0 {
		return fmt.Errorf("maintenance reindex: invalid indexes left by an interrupted reindex: %v (DROP INDEX CONCURRENTLY each)", invalid)
	}
	return nil
}

func maintainedTables(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	tables, err := queryStrings(ctx, conn, sqlMaintainedTables)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return tables, nil
}

// eachTable checks that every table exists (so a typo changes nothing), then runs command
// followed by the quoted table name on each, one statement at a time.
func eachTable(ctx context.Context, conn *pgx.Conn, tables []string, command string) ([]tableRun, error) {
	for _, t := range tables {
		var ok bool
		if err := conn.QueryRow(ctx, sqlTableExists, pgx.Identifier{t}.Sanitize()).Scan(&ok); err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
		if !ok {
			return nil, fmt.Errorf("no table %q", t)
		}
	}
	runs := make([]tableRun, 0, len(tables))
	for _, t := range tables {
		name := pgx.Identifier{t}.Sanitize()
		started := time.Now()
		if _, err := conn.Exec(ctx, command+name); err != nil {
			return runs, fmt.Errorf("%s%s: %w", command, name, err)
		}
		r := tableRun{Table: t, Seconds: time.Since(started).Seconds()}
		if err := conn.QueryRow(ctx, sqlTableSize, name).Scan(&r.Bytes); err != nil {
			return runs, fmt.Errorf("size of %s: %w", t, err)
		}
		runs = append(runs, r)
	}
	return runs, nil
}

func (a *app) printTableRuns(what string, runs []tableRun, asJSON bool) error {
	if asJSON {
		return a.printJSON(runs)
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "TABLE\tSECONDS\tSIZE\t")
	for _, r := range runs {
		writef(tw, "%s\t%.2f\t%s\t\n", r.Table, r.Seconds, humanBytes(r.Bytes))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	writef(a.out, "%s: %d table(s)\n", what, len(runs))
	return nil
}

func (a *app) printJSON(v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	writeln(a.out, string(raw))
	return nil
}

func parseJobFlags(fs interface {
	Parse([]string) error
	NArg() int
	Arg(int) string
	Name() string
}, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

func queryStrings(ctx context.Context, conn *pgx.Conn, sql string, args ...any) ([]string, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
