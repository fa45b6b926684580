// Command askpro is the operators' CLI of AskProAI: migrations, tenants and their catalogues,
// the demo tenant, dead letters, stream health, and a simulated Retell call against a running
// system. It talks to PostgreSQL through the database service's own store (so encryption, audit
// and cache invalidation are the service's), and to Redis through pkg/rpc.
//
//	askpro migrate
//	askpro tenant create --name N --time-zone TZ [--calcom-api-key K]
//	askpro tenant list
//	askpro tenant apply -f tenant.yaml [--sync-calcom]
//	askpro tenant sync-calcom [--company ID|NAME|SLUG] [--timeout D]
//	askpro tenant deactivate|activate --company ID|NAME|SLUG
//	askpro key create|list|revoke --company ID|NAME|SLUG [--name N] [--prefix P]
//	askpro seed demo [--calsim-seed PATH] [--env-file PATH] [--rotate-key]
//	askpro dlq list|show|replay|purge --service S [--id ID]…
//	askpro streams status
//	askpro simulate-call --gateway URL --retell-key K [--to +49…] [--from +49…]
//	askpro appointments check [--company ID|NAME|SLUG] [--from DATE] [--to DATE] [--json]
//	askpro customers merge-duplicates [--dry-run] [--company ID|NAME|SLUG]
//	askpro maintenance vacuum|reindex|rotate|deadletters|health|queues [--json] …
//
// Exit codes: 0 success, 1 error, 3 a check found something: `appointments check` appointments
// that break a rule, `maintenance deadletters` dead letters above the threshold (and
// `maintenance health --require-live`, `maintenance queues --max-lag` theirs).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/rpc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], config.OSLookup, os.Stdout)
	if err != nil && !errors.Is(err, errUsage) && !errors.Is(err, errFindings) {
		writeln(os.Stderr, "askpro:", err)
	}
	stop()
	os.Exit(exitCode(err))
}

var (
	// errUsage means the usage was already printed.
	errUsage = errors.New("usage")
	// errFindings means a check printed what it found; the command itself worked.
	errFindings = errors.New("findings")
)

// exitCode is 0 on success, 3 when a check found something, 1 on any other error.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errFindings):
		return 3
	}
	return 1
}

const usage = `askpro: operate AskProAI

  askpro migrate                                       apply migrations to DATABASE_URL
  askpro tenant create --name N [--time-zone TZ] [--calcom-api-key K]
                                                       create a tenant; prints its API key once
  askpro tenant list                                   every tenant (no secrets)
  askpro tenant apply -f tenant.yaml [--sync-calcom]   branches, staff and services from YAML (idempotent);
                                                       --sync-calcom then runs tenant sync-calcom for it
  askpro tenant deactivate|activate --company ID|NAME|SLUG
                                                       refuse (or admit again) every key of a tenant
  askpro key create --company ID|NAME|SLUG --name N   a further API key; prints it once
  askpro key list --company ID|NAME|SLUG              name, prefix, created, last used, revoked
  askpro key revoke --company ID|NAME|SLUG --name N|--prefix P
                                                       revoke one key; gateways refuse it within a second
  askpro tenant sync-calcom [--company ID|NAME|SLUG] [--timeout D]
                                                       read each service's minimum notice and booking window
                                                       from Cal.com (via the calcom service) and store them
  askpro seed demo [--calsim-seed PATH] [--env-file PATH] [--rotate-key]
                                                       the demo salon and its calsim seed (idempotent)
  askpro dlq list|show|replay|purge --service S        dead letters of a service
  askpro streams status                                lag, pending, consumers, dead letters
  askpro simulate-call --gateway URL --retell-key K [--to +49…] [--from +49…]
                                                       play a signed German demo call
  askpro appointments check [--company ID|NAME|SLUG] [--from DATE] [--to DATE] [--json]
                                                       stored appointments that break the opening rules
                                                       (exit 3 when any does)
  askpro customers merge-duplicates [--dry-run] [--company ID|NAME|SLUG]
                                                       merge customers of a tenant whose numbers are one
                                                       E.164 number (split by the old phone rule)
  askpro maintenance vacuum|reindex|rotate|deadletters|health|queues [--json]
                                                       scheduled jobs (deploy/k8s/base/maintenance.yaml):
    vacuum [--table T]…                                VACUUM (ANALYZE), table by table
    reindex [--table T]…                               REINDEX TABLE CONCURRENTLY of the large tables
    rotate [--months-ahead 3] [--batch 1000] [--dry-run]
                                                       calls partitions ahead; each tenant's calls past its
                                                       call_retention_days deleted; emptied partitions dropped
    deadletters [--threshold 0]                        dead letters per service (exit 3 above the threshold)
    health [--require-live]                            instances, heartbeats, pending per worker
    queues [--max-lag N]                               length, lag, pending of every stream and group

Environment: DATABASE_URL, REDIS_URL, REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE,
RPC_NAMESPACE, PII_KEYS, BLIND_INDEX_KEY, ASKPRO_ACTOR, DEFAULT_REGION.
`

// run executes one command line; output goes to out.
func run(ctx context.Context, args []string, lookup config.LookupFunc, out io.Writer) error {
	return runAt(ctx, args, lookup, out, clock.Now)
}

// runAt is run with now as the business clock (a test's fixed instant).
func runAt(ctx context.Context, args []string, lookup config.LookupFunc, out io.Writer, now func() time.Time) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		write(out, usage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	cfg, err := loadConfig(lookup)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	// Every change the CLI makes, in process or over the bus, is the operator's.
	ctx = rpc.WithIdentity(ctx, rpc.Identity{Actor: "cli:" + cfg.Actor})
	a := &app{cfg: cfg, out: out, now: now}
	defer a.close()
	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	switch args[0] {
	case "migrate":
		return a.migrate(ctx)
	case "tenant":
		return a.tenant(ctx, sub, rest(args))
	case "key":
		return a.key(ctx, sub, rest(args))
	case "seed":
		if sub != "demo" {
			return fmt.Errorf("seed: unknown target %q (want: seed demo)", sub)
		}
		return a.seedDemo(ctx, rest(args))
	case "dlq":
		return a.dlq(ctx, sub, rest(args))
	case "streams":
		if sub != "status" {
			return fmt.Errorf("streams: unknown subcommand %q (want: streams status)", sub)
		}
		return a.streamsStatus(ctx, rest(args))
	case "simulate-call":
		return a.simulateCall(ctx, args[1:])
	case "maintenance":
		return a.maintenance(ctx, sub, rest(args))
	case "appointments":
		if sub != "check" {
			return fmt.Errorf("appointments: unknown subcommand %q (want: appointments check)", sub)
		}
		return a.appointmentsCheck(ctx, rest(args))
	case "customers":
		return a.customers(ctx, sub, rest(args))
	}
	write(out, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func rest(args []string) []string {
	if len(args) < 2 {
		return nil
	}
	return args[2:]
}
