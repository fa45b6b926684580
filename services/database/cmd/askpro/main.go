// Command askpro is the operators' CLI of AskProAI: migrations, tenants and their catalogues,
// the demo tenant, dead letters, stream health, and a simulated Retell call against a running
// system. It talks to PostgreSQL through the database service's own store (so encryption, audit
// and cache invalidation are the service's), and to Redis through pkg/rpc.
//
//	askpro migrate
//	askpro tenant create --name N --time-zone TZ [--calcom-api-key K]
//	askpro tenant list
//	askpro tenant apply -f tenant.yaml
//	askpro seed demo [--calsim-seed PATH] [--env-file PATH] [--rotate-key]
//	askpro dlq list|show|replay|purge --service S [--id ID]…
//	askpro streams status
//	askpro simulate-call --gateway URL --retell-key K [--to +49…] [--from +49…]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/askproai/backend/pkg/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], config.OSLookup, os.Stdout); err != nil {
		if !errors.Is(err, errUsage) {
			writeln(os.Stderr, "askpro:", err)
		}
		os.Exit(1)
	}
}

// errUsage means the usage was already printed.
var errUsage = errors.New("usage")

const usage = `askpro: operate AskProAI

  askpro migrate                                       apply migrations to DATABASE_URL
  askpro tenant create --name N [--time-zone TZ] [--calcom-api-key K]
                                                       create a tenant; prints its API key once
  askpro tenant list                                   every tenant (no secrets)
  askpro tenant apply -f tenant.yaml                   branches, staff and services from YAML (idempotent)
  askpro seed demo [--calsim-seed PATH] [--env-file PATH] [--rotate-key]
                                                       the demo salon and its calsim seed (idempotent)
  askpro dlq list|show|replay|purge --service S        dead letters of a service
  askpro streams status                                lag, pending, consumers, dead letters
  askpro simulate-call --gateway URL --retell-key K [--to +49…] [--from +49…]
                                                       play a signed German demo call

Environment: DATABASE_URL, REDIS_URL, RPC_NAMESPACE, PII_KEYS, BLIND_INDEX_KEY, ASKPRO_ACTOR.
`

// run executes one command line; output goes to out.
func run(ctx context.Context, args []string, lookup config.LookupFunc, out io.Writer) error {
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
	a := &app{cfg: cfg, out: out}
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
