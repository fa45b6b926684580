// Package loadsim drives the whole system the way Retell does: simulated German phone calls
// (inbound webhook, lifecycle webhooks and live function calls, all signed) against the real
// binaries started with pkg/stack, then checks what must hold afterwards (no double bookings,
// no lost webhooks, no dead letters, no orphan bookings). The load generator
// (cmd/loadgen) and the fault tests (internal/chaos) share it.
package loadsim

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/askproai/backend/migrations"
	"github.com/askproai/backend/pkg/clock"
	"github.com/askproai/backend/pkg/stack"
)

// RetellKey signs every simulated Retell request.
const RetellKey = "key_loadsim_retell"

// AllBinaries are the binaries a simulated system needs.
var AllBinaries = []string{"gateway", "routing", "call", "booking", "database", "calcom", "calsim", "askpro"}

// RandomID returns n random bytes in hex.
func RandomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Keys returns fresh PII_KEYS and BLIND_INDEX_KEY values for the database service.
func Keys() (pii, blind string) {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "v1:" + base64.StdEncoding.EncodeToString(k), base64.StdEncoding.EncodeToString(b)
}

// CreateDatabase creates a database on the server adminURL points at, migrates it and returns
// its URL and a function that drops it.
func CreateDatabase(ctx context.Context, adminURL, name string) (string, func(), error) {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to the PostgreSQL server: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("parse database URL: %w", err)
	}
	u.Path = "/" + name
	dbURL := u.String()
	drop := func() {
		c, err := pgx.Connect(context.Background(), adminURL)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
	if _, err := migrations.Up(ctx, dbURL); err != nil {
		drop()
		return "", nil, fmt.Errorf("migrate %s: %w", name, err)
	}
	return dbURL, drop, nil
}

// SeedDemo runs `askpro seed demo` against opts' database and Redis namespace and writes
// calsim's seed to seedPath. It returns what askpro printed.
// clockFile, when set, is the system's test clock, which askpro reads too.
func SeedDemo(ctx context.Context, opts Options, clockFile, pii, blind, seedPath string) (string, error) {
	askpro, dbURL := opts.Bin["askpro"], opts.DatabaseURL
	cmd := exec.CommandContext(ctx, askpro, "seed", "demo", "--calsim-seed", seedPath)
	cmd.Env = append(inherit("PATH", "HOME"), "TZ=UTC",
		"DATABASE_URL="+dbURL, "PII_KEYS="+pii, "BLIND_INDEX_KEY="+blind, "ASKPRO_ACTOR=loadsim",
		"REDIS_URL="+opts.RedisURL, "RPC_NAMESPACE="+opts.Namespace)
	if clockFile != "" {
		cmd.Env = append(cmd.Env, clock.EnvFile+"="+clockFile)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("askpro seed demo: %w\n%s", err, out)
	}
	return string(out), nil
}

// inherit returns this process's NAME=value entries for names.
func inherit(names ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				out = append(out, kv)
			}
		}
	}
	return out
}

// Tenant is what the simulated callers need to know about the demo tenant.
type Tenant struct {
	CompanyID string
	Branches  []Branch
	// CalcomKey is the key calsim's seed accepts.
	CalcomKey string
}

// Branch is one dialled number with its staff and services.
type Branch struct {
	ID, Name, Phone string
	Services        []string
	// Offers maps a service to the first names of the staff who offer it.
	Offers map[string][]string
}

// LoadTenant reads the seeded tenant back from PostgreSQL and calsim's seed file.
func LoadTenant(ctx context.Context, db *pgxpool.Pool, seedPath string) (Tenant, error) {
	var t Tenant
	rows, err := db.Query(ctx, `SELECT b.company_id::text, b.id::text, b.name, b.phone_number FROM branches b WHERE b.active ORDER BY b.name`)
	if err != nil {
		return t, fmt.Errorf("load branches: %w", err)
	}
	for rows.Next() {
		var b Branch
		if err := rows.Scan(&t.CompanyID, &b.ID, &b.Name, &b.Phone); err != nil {
			return t, fmt.Errorf("scan branch: %w", err)
		}
		t.Branches = append(t.Branches, b)
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("load branches: %w", err)
	}
	if len(t.Branches) == 0 {
		return t, fmt.Errorf("the seeded tenant has no branch")
	}
	for i := range t.Branches {
		b := &t.Branches[i]
		if err := loadOffers(ctx, db, b); err != nil {
			return t, err
		}
		if err := collect(ctx, db, &b.Services, `SELECT name FROM event_types WHERE company_id = $1 AND (branch_id IS NULL OR branch_id = $2) AND active ORDER BY name`, t.CompanyID, b.ID); err != nil {
			return t, err
		}
	}
	raw, err := os.ReadFile(seedPath)
	if err != nil {
		return t, fmt.Errorf("read calsim seed: %w", err)
	}
	var seed struct {
		Accounts []struct {
			APIKey string `json:"apiKey"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(raw, &seed); err != nil || len(seed.Accounts) == 0 {
		return t, fmt.Errorf("calsim seed %s has no account", seedPath)
	}
	t.CalcomKey = seed.Accounts[0].APIKey
	return t, nil
}

func loadOffers(ctx context.Context, db *pgxpool.Pool, b *Branch) error {
	rows, err := db.Query(ctx, `SELECT e.name, s.name FROM staff s
		JOIN staff_event_types se ON se.staff_id = s.id JOIN event_types e ON e.id = se.event_type_id
		WHERE s.branch_id = $1 AND s.active AND e.active ORDER BY e.name, s.name`, b.ID)
	if err != nil {
		return fmt.Errorf("load staff: %w", err)
	}
	defer rows.Close()
	b.Offers = map[string][]string{}
	for rows.Next() {
		var service, staff string
		if err := rows.Scan(&service, &staff); err != nil {
			return fmt.Errorf("scan staff: %w", err)
		}
		b.Offers[service] = append(b.Offers[service], strings.Fields(staff)[0])
	}
	return rows.Err()
}

func collect(ctx context.Context, db *pgxpool.Pool, into *[]string, q string, args ...any) error {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("load tenant: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("load tenant: %w", err)
	}
	*into = names
	return nil
}

// Options shape one simulated system.
type Options struct {
	// Bin are the built binaries (stack.Build with AllBinaries).
	Bin map[string]string
	// RedisURL and DatabaseURL: the Redis and the migrated application database.
	RedisURL, DatabaseURL string
	// Namespace prefixes every Redis key of the system.
	Namespace string
	// WorkDir receives the calsim seed and one log per process.
	WorkDir string
	// CalsimArgs are calsim's extra flags; "-rate-limit -1" is always added.
	CalsimArgs []string
	// ServiceEnv is added to one service's environment.
	ServiceEnv map[string]map[string]string
	// LiftCalcomRateLimit raises the calcom service's own per-key rate limit (it mirrors
	// Cal.com's 120/min, which calsim is told to drop) so the load measures our system.
	LiftCalcomRateLimit bool
	// LogLevel of every service (default warn: the access logs of a load run cost CPU).
	LogLevel string
	// ClockAt, when set, starts the system's business clock at this instant (pkg/clock): the
	// clock file WorkDir/clock is written and given to calsim, askpro and every service, whose
	// clocks then run on from it. Bin must then be built with stack.TestClockTag. Tests set it
	// so that "morgen" is the same day whenever they run; Started.Now reads that clock.
	ClockAt time.Time
}

// Started is a running, seeded system.
type Started struct {
	*stack.System
	Tenant   Tenant
	DB       *pgxpool.Pool
	SeedPath string
	Seeded   string
	// ClockFile is the system's test clock (empty without Options.ClockAt).
	ClockFile string
}

// Now is the system's business time: the test clock when Options.ClockAt was set, else the
// real time.
func (s *Started) Now() time.Time {
	if s.ClockFile == "" {
		return time.Now()
	}
	t, err := clock.Read(s.ClockFile)
	if err != nil {
		// The file is this harness's own, written at Start; losing it is a broken test setup.
		panic(fmt.Sprintf("loadsim: %v", err)) //nolint:forbidigo // a test harness invariant: Now has no error to return
	}
	return t
}

// Start seeds the demo tenant into opts.DatabaseURL and starts calsim and the six services.
// The caller stops the system (Started.Close) even when an error is returned with it.
func Start(ctx context.Context, opts Options) (*Started, error) {
	s := &Started{SeedPath: filepath.Join(opts.WorkDir, "calsim-seed.json")}
	if !opts.ClockAt.IsZero() {
		s.ClockFile = filepath.Join(opts.WorkDir, "clock")
		if err := clock.Set(s.ClockFile, opts.ClockAt); err != nil {
			return s, err
		}
	}
	pii, blind := Keys()
	out, err := SeedDemo(ctx, opts, s.ClockFile, pii, blind, s.SeedPath)
	s.Seeded = out
	if err != nil {
		return s, err
	}
	if s.DB, err = pgxpool.New(ctx, opts.DatabaseURL); err != nil {
		return s, fmt.Errorf("open database: %w", err)
	}
	if s.Tenant, err = LoadTenant(ctx, s.DB, s.SeedPath); err != nil {
		return s, err
	}
	svcEnv := map[string]map[string]string{}
	for k, v := range opts.ServiceEnv {
		svcEnv[k] = v
	}
	// The calcom service's rate-limit and cache keys are not under RPC_NAMESPACE: give them
	// this system's namespace, or systems sharing a Redis share Cal.com budgets and caches.
	calEnv := map[string]string{"CALCOM_KEY_PREFIX": opts.Namespace + ":calcom:"}
	if opts.LiftCalcomRateLimit {
		calEnv["CALCOM_RATE_LIMIT"], calEnv["CALCOM_RATE_BURST"] = "10000", "1000"
	}
	for k, v := range opts.ServiceEnv["calcom"] {
		calEnv[k] = v
	}
	svcEnv["calcom"] = calEnv
	s.System, err = stack.Start(ctx, stack.Config{
		Bin: opts.Bin, RedisURL: opts.RedisURL, DatabaseURL: opts.DatabaseURL, Namespace: opts.Namespace,
		RetellKey: RetellKey, PIIKeys: pii, BlindIndexKey: blind, CalsimSeed: s.SeedPath,
		CalsimArgs: append([]string{"-rate-limit", "-1"}, opts.CalsimArgs...),
		LogDir:     opts.WorkDir, ServiceEnv: svcEnv, ClockFile: s.ClockFile,
		Env: map[string]string{"LOG_LEVEL": cmp.Or(opts.LogLevel, "warn")},
	})
	return s, err
}

// Close stops every process and closes the pool.
func (s *Started) Close() error {
	var err error
	if s.System != nil {
		err = s.Stop()
	}
	if s.DB != nil {
		s.DB.Close()
	}
	return err
}

// sanitizeName keeps a database name to [a-z0-9_].
func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(s))
}

// DatabaseName returns a fresh database name with prefix.
func DatabaseName(prefix string) string {
	return sanitizeName(prefix) + "_" + RandomID(5) + "_" + time.Now().UTC().Format("0102150405")
}
