package database

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// conflictingWrite makes the first attempts of a SERIALIZABLE transaction fail for real: the
// transaction reads a row (taking its snapshot), another transaction updates and commits that
// row, and the first one's own update then fails with SQLSTATE 40001.
func conflictingWrite(e *env, companyID string, failures int, attempts *int) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		ctx := context.Background()
		*attempts++
		var name string
		if err := tx.QueryRow(ctx, `SELECT name FROM companies WHERE id = $1`, companyID).Scan(&name); err != nil {
			return err
		}
		if *attempts <= failures {
			if _, err := e.pool.Exec(ctx, `UPDATE companies SET updated_at = now() WHERE id = $1`, companyID); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE companies SET name = $2 WHERE id = $1`, companyID, name+"!")
		return err
	}
}

func TestSerializationFailureIsRetried(t *testing.T) {
	e := newEnv(t, false)
	tn := newTenant(t, e.store, "Salon")
	serializable := pgx.TxOptions{IsoLevel: pgx.Serializable}

	attempts := 0
	err := e.store.inTxOpts(t.Context(), serializable, conflictingWrite(e, tn.company.ID, 1, &attempts))
	require.NoError(t, err)
	require.Equal(t, 2, attempts, "the 40001 of the first attempt was retried once")
	got, err := e.store.Company(t.Context(), tn.company.ID)
	require.NoError(t, err)
	require.Equal(t, "Salon!", got.Name, "the retry committed exactly once")

	attempts = 0
	err = e.store.inTxOpts(t.Context(), serializable, conflictingWrite(e, tn.company.ID, 10, &attempts))
	require.Error(t, err)
	require.Equal(t, codeSerializationFailure, sqlState(err))
	require.Equal(t, 3, attempts, "three attempts by default, then the error")
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
