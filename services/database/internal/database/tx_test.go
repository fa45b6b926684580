package database

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

var serializable = pgx.TxOptions{IsoLevel: pgx.Serializable}

// conflict builds the body of a SERIALIZABLE transaction whose first `failures` attempts fail
// for real with SQLSTATE 40001: it reads row `read`, then a second SERIALIZABLE transaction
// runs to commit in between (reading `otherRead` and writing `otherWrite`), and then the first
// one writes row `write`.
//
//   - concurrent update: read = write = otherWrite = A. The first transaction's update meets a
//     row changed after its snapshot.
//   - write skew: read A, write B; the other reads B, writes A. Neither writes what the other
//     writes, but the read/write dependencies form a cycle, which SSI refuses.
func conflict(e *env, read, write, otherRead, otherWrite string, failures int, attempts *int) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		ctx := context.Background()
		*attempts++
		var name string
		if err := tx.QueryRow(ctx, `SELECT name FROM companies WHERE id = $1`, read).Scan(&name); err != nil {
			return err
		}
		if *attempts <= failures {
			err := pgx.BeginTxFunc(ctx, e.pool, serializable, func(other pgx.Tx) error {
				var n string
				if err := other.QueryRow(ctx, `SELECT name FROM companies WHERE id = $1`, otherRead).Scan(&n); err != nil {
					return err
				}
				_, err := other.Exec(ctx, `UPDATE companies SET updated_at = now() WHERE id = $1`, otherWrite)
				return err
			})
			if err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE companies SET name = name || '!' WHERE id = $1`, write)
		return err
	}
}

func TestSerializationFailureIsRetried(t *testing.T) {
	e := newEnv(t, false)
	a := newTenant(t, e.store, "A").company.ID
	b := newTenant(t, e.store, "B").company.ID
	cases := []struct {
		name                               string
		read, write, otherRead, otherWrite string
	}{
		{"concurrent update", a, a, a, a},
		{"write skew", a, b, b, a},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before string
			require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT name FROM companies WHERE id = $1`, tc.write).Scan(&before))
			attempts := 0
			err := e.store.inTxOpts(t.Context(), serializable, conflict(e, tc.read, tc.write, tc.otherRead, tc.otherWrite, 1, &attempts))
			require.NoError(t, err)
			require.Equal(t, 2, attempts, "the 40001 of the first attempt was retried once")
			var after string
			require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT name FROM companies WHERE id = $1`, tc.write).Scan(&after))
			require.Equal(t, before+"!", after, "the retry committed exactly once")

			attempts = 0
			err = e.store.inTxOpts(t.Context(), serializable, conflict(e, tc.read, tc.write, tc.otherRead, tc.otherWrite, 10, &attempts))
			require.Error(t, err)
			require.Equal(t, codeSerializationFailure, sqlState(err))
			require.Equal(t, 3, attempts, "three attempts by default, then the error")
		})
	}
}

func TestOtherErrorsAreNotRetried(t *testing.T) {
	e := newEnv(t, false)
	attempts := 0
	boom := errors.New("boom")
	err := e.store.inTx(t.Context(), func(pgx.Tx) error { attempts++; return boom })
	require.ErrorIs(t, err, boom)
	err = e.store.inTx(t.Context(), func(tx pgx.Tx) error {
		attempts++
		_, err := tx.Exec(t.Context(), `INSERT INTO companies (name, api_key_digest, api_key_prefix) VALUES ('', 'x', 'abcd')`)
		return err
	})
	require.ErrorIs(t, err, ErrValidation)
	require.Equal(t, 2, attempts)
}
