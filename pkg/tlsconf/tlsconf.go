// Package tlsconf is the one place that turns REDIS_URL (with REDIS_TLS_*) into Redis client
// options and DATABASE_URL into a pgx configuration, so every service and askpro connect the
// same way, and that turns a failed TLS handshake into an error an operator can act on.
//
// Redis: rediss:// enables TLS (go-redis sets the server name from the host); RedisTLS.CAFile
// replaces the system roots; CertFile and KeyFile are the client certificate. PostgreSQL: the
// TLS settings are pgx's own URL parameters (sslmode=verify-full, sslrootcert, sslcert, sslkey)
// and nothing here changes the TLS configuration pgx builds from them.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/askproai/backend/pkg/config"
)

// RedisOptions parses redisURL (REDIS_URL) and, for rediss://, adds the CA and the client
// certificate from files.
func RedisOptions(redisURL string, files config.RedisTLS) (*redis.Options, error) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	if files == (config.RedisTLS{}) {
		return opts, nil
	}
	if opts.TLSConfig == nil {
		return nil, errors.New("REDIS_TLS_* is set but REDIS_URL is not rediss:// (TLS would not be used)")
	}
	if files.CAFile != "" {
		pem, err := os.ReadFile(files.CAFile)
		if err != nil {
			return nil, fmt.Errorf("REDIS_TLS_CA_FILE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("REDIS_TLS_CA_FILE: no PEM certificate in %s", files.CAFile)
		}
		opts.TLSConfig.RootCAs = pool
	}
	if files.CertFile != "" || files.KeyFile != "" {
		if files.CertFile == "" || files.KeyFile == "" {
			return nil, errors.New("REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE must be set together")
		}
		cert, err := tls.LoadX509KeyPair(files.CertFile, files.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("REDIS_TLS_CERT_FILE/REDIS_TLS_KEY_FILE: %w", err)
		}
		opts.TLSConfig.Certificates = []tls.Certificate{cert}
	}
	return opts, nil
}

// NewRedis returns a client for redisURL and files with the client name set.
func NewRedis(redisURL string, files config.RedisTLS, clientName string) (*redis.Client, error) {
	opts, err := RedisOptions(redisURL, files)
	if err != nil {
		return nil, err
	}
	opts.ClientName = clientName
	return redis.NewClient(opts), nil
}

// PostgresPoolConfig parses databaseURL (DATABASE_URL) for a pool. The files the URL names
// (sslrootcert, sslcert, sslkey) are checked first so a missing one is reported by name.
func PostgresPoolConfig(databaseURL string) (*pgxpool.Config, error) {
	if err := checkPostgresFiles(databaseURL); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	return cfg, nil
}

// PostgresConnConfig parses databaseURL (DATABASE_URL) for a single connection, like
// PostgresPoolConfig.
func PostgresConnConfig(databaseURL string) (*pgx.ConnConfig, error) {
	if err := checkPostgresFiles(databaseURL); err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	return cfg, nil
}

func checkPostgresFiles(databaseURL string) error {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme == "" {
		return nil // a keyword/value DSN: pgx reports what it cannot read
	}
	q := u.Query()
	for _, param := range []string{"sslrootcert", "sslcert", "sslkey"} {
		path := q.Get(param)
		if path == "" || path == "system" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("DATABASE_URL %s: %w", param, err)
		}
	}
	return nil
}

// Explain wraps err from a connection to system ("redis" or "postgres") with what an operator
// should check when the TLS handshake failed; other errors come back unchanged. hint names
// the settings involved (for example "REDIS_TLS_CA_FILE").
func Explain(system, hint string, err error) error {
	if err == nil {
		return nil
	}
	switch handshakeFailure(err) {
	case failVerify:
		return fmt.Errorf("%s: certificate verification failed (check %s): %w", system, hint, err)
	case failAlert:
		return fmt.Errorf("%s: the server rejected the TLS handshake (a client certificate it trusts? check %s): %w", system, hint, err)
	case failNotTLS:
		return fmt.Errorf("%s: the server does not speak TLS on this port: %w", system, err)
	}
	return err
}

// HandshakeFailed reports whether err comes from a failed TLS handshake: a certificate that
// did not verify, a server that refused ours, or a server without TLS. Retrying does not help.
func HandshakeFailed(err error) bool { return handshakeFailure(err) != failNone }

type failure int

const (
	failNone failure = iota
	failVerify
	failAlert
	failNotTLS
)

func handshakeFailure(err error) failure {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		alert    tls.AlertError
		record   tls.RecordHeaderError
	)
	switch {
	case err == nil:
		return failNone
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid):
		return failVerify
	case errors.As(err, &alert), strings.Contains(err.Error(), "remote error: tls: "):
		// crypto/tls reports an alert from the server with an unexported type; its text
		// is the only mark ("remote error: tls: certificate required").
		return failAlert
	case errors.As(err, &record):
		return failNotTLS
	}
	return failNone
}

// ExplainRedis is Explain for a connection to redisURL: a TLS failure names REDIS_TLS_*, and a
// plain redis:// connection the server closes at once is reported as a likely TLS-only port.
func ExplainRedis(redisURL string, err error) error {
	if err == nil {
		return nil
	}
	if !strings.HasPrefix(redisURL, "rediss://") && closedByPeer(err) {
		return fmt.Errorf("redis: the server closed the connection (a TLS-only port? use rediss://): %w", err)
	}
	return Explain("redis", "REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE", err)
}

// ExplainPostgres is Explain for a connection to DATABASE_URL.
func ExplainPostgres(err error) error {
	return Explain("postgres", "DATABASE_URL sslrootcert, sslcert, sslkey", err)
}

func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}
