package database

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
)

const (
	callColumns = `id::text, company_id::text, branch_id::text, COALESCE(customer_id::text, ''),
retell_call_id, from_number, COALESCE(to_number, ''), status,
COALESCE(duration_seconds, 0), COALESCE(recording_url, ''), transcript,
COALESCE(sentiment, ''), metadata, COALESCE(appointment_id::text, ''), started_at, ended_at, version`
	sqlCallKeyInsert = `INSERT INTO call_keys (company_id, retell_call_id, started_at) VALUES ($1, $2, $3)
ON CONFLICT (retell_call_id) DO NOTHING RETURNING id::text, started_at`
	// The loser of a concurrent first ingest (or any later webhook) locks the call's key row, so
	// updates of one call run one after another.
	sqlCallKeyLock = `SELECT id::text, company_id::text, started_at FROM call_keys
WHERE retell_call_id = $1 FOR UPDATE`
	sqlCallInsert = `INSERT INTO calls (id, company_id, branch_id, customer_id, retell_call_id, from_number,
  to_number, status, duration_seconds, recording_url, transcript, sentiment, metadata, raw_payload,
  started_at, ended_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, COALESCE($13, '{}'::jsonb), $14, $15, $16)
RETURNING ` + callColumns
	// Status moves only forward by call_status_rank; the raw payload follows the status, so a
	// late "ongoing" webhook neither rewinds the call nor replaces the analyzed payload. Other
	// fields fill in when the webhook carries them.
	sqlCallUpdate = `UPDATE calls SET
  status = CASE WHEN call_status_rank($4) >= call_status_rank(status) THEN $4 ELSE status END,
  raw_payload = CASE WHEN call_status_rank($4) >= call_status_rank(status)
                     THEN COALESCE($5, raw_payload) ELSE raw_payload END,
  customer_id = COALESCE(customer_id, $6),
  from_number = COALESCE(from_number, $7),
  to_number = COALESCE(to_number, $8),
  duration_seconds = COALESCE($9, duration_seconds),
  recording_url = COALESCE($10, recording_url),
  transcript = COALESCE($11, transcript),
  -- Retell's own call_analysis outranks our rule-based estimate: a save that does not carry
  -- the analysis (the extraction job) never replaces a sentiment stored with it, whichever
  -- finishes last.
  sentiment = CASE WHEN sentiment IS NOT NULL AND sentiment <> 'unknown' AND metadata ? 'call_analysis'
                        AND NOT (COALESCE($13, '{}'::jsonb) ? 'call_analysis')
                   THEN sentiment ELSE COALESCE($12, sentiment) END,
  metadata = metadata || COALESCE($13, '{}'::jsonb),
  ended_at = COALESCE($14, ended_at),
  updated_at = now(),
  version = version + 1
WHERE company_id = $1 AND id = $2 AND started_at = $3 AND ($15::bigint IS NULL OR version = $15)
RETURNING ` + callColumns
	sqlCallByID = `SELECT ` + callColumns + ` FROM calls
WHERE company_id = $1 AND (id, started_at) =
  (SELECT id, started_at FROM call_keys WHERE company_id = $1 AND id = $2)`
	sqlCallByRetellID = `SELECT ` + callColumns + ` FROM calls
WHERE company_id = $1 AND (id, started_at) =
  (SELECT id, started_at FROM call_keys WHERE company_id = $1 AND retell_call_id = $2)`
	sqlCallKeyByID = `SELECT started_at FROM call_keys WHERE company_id = $1 AND id = $2 FOR UPDATE`
	sqlCallLink    = `UPDATE calls SET appointment_id = $4, updated_at = now(), version = version + 1
WHERE company_id = $1 AND id = $2 AND started_at = $3 RETURNING ` + callColumns
	sqlAppointmentSetCall = `UPDATE appointments SET call_id = COALESCE(call_id, $2), updated_at = now()
WHERE company_id = $1 AND id = $3`
	sqlCallKeyByRetell = `SELECT id::text, started_at FROM call_keys
WHERE company_id = $1 AND retell_call_id = $2 FOR UPDATE`
	sqlCallLinkIfUnset = `UPDATE calls SET appointment_id = $4, updated_at = now(), version = version + 1
WHERE company_id = $1 AND id = $2 AND started_at = $3 AND appointment_id IS NULL`
	// The newest appointment booked in the call becomes the call's link; every one of them gets
	// the call id.
	sqlAppointmentsClaimCall = `UPDATE appointments SET call_id = $2, updated_at = now()
WHERE company_id = $1 AND retell_call_id = $3 AND call_id IS NULL
RETURNING id::text, created_at`
)

// scanCall reads a call row and opens its sealed fields.
func (s *Store) scanCall(row pgx.Row) (api.Call, error) {
	var c api.Call
	var from, transcript []byte
	err := row.Scan(&c.ID, &c.CompanyID, &c.BranchID, &c.CustomerID, &c.RetellCallID, &from,
		&c.ToNumber, &c.Status, &c.DurationSeconds, &c.RecordingURL, &transcript, &c.Sentiment,
		&c.Metadata, &c.AppointmentID, &c.StartedAt, &c.EndedAt, &c.Version)
	if err != nil {
		return api.Call{}, err
	}
	if c.FromNumber, err = s.cipher.Open(from, c.CompanyID, "call.from_number"); err != nil {
		return api.Call{}, err
	}
	if c.Transcript, err = s.cipher.Open(transcript, c.CompanyID, "call.transcript"); err != nil {
		return api.Call{}, err
	}
	return c, nil
}

// sealedCall holds a save's PII fields sealed for the tenant (nil when absent).
type sealedCall struct{ from, transcript, raw []byte }

func (s *Store) sealCall(p api.SaveCallParams) (sealedCall, error) {
	var out sealedCall
	var err error
	if out.from, err = s.cipher.Seal(p.FromNumber, p.CompanyID, "call.from_number"); err != nil {
		return out, err
	}
	if out.transcript, err = s.cipher.Seal(p.Transcript, p.CompanyID, "call.transcript"); err != nil {
		return out, err
	}
	if len(p.RawPayload) > 0 && !json.Valid(p.RawPayload) {
		return out, invalid("raw_payload is not JSON")
	}
	out.raw, err = s.cipher.Seal(string(p.RawPayload), p.CompanyID, "call.raw_payload")
	return out, err
}

// SaveCall records a call webhook: the caller becomes a customer (find-or-create) and the call
// is inserted or updated by its Retell id, both in one transaction with its audit entry and
// call.saved event. Repeating a webhook changes nothing; an older one never rewinds the status.
// The transaction costs three round trips between BEGIN and COMMIT (see saveCall).
func (s *Store) SaveCall(ctx context.Context, p api.SaveCallParams) (api.Call, error) {
	if err := checkIDs(p.CompanyID, p.BranchID); err != nil {
		return api.Call{}, err
	}
	if p.RetellCallID == "" || p.Status == "" || p.StartedAt.IsZero() {
		return api.Call{}, invalid("retell_call_id, status and started_at are required")
	}
	if p.IfVersion < 0 {
		return api.Call{}, invalid("if_version must be positive")
	}
	sealed, err := s.sealCall(p)
	if err != nil {
		return api.Call{}, fmt.Errorf("save call: %w", err)
	}
	var c api.Call
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = s.saveCall(ctx, tx, p, sealed)
		return err
	})
	if err != nil {
		return api.Call{}, fmt.Errorf("save call: %w", err)
	}
	return c, nil
}

// callKey is a call's row in call_keys, locked by the saving transaction.
type callKey struct {
	id, owner string
	startedAt time.Time
	inserted  bool // this transaction created it: the call row is still to be inserted
}

// saveCall is SaveCall's transaction in three round trips:
//  1. find the caller's customer and the call's key, locking the key, so saves of one call run
//     one after another (the first save of a call, or of a number, creates what is missing in
//     one more round trip: see customerLookup and createMissing);
//  2. insert or update the call row, and claim the appointments booked in the call before it
//     was stored (a fourth round trip links the newest, once per call);
//  3. the customer's and the call's audit entries and the call.saved event.
func (s *Store) saveCall(ctx context.Context, tx pgx.Tx, p api.SaveCallParams, sealed sealedCall) (api.Call, error) {
	// The other party becomes a customer; anonymous or malformed numbers have none (l is nil).
	number := p.CustomerNumber
	if number == "" {
		number = p.FromNumber
	}
	l, _ := s.newCustomerLookup(api.FindOrCreateCustomerParams{
		CompanyID: p.CompanyID, Phone: number, Name: p.CustomerName,
	})
	var b pgx.Batch
	if l != nil {
		l.queueFind(&b)
	}
	b.Queue(sqlCallKeyLock, p.RetellCallID)
	var key callKey
	var keyFound bool
	err := sendBatch(ctx, tx, &b, func(br pgx.BatchResults) error {
		if l != nil {
			if err := l.readFind(br); err != nil {
				return err
			}
		}
		var err error
		keyFound, err = readCallKey(br, &key)
		return err
	})
	if err != nil {
		return api.Call{}, err
	}
	if (l != nil && !l.found) || !keyFound {
		if err := s.createMissing(ctx, tx, p, l, &key, keyFound); err != nil {
			return api.Call{}, err
		}
	}
	if key.owner != p.CompanyID {
		return api.Call{}, fmt.Errorf("call of another tenant: %w", ErrNotFound)
	}

	var w writes
	var customerID any
	if l != nil {
		cust, err := s.customerWrites(ctx, &w, l.c, l.created, l.p)
		if err != nil {
			return api.Call{}, err
		}
		customerID = cust.ID
	}
	c, err := s.upsertCall(ctx, tx, p, sealed, key, customerID)
	if err != nil {
		return api.Call{}, err
	}

	w.audit(ctx, p.CompanyID, "call.saved", "call", c.ID, map[string]any{"status": c.Status})
	w.enqueue(p.CompanyID, "call", c.ID, api.TopicCallSaved, api.CallSavedEvent{
		CompanyID: c.CompanyID, CallID: c.ID, RetellCallID: c.RetellCallID, Status: c.Status,
		CustomerID: c.CustomerID, AppointmentID: c.AppointmentID, Derived: p.Derived,
	})
	return c, w.run(ctx, tx)
}

// createMissing creates, in one round trip, the customer and the call key that the first
// round trip did not find. The key is inserted unless a concurrent first save inserted it
// first, and locked either way.
func (s *Store) createMissing(ctx context.Context, tx pgx.Tx, p api.SaveCallParams, l *customerLookup, key *callKey, keyFound bool) error {
	var b pgx.Batch
	createCustomer := l != nil && !l.found
	if createCustomer {
		if err := l.queueCreate(&b); err != nil {
			return err
		}
	}
	if !keyFound {
		b.Queue(sqlCallKeyInsert, p.CompanyID, p.RetellCallID, p.StartedAt)
		b.Queue(sqlCallKeyLock, p.RetellCallID)
	}
	return sendBatch(ctx, tx, &b, func(br pgx.BatchResults) error {
		if createCustomer {
			if err := l.readCreate(br); err != nil {
				return err
			}
		}
		if keyFound {
			return nil
		}
		var id string
		var at time.Time
		err := br.QueryRow().Scan(&id, &at)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		key.inserted = err == nil
		found, err := readCallKey(br, key)
		if err == nil && !found {
			err = pgx.ErrNoRows
		}
		return err
	})
}

// readCallKey reads a sqlCallKeyLock result into key; false when there is no such key.
func readCallKey(br pgx.BatchResults, key *callKey) (bool, error) {
	err := br.QueryRow().Scan(&key.id, &key.owner, &key.startedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// upsertCall inserts or updates the call row and, in the same round trip, gives the call's id
// to the appointments booked in it before it was stored (see linkStoredCall for the other
// order); the newest of them becomes the call's link.
func (s *Store) upsertCall(ctx context.Context, tx pgx.Tx, p api.SaveCallParams, sealed sealedCall, key callKey, customerID any) (api.Call, error) {
	if key.inserted && p.IfVersion != 0 {
		return api.Call{}, ErrStale // there was no call to be at that version
	}
	var b pgx.Batch
	if key.inserted {
		b.Queue(sqlCallInsert, key.id, p.CompanyID, p.BranchID, customerID,
			p.RetellCallID, sealed.from, nullable(p.ToNumber), p.Status, p.DurationSeconds,
			nullable(p.RecordingURL), sealed.transcript, nullable(p.Sentiment), jsonParam(p.Metadata),
			sealed.raw, key.startedAt, p.EndedAt)
	} else {
		b.Queue(sqlCallUpdate, p.CompanyID, key.id, key.startedAt, p.Status,
			sealed.raw, customerID, sealed.from, nullable(p.ToNumber),
			p.DurationSeconds, nullable(p.RecordingURL), sealed.transcript, nullable(p.Sentiment),
			jsonParam(p.Metadata), p.EndedAt, nullableVersion(p.IfVersion))
	}
	b.Queue(sqlAppointmentsClaimCall, p.CompanyID, key.id, p.RetellCallID)
	var c api.Call
	var newest string
	err := sendBatch(ctx, tx, &b, func(br pgx.BatchResults) error {
		var err error
		c, err = s.scanCall(br.QueryRow())
		if errors.Is(err, pgx.ErrNoRows) && p.IfVersion != 0 {
			return ErrStale // the key is locked, so the row is there at another version
		}
		if err != nil {
			return err
		}
		newest, err = newestClaimed(br)
		return err
	})
	if err != nil || newest == "" || c.AppointmentID != "" {
		return c, err
	}
	return s.scanCall(tx.QueryRow(ctx, sqlCallLink, c.CompanyID, c.ID, c.StartedAt, newest))
}

// newestClaimed reads the appointments sqlAppointmentsClaimCall gave the call, and returns the
// newest one's id ("" for none).
func newestClaimed(br pgx.BatchResults) (string, error) {
	rows, err := br.Query()
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var newest string
	var newestAt time.Time
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return "", err
		}
		if newest == "" || at.After(newestAt) {
			newest, newestAt = id, at
		}
	}
	return newest, rows.Err()
}

// Call loads one call by our id or Retell's; (id, started_at) from call_keys prunes the scan
// to one partition.
func (s *Store) Call(ctx context.Context, p api.GetCallParams) (api.Call, error) {
	if err := checkIDs(p.CompanyID); err != nil {
		return api.Call{}, err
	}
	query, key := sqlCallByRetellID, p.RetellCallID
	if p.CallID != "" {
		if err := checkIDs(p.CallID); err != nil {
			return api.Call{}, err
		}
		query, key = sqlCallByID, p.CallID
	}
	if key == "" {
		return api.Call{}, invalid("call_id or retell_call_id is required")
	}
	c, err := s.scanCall(s.write.QueryRow(ctx, query, p.CompanyID, key))
	if err != nil {
		return api.Call{}, fmt.Errorf("load call: %w", classify(err))
	}
	return c, nil
}

// jsonParam passes a map to a jsonb parameter; nil is NULL.
func jsonParam(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// LinkAppointment links a call and the appointment booked during it, in both directions.
func (s *Store) LinkAppointment(ctx context.Context, p api.LinkAppointmentParams) (api.Call, error) {
	if err := checkIDs(p.CompanyID, p.CallID, p.AppointmentID); err != nil {
		return api.Call{}, err
	}
	var c api.Call
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var startedAt time.Time
		if err := tx.QueryRow(ctx, sqlCallKeyByID, p.CompanyID, p.CallID).Scan(&startedAt); err != nil {
			return err
		}
		var err error
		if c, err = s.scanCall(tx.QueryRow(ctx, sqlCallLink, p.CompanyID, p.CallID, startedAt, p.AppointmentID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlAppointmentSetCall, p.CompanyID, p.CallID, p.AppointmentID); err != nil {
			return err
		}
		return audit(ctx, tx, p.CompanyID, "call.linked", "call", p.CallID,
			map[string]any{"appointment_id": p.AppointmentID})
	})
	if err != nil {
		return api.Call{}, fmt.Errorf("link call %s: %w", p.CallID, err)
	}
	return c, nil
}
