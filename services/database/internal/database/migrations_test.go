package database

import (
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/askproai/backend/migrations"
	"github.com/askproai/backend/pkg/testenv"
)

// The schema migrates forward from an empty database and from every earlier version, keeping
// the data written at that version.
func TestMigrationsRunFromEmptyAndEveryEarlierVersion(t *testing.T) {
	versions, err := migrations.Versions()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(versions), 8)
	latest := versions[len(versions)-1]
	starts := append([]int64{0}, versions[:len(versions)-1]...)
	for _, from := range starts {
		t.Run("from "+strconv.FormatInt(from, 10), func(t *testing.T) {
			url := testenv.EmptyPostgresURL(t)
			ctx := t.Context()
			if from > 0 {
				require.NoError(t, migrations.UpTo(ctx, url, from))
			}
			conn, err := pgx.Connect(ctx, url)
			require.NoError(t, err)
			defer conn.Close(ctx)
			seeded := from >= 2 // companies exist from version 2 on
			if seeded {
				_, err := conn.Exec(ctx, `INSERT INTO companies (name, api_key_digest, api_key_prefix)
					VALUES ('Early', sha256('k'::bytea), 'ak_early')`)
				require.NoError(t, err)
			}
			got, err := migrations.Up(ctx, url)
			require.NoError(t, err)
			require.Equal(t, latest, got)
			var companies int
			require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM companies`).Scan(&companies))
			require.Equal(t, map[bool]int{true: 1, false: 0}[seeded], companies)
			_, err = conn.Exec(ctx, `REFRESH MATERIALIZED VIEW CONCURRENTLY daily_booking_stats`)
			require.NoError(t, err)
		})
	}
}

// Every Down section undoes its Up: down to nothing and up again ends at the same schema.
func TestMigrationsRollBackAndReapply(t *testing.T) {
	url := testenv.EmptyPostgresURL(t)
	ctx := t.Context()
	first, err := migrations.Up(ctx, url)
	require.NoError(t, err)
	require.NoError(t, migrations.DownTo(ctx, url, 0))
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var left int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`).Scan(&left))
	require.Zero(t, left)
	again, err := migrations.Up(ctx, url)
	require.NoError(t, err)
	require.Equal(t, first, again)
}
