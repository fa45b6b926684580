package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// Up applies every pending migration to the database at databaseURL and returns the version it
// ends at. It is safe to run from several processes at once: goose takes a session lock.
func Up(ctx context.Context, databaseURL string) (int64, error) {
	var version int64
	err := withProvider(databaseURL, func(p *goose.Provider) error {
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		var err error
		version, err = p.GetDBVersion(ctx)
		return err
	})
	return version, err
}

// UpTo applies migrations up to and including version. Tests use it to start from an earlier
// schema and migrate forward from there.
func UpTo(ctx context.Context, databaseURL string, version int64) error {
	return withProvider(databaseURL, func(p *goose.Provider) error {
		if _, err := p.UpTo(ctx, version); err != nil {
			return fmt.Errorf("migrate up to %d: %w", version, err)
		}
		return nil
	})
}

// DownTo rolls back every migration above version (0 undoes them all). It exists so that each
// Down section is exercised by tests; production only migrates forward.
func DownTo(ctx context.Context, databaseURL string, version int64) error {
	return withProvider(databaseURL, func(p *goose.Provider) error {
		if _, err := p.DownTo(ctx, version); err != nil {
			return fmt.Errorf("migrate down to %d: %w", version, err)
		}
		return nil
	})
}

// withProvider opens the database, runs fn with a migration provider on it, and closes it.
func withProvider(databaseURL string, fn func(*goose.Provider) error) error {
	db, err := open(databaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		return err
	}
	return fn(p)
}

// Versions lists the versions of all embedded migrations in order.
func Versions() ([]int64, error) {
	names, err := fs.Glob(FS, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	out := make([]int64, 0, len(names))
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", n, err)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
}

func open(databaseURL string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	return stdlib.OpenDB(*cfg), nil
}

func provider(db *sql.DB) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, FS)
	if err != nil {
		return nil, fmt.Errorf("migration provider: %w", err)
	}
	return p, nil
}
