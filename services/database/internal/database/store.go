// Package database is the database service: the pgx store over the AskProAI schema (one file
// per table or aggregate), its Redis cache, the outbox relay, scheduled maintenance, and the
// JSON-RPC handlers that expose it. Every method is scoped by the tenant (company id).
package database

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/askproai/backend/pkg/phone"
	"github.com/askproai/backend/pkg/tlsconf"
)

// Options configures a Store.
type Options struct {
	// WriteURL is the primary; ReadURL an optional replica for reads that tolerate lag.
	WriteURL, ReadURL string
	// WriteConns and ReadConns size the pools.
	WriteConns, ReadConns int32
	// TxAttempts bounds how often a transaction runs when it hits 40001 or 40P01 (default 3).
	TxAttempts int
	// TxBackoff is the first retry's maximum wait; it doubles per attempt (default 20ms).
	TxBackoff time.Duration
	Cipher    *Cipher
	// Region reads phone numbers written without country code (phone.DefaultRegion when
	// empty); see NormalizePhone.
	Region  string
	Cache   *Cache   // nil: no caching
	Metrics *Metrics // nil: none
	Logger  zerolog.Logger
}

// Store is the data access of the service.
type Store struct {
	write, read *pgxpool.Pool
	cipher      *Cipher
	region      string
	cache       *Cache
	metrics     *Metrics
	log         zerolog.Logger
	attempts    int
	backoff     time.Duration
	touches     keyTouches
}

// New opens the pools and checks that the primary answers.
func New(ctx context.Context, o Options) (*Store, error) {
	if o.Cipher == nil {
		return nil, fmt.Errorf("new store: a cipher is required")
	}
	write, err := openPool(ctx, o.WriteURL, o.WriteConns)
	if err != nil {
		return nil, fmt.Errorf("open write pool: %w", err)
	}
	read := write
	if o.ReadURL != "" {
		if read, err = openPool(ctx, o.ReadURL, o.ReadConns); err != nil {
			write.Close()
			return nil, fmt.Errorf("open read pool: %w", err)
		}
	}
	s := &Store{write: write, read: read, cipher: o.Cipher, cache: o.Cache, metrics: o.Metrics, log: o.Logger,
		attempts: o.TxAttempts, backoff: o.TxBackoff, region: cmp.Or(strings.ToUpper(o.Region), phone.DefaultRegion)}
	if s.attempts <= 0 {
		s.attempts = 3
	}
	if s.backoff <= 0 {
		s.backoff = 20 * time.Millisecond
	}
	return s, nil
}

func openPool(ctx context.Context, url string, conns int32) (*pgxpool.Pool, error) {
	// TLS comes from the URL alone (sslmode=verify-full, sslrootcert, sslcert, sslkey), as
	// pgx reads it; only pool size and application name are set here.
	cfg, err := tlsconf.PostgresPoolConfig(url)
	if err != nil {
		return nil, err
	}
	if conns > 0 {
		cfg.MaxConns = conns
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "askpro-database"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping: %w", tlsconf.ExplainPostgres(err))
	}
	return pool, nil
}

// Ping checks the primary, for readiness.
func (s *Store) Ping(ctx context.Context) error { return tlsconf.ExplainPostgres(s.write.Ping(ctx)) }

// Close releases both pools.
func (s *Store) Close() {
	s.touches.wg.Wait()
	if s.read != s.write {
		s.read.Close()
	}
	s.write.Close()
}

// WritePool exposes the primary pool to the relay and the maintenance loop.
func (s *Store) WritePool() *pgxpool.Pool { return s.write }

// NormalizePhone is phone.Normalize with the store's region: the one form a number is stored,
// indexed and looked up in. A refusal is an ErrValidation with the message clients have always
// had, and matches phone.ErrInvalid.
func (s *Store) NormalizePhone(raw string) (string, error) {
	e164, err := phone.Normalize(raw, s.region)
	if err != nil {
		return "", fmt.Errorf("%w: %w", invalid("phone number is not E.164"), err)
	}
	return e164, nil
}
