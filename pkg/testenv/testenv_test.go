package testenv_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/pkg/testenv"
)

func TestPostgresIsFreshAndMigrated(t *testing.T) {
	a := testenv.Postgres(t)
	b := testenv.Postgres(t)
	var nameA, nameB string
	require.NoError(t, a.QueryRow(t.Context(), "SELECT current_database()").Scan(&nameA))
	require.NoError(t, b.QueryRow(t.Context(), "SELECT current_database()").Scan(&nameB))
	require.NotEqual(t, nameA, nameB, "each call gets its own database")

	var version int64
	require.NoError(t, a.QueryRow(t.Context(), "SELECT max(version_id) FROM goose_db_version").Scan(&version))
	require.Positive(t, version)

	_, err := a.Exec(t.Context(), "CREATE TABLE scratch (id int)")
	require.NoError(t, err)
	var n int
	require.NoError(t, b.QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE tablename = 'scratch'").Scan(&n))
	require.Zero(t, n, "databases are isolated")
}

func TestRedisPrefixIsolatedAndCleaned(t *testing.T) {
	var prefix string
	t.Run("inner", func(t *testing.T) {
		env := testenv.Redis(t)
		prefix = env.Prefix
		require.NoError(t, env.Client.Set(t.Context(), env.Prefix+"k", "v", time.Minute).Err())
	})
	outer := testenv.Redis(t)
	require.NotEqual(t, prefix, outer.Prefix)
	n, err := outer.Client.Exists(t.Context(), prefix+"k").Result()
	require.NoError(t, err)
	require.Zero(t, n, "keys under a finished test's prefix are deleted")
}

func TestEventually(t *testing.T) {
	start := time.Now()
	testenv.Eventually(t, 30*time.Second, func() bool { return time.Since(start) > 20*time.Millisecond })
}
