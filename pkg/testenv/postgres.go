package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/askproai/backend/migrations"
)

var (
	pgOnce     sync.Once
	pgAdminURL string
	pgTemplate string
	pgErr      error
)

// Postgres returns a pool on a fresh database that has every migration applied. The database is
// dropped when t ends.
func Postgres(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), PostgresURL(t))
	if err != nil {
		t.Fatalf("testenv: connect: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// PostgresURL creates a fresh, migrated database for t and returns its URL, for code under test
// that opens its own pools (a service's run function).
func PostgresURL(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() { pgAdminURL, pgTemplate, pgErr = preparePostgres() })
	if pgErr != nil {
		unavailable(t, "PostgreSQL", pgErr)
	}
	name := "askpro_t_" + RandomSuffix()
	admin, err := pgx.Connect(t.Context(), pgAdminURL)
	if err != nil {
		unavailable(t, "PostgreSQL", err)
	}
	defer admin.Close(background())
	if _, err := admin.Exec(t.Context(), "CREATE DATABASE "+name+" TEMPLATE "+pgTemplate); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx := background()
		c, err := pgx.Connect(ctx, pgAdminURL)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return withDatabase(pgAdminURL, name)
}

// EmptyPostgresURL creates a database with no migrations applied, for migration tests.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() { pgAdminURL, pgTemplate, pgErr = preparePostgres() })
	if pgErr != nil {
		unavailable(t, "PostgreSQL", pgErr)
	}
	name := "askpro_t_" + RandomSuffix()
	admin, err := pgx.Connect(t.Context(), pgAdminURL)
	if err != nil {
		unavailable(t, "PostgreSQL", err)
	}
	defer admin.Close(background())
	if _, err := admin.Exec(t.Context(), "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx := background()
		if c, err := pgx.Connect(ctx, pgAdminURL); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(ctx)
		}
	})
	return withDatabase(pgAdminURL, name)
}

// preparePostgres finds the server and makes sure a template database with the current
// migrations exists. The template is named by a digest of the migration files, so a change to
// any migration builds a new one, and an advisory lock keeps parallel test binaries from
// building the same template twice.
func preparePostgres() (string, string, error) {
	adminURL := os.Getenv("DATABASE_URL")
	if adminURL == "" {
		u, err := startContainer("postgres:15-alpine", "5432/tcp",
			map[string]string{"POSTGRES_PASSWORD": "postgres", "POSTGRES_HOST_AUTH_METHOD": "trust"},
			"database system is ready to accept connections")
		if err != nil {
			return "", "", fmt.Errorf("DATABASE_URL is not set and no container could be started: %w", err)
		}
		adminURL = "postgres://postgres:postgres@" + u + "/postgres?sslmode=disable"
	}
	digest, err := migrationsDigest()
	if err != nil {
		return "", "", err
	}
	tpl := "askpro_tpl_" + digest[:16]
	ctx := background()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", "", fmt.Errorf("connect to %s: %w", redactURL(adminURL), err)
	}
	defer admin.Close(ctx)
	lockID := int64(binary.BigEndian.Uint64([]byte(digest[:8])))
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		return "", "", fmt.Errorf("lock template: %w", err)
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockID) //nolint:errcheck // the session ends right after
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tpl).Scan(&exists); err != nil {
		return "", "", fmt.Errorf("look up template: %w", err)
	}
	if exists {
		return adminURL, tpl, nil
	}
	building := tpl + "_build"
	_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building+" TEMPLATE template0"); err != nil {
		return "", "", fmt.Errorf("create template: %w", err)
	}
	if _, err := migrations.Up(ctx, withDatabase(adminURL, building)); err != nil {
		return "", "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+tpl); err != nil {
		return "", "", fmt.Errorf("publish template: %w", err)
	}
	return adminURL, tpl, nil
}

func migrationsDigest() (string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Path = "/" + name
	return u.String()
}

func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "the database URL"
	}
	return u.Redacted()
}

var _ = context.Background
