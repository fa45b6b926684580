package main

import (
	"context"
	"fmt"
	"regexp"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
)

// Partition rotation of calls (migrations/00005 and 00016): monthly partitions are created
// ahead of time, each tenant's calls older than its call_retention_days are deleted in batches,
// and past monthly partitions that retention has emptied are dropped.

const (
	// lockMaintenance is the database service's maintenance lock (internal/database/relay.go):
	// the service's own partition round and this job never create the same partition at once.
	lockMaintenance int64 = 0x61736b70_00000002

	sqlLockTimeout        = `SET lock_timeout = '2min'`
	sqlNoLockTimeout      = `SET lock_timeout = 0`
	sqlAdvisoryLock       = `SELECT pg_advisory_lock($1)`
	sqlAdvisoryUnlock     = `SELECT pg_advisory_unlock($1)`
	sqlEnsurePartitionsAt = `SELECT ensure_call_partitions_at($1, $2)`
	sqlCallPartitions     = `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'calls'::regclass ORDER BY 1`
	sqlRetentionTenants = `SELECT id, name, call_retention_days FROM companies
WHERE call_retention_days IS NOT NULL ORDER BY name, id`
	sqlCountExpired = `SELECT count(*) FROM call_keys WHERE company_id = $1 AND started_at < $2`
	// One batch: the oldest expired calls of the tenant, locked so a concurrent writer of the
	// same call waits (or is skipped past) instead of deadlocking with us.
	sqlExpiredBatch = `SELECT id FROM call_keys WHERE company_id = $1 AND started_at < $2
ORDER BY started_at LIMIT $3 FOR UPDATE SKIP LOCKED`
	// The appointment stays (it is the business's record); only its link to the call goes.
	sqlUnlinkAppointments = `UPDATE appointments SET call_id = NULL, updated_at = now()
WHERE company_id = $1 AND call_id = ANY($2)`
	// Deleting call_keys cascades to the calls rows, in whichever partition they are.
	sqlDeleteCallKeys = `DELETE FROM call_keys WHERE company_id = $1 AND id = ANY($2)`
	sqlAuditRetention = `INSERT INTO audit_log (company_id, actor, action, entity, entity_id, data)
VALUES ($1::uuid, $2, 'calls.retention_deleted', 'company', $1::text, jsonb_build_object('deleted', $3::int, 'started_before', $4::timestamptz))`
	sqlPartitionLockTimeout = `SET LOCAL lock_timeout = '10s'`
	// sqlExpiredCall holds for a call row p that retention deletes at $1.
	sqlExpiredCall = `SELECT 1 FROM companies co WHERE co.id = p.company_id AND co.call_retention_days IS NOT NULL
AND p.started_at < $1::timestamptz - make_interval(days => co.call_retention_days)`
)

// monthlyPartition matches the names ensure_call_partitions gives.
var monthlyPartition = regexp.MustCompile(`^calls_y(\d{4})m(\d{2})$`)

// RotateReport is what `maintenance rotate` did (or, with --dry-run, would do).
type RotateReport struct {
	Now        time.Time         `json:"now"`
	DryRun     bool              `json:"dry_run"`
	Created    int               `json:"partitions_created"`
	ReadyUntil string            `json:"ready_until"` // the last month with a partition, YYYY-MM
	Tenants    []RetentionResult `json:"tenants"`
	Dropped    []string          `json:"partitions_dropped"`
}

// RetentionResult is one tenant's retention run.
type RetentionResult struct {
	CompanyID     string    `json:"company_id"`
	Company       string    `json:"company"`
	RetentionDays int       `json:"retention_days"`
	StartedBefore time.Time `json:"started_before"`
	Deleted       int       `json:"deleted"` // with --dry-run: would be deleted
}

func (a *app) maintenanceRotate(ctx context.Context, args []string) error {
	fs := newFlags("maintenance rotate")
	ahead := fs.Int("months-ahead", 3, "create the monthly calls partitions this many months ahead")
	batch := fs.Int("batch", 1000, "delete expired calls in batches of this many, one transaction each")
	dryRun := fs.Bool("dry-run", false, "count what would be created, deleted and dropped; change nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseJobFlags(fs, args); err != nil {
		return err
	}
	if *ahead < 0 || *ahead > 24 {
		return fmt.Errorf("maintenance rotate: --months-ahead %d is not between 0 and 24", *ahead)
	}
	if *batch < 1 {
		return fmt.Errorf("maintenance rotate: --batch %d is not positive", *batch)
	}
	conn, err := a.pgConn(ctx)
	if err != nil {
		return err
	}
	unlock, err := advisoryLock(ctx, conn)
	if err != nil {
		return err
	}
	defer unlock()
	rep := RotateReport{Now: a.now().UTC(), DryRun: *dryRun}
	if err := rotate(ctx, conn, &rep, *ahead, *batch, "cli:"+a.cfg.Actor); err != nil {
		return fmt.Errorf("maintenance rotate: %w", err)
	}
	if *asJSON {
		return a.printJSON(rep)
	}
	return a.printRotate(rep)
}

func rotate(ctx context.Context, conn *pgx.Conn, rep *RotateReport, ahead, batch int, actor string) error {
	if !rep.DryRun {
		if err := conn.QueryRow(ctx, sqlEnsurePartitionsAt, rep.Now, ahead).Scan(&rep.Created); err != nil {
			return fmt.Errorf("create partitions: %w", err)
		}
	}
	if err := applyRetention(ctx, conn, rep, batch, actor); err != nil {
		return err
	}
	parts, err := queryStrings(ctx, conn, sqlCallPartitions)
	if err != nil {
		return fmt.Errorf("list partitions: %w", err)
	}
	thisMonth := time.Date(rep.Now.Year(), rep.Now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, p := range parts {
		month, ok := partitionMonth(p)
		if !ok {
			continue // calls_default
		}
		if !month.Before(thisMonth) {
			rep.ReadyUntil = month.Format("2006-01")
			continue
		}
		dropped, err := dropIfEmpty(ctx, conn, p, rep.Now, rep.DryRun)
		if err != nil {
			return err
		}
		if dropped {
			rep.Dropped = append(rep.Dropped, p)
		}
	}
	if rep.DryRun {
		rep.ReadyUntil = "" // what exists now is not what a run would leave
	}
	return nil
}

func partitionMonth(name string) (time.Time, bool) {
	m := monthlyPartition.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01", m[1]+"-"+m[2])
	return t, err == nil
}

func applyRetention(ctx context.Context, conn *pgx.Conn, rep *RotateReport, batch int, actor string) error {
	rows, err := conn.Query(ctx, sqlRetentionTenants)
	if err != nil {
		return fmt.Errorf("tenants' retention: %w", err)
	}
	tenants, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RetentionResult, error) {
		var t RetentionResult
		err := r.Scan(&t.CompanyID, &t.Company, &t.RetentionDays)
		return t, err
	})
	if err != nil {
		return fmt.Errorf("tenants' retention: %w", err)
	}
	rep.Tenants = []RetentionResult{}
	for _, t := range tenants {
		t.StartedBefore = rep.Now.AddDate(0, 0, -t.RetentionDays)
		if rep.DryRun {
			err = conn.QueryRow(ctx, sqlCountExpired, t.CompanyID, t.StartedBefore).Scan(&t.Deleted)
		} else {
			t.Deleted, err = deleteExpired(ctx, conn, t, batch, actor)
		}
		if err != nil {
			return fmt.Errorf("retention of %s: %w", t.CompanyID, err)
		}
		rep.Tenants = append(rep.Tenants, t)
	}
	return nil
}

// deleteExpired deletes a tenant's expired calls batch by batch, each batch its own short
// transaction, so neither locks nor WAL pile up; it audits once per tenant and run.
func deleteExpired(ctx context.Context, conn *pgx.Conn, t RetentionResult, batch int, actor string) (int, error) {
	total := 0
	for {
		n, err := deleteBatch(ctx, conn, t, batch)
		if err != nil {
			return total, err
		}
		total += n
		if n < batch {
			break
		}
	}
	if total > 0 {
		if _, err := conn.Exec(ctx, sqlAuditRetention, t.CompanyID, actor, total, t.StartedBefore); err != nil {
			return total, fmt.Errorf("audit: %w", err)
		}
	}
	return total, nil
}

func deleteBatch(ctx context.Context, conn *pgx.Conn, t RetentionResult, batch int) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlExpiredBatch, t.CompanyID, t.StartedBefore, batch)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(ids) == 0 {
			return err
		}
		if _, err := tx.Exec(ctx, sqlUnlinkAppointments, t.CompanyID, ids); err != nil {
			return fmt.Errorf("unlink appointments: %w", err)
		}
		tag, err := tx.Exec(ctx, sqlDeleteCallKeys, t.CompanyID, ids)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}

// dropIfEmpty drops a past partition that holds no row. It takes the parent's lock for a moment
// only; when the lock is not granted within lock_timeout the partition stays for the next run.
// With dryRun it only reports whether the partition would be empty once retention has run.
func dropIfEmpty(ctx context.Context, conn *pgx.Conn, part string, now time.Time, dryRun bool) (bool, error) {
	name := pgx.Identifier{part}.Sanitize()
	empty := false
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sqlPartitionLockTimeout); err != nil {
			return err
		}
		var err error
		if dryRun {
			err = tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+name+` p WHERE NOT EXISTS (`+sqlExpiredCall+`))`, now).Scan(&empty)
		} else {
			err = tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+name+`)`).Scan(&empty)
		}
		if err != nil {
			return err
		}
		if !empty || dryRun {
			return nil
		}
		_, err = tx.Exec(ctx, `DROP TABLE `+name)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("drop partition %s: %w", part, err)
	}
	return empty, nil
}

// advisoryLock waits (up to the lock timeout) for the maintenance lock on conn's session.
func advisoryLock(ctx context.Context, conn *pgx.Conn) (unlock func(), err error) {
	if _, err := conn.Exec(ctx, sqlLockTimeout); err != nil {
		return nil, fmt.Errorf("maintenance lock: %w", err)
	}
	if _, err := conn.Exec(ctx, sqlAdvisoryLock, lockMaintenance); err != nil {
		return nil, fmt.Errorf("maintenance lock (held by the database service's maintenance?): %w", err)
	}
	if _, err := conn.Exec(ctx, sqlNoLockTimeout); err != nil {
		return nil, fmt.Errorf("maintenance lock: %w", err)
	}
	return func() { _, _ = conn.Exec(context.WithoutCancel(ctx), sqlAdvisoryUnlock, lockMaintenance) }, nil
}

func (a *app) printRotate(rep RotateReport) error {
	verb := "deleted"
	if rep.DryRun {
		verb = "would delete"
		writeln(a.out, "dry run: nothing changed")
	} else {
		writef(a.out, "partitions: %d created, ready until %s\n", rep.Created, orDash(rep.ReadyUntil))
	}
	writef(a.out, "retention (%d tenant(s) with a call retention):\n", len(rep.Tenants))
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	writeln(tw, "TENANT\tRETENTION\tSTARTED BEFORE\tCALLS\t")
	for _, t := range rep.Tenants {
		writef(tw, "%s\t%d days\t%s\t%s %d\t\n", t.Company, t.RetentionDays, t.StartedBefore.Format(time.RFC3339), verb, t.Deleted)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	drop := "dropped"
	if rep.DryRun {
		drop = "would drop"
	}
	writef(a.out, "empty past partitions %s: %d %v\n", drop, len(rep.Dropped), rep.Dropped)
	return nil
}
