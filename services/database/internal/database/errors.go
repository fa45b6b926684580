package database

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Domain errors. Handlers map them to wire codes; their messages carry no data.
var (
	// ErrNotFound: the record does not exist for this tenant (it may exist for another).
	ErrNotFound = errors.New("not found")
	// ErrSlotTaken: the appointment overlaps an active one of the same staff member.
	ErrSlotTaken = errors.New("slot taken")
	// ErrValidation: the request carries data the schema refuses.
	ErrValidation = errors.New("invalid data")
	// ErrStale: a conditional write found the record at another version than the one it
	// names (it changed since the writer read it).
	ErrStale = errors.New("stale version")
)

// SQLSTATE codes the store reacts to.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeUniqueViolation      = "23505"
	codeExclusionViolation   = "23P01"
	codeForeignKeyViolation  = "23503"
	codeCheckViolation       = "23514"
	codeNotNullViolation     = "23502"
	codeRaiseException       = "P0001"
)

// unavailable reports whether err means PostgreSQL could not be reached or dropped the
// connection: a failure of the moment that a retry may not meet, not a fault of the request.
func unavailable(err error) bool {
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return false // the caller's deadline, not the database (it also satisfies net.Error)
	case errors.As(err, &connErr), errors.As(err, &netErr), pgconn.SafeToRetry(err):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01-57P03: shutdown, crash or start-up under way.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return errors.Is(err, io.ErrUnexpectedEOF)
}

// classify turns driver errors into domain errors, keeping the cause for the log. It runs once,
// at the edge of each store method.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch {
	case pgErr.TableName == "appointments" &&
		(pgErr.Code == codeExclusionViolation || pgErr.Code == codeUniqueViolation):
		return fmt.Errorf("%w: %w", ErrSlotTaken, err)
	case pgErr.Code == codeForeignKeyViolation:
		// Composite (company_id, id) keys: a reference into another tenant fails here too.
		return fmt.Errorf("%w: referenced record: %w", ErrNotFound, err)
	case pgErr.Code == codeCheckViolation, pgErr.Code == codeNotNullViolation,
		pgErr.Code == codeUniqueViolation, pgErr.Code == codeExclusionViolation,
		pgErr.Code == codeRaiseException, len(pgErr.Code) == 5 && pgErr.Code[:2] == "22":
		return fmt.Errorf("%w: %w", ErrValidation, err)
	}
	return err
}

// reasonError is an ErrValidation whose reason was written by us and is safe to show callers
// (it never carries their data back).
type reasonError struct{ reason string }

func (e *reasonError) Error() string        { return ErrValidation.Error() + ": " + e.reason }
func (e *reasonError) Is(target error) bool { return target == ErrValidation }

// invalid builds an ErrValidation for a problem found before the database is asked.
func invalid(format string, args ...any) error {
	return &reasonError{reason: fmt.Sprintf(format, args...)}
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
