package tlsconf_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/config"
	"github.com/askproai/backend/pkg/tlsconf"
)

func TestReadRedisTLSNamesTheSetting(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.crt")
	require.NoError(t, os.WriteFile(ca, []byte("not a certificate"), 0o600))
	read := func(env map[string]string) error {
		r := config.New(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		config.ReadRedisTLS(r, config.ReadRedisURL(r))
		return r.Err()
	}
	assert.NoError(t, read(map[string]string{}))
	assert.NoError(t, read(map[string]string{"REDIS_URL": "rediss://r:6380/0", "REDIS_TLS_CA_FILE": ca}))

	err := read(map[string]string{"REDIS_URL": "rediss://r:6380/0", "REDIS_TLS_CA_FILE": filepath.Join(dir, "absent.crt")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "REDIS_TLS_CA_FILE: cannot read the file")

	err = read(map[string]string{"REDIS_URL": "rediss://r:6380/0", "REDIS_TLS_CERT_FILE": ca})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "must be set together")

	err = read(map[string]string{"REDIS_URL": "redis://r:6379/0", "REDIS_TLS_CA_FILE": ca})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "REDIS_URL: REDIS_TLS_* is set but REDIS_URL is not rediss://")
}

func TestRedisOptions(t *testing.T) {
	opts, err := tlsconf.RedisOptions("redis://127.0.0.1:6379/0", config.RedisTLS{})
	require.NoError(t, err)
	assert.Nil(t, opts.TLSConfig, "redis:// stays plain")

	opts, err = tlsconf.RedisOptions("rediss://redis.internal:6380/0", config.RedisTLS{})
	require.NoError(t, err)
	require.NotNil(t, opts.TLSConfig)
	assert.Equal(t, "redis.internal", opts.TLSConfig.ServerName, "the host name is verified")
	assert.Nil(t, opts.TLSConfig.RootCAs, "system roots without a CA file")

	bad := filepath.Join(t.TempDir(), "ca.crt")
	require.NoError(t, os.WriteFile(bad, []byte("not a certificate"), 0o600))
	_, err = tlsconf.RedisOptions("rediss://redis.internal:6380/0", config.RedisTLS{CAFile: bad})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "REDIS_TLS_CA_FILE: no PEM certificate")

	_, err = tlsconf.RedisOptions("redis://127.0.0.1:6379/0", config.RedisTLS{CAFile: bad})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not rediss://")
}

func TestPostgresConfigKeepsTheURLsTLS(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.crt")
	_, err := tlsconf.PostgresPoolConfig("postgres://u@db.internal:5432/askpro?sslmode=verify-full&sslrootcert=" + ca)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DATABASE_URL sslrootcert")

	cfg, err := tlsconf.PostgresPoolConfig("postgres://u@db.internal:5432/askpro?sslmode=verify-full&sslrootcert=system")
	require.NoError(t, err)
	require.NotNil(t, cfg.ConnConfig.TLSConfig)
	assert.Equal(t, "db.internal", cfg.ConnConfig.TLSConfig.ServerName)
	assert.False(t, cfg.ConnConfig.TLSConfig.InsecureSkipVerify, "verify-full verifies chain and host name")
	assert.Empty(t, cfg.ConnConfig.Fallbacks, "verify-full never falls back to plain text")
}
