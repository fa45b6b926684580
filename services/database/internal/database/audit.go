package database

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	api "github.com/askproai/backend/pkg/api/database"
	"github.com/askproai/backend/pkg/rpc"
)

const (
	sqlAuditInsert = `INSERT INTO audit_log (company_id, actor, ip, user_agent, action, entity, entity_id, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	// The notification wakes the relay when the transaction commits (and not before).
	sqlOutboxLock   = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_notify('` + outboxChannel + `', '')`
	sqlOutboxInsert = `INSERT INTO outbox (company_id, aggregate_type, aggregate_id, topic, payload)
VALUES ($1, $2, $3, $4, $5)`
	sqlInboxClaim = `INSERT INTO processed_webhooks (source, key, company_id) VALUES ($1, $2, $3)
ON CONFLICT (source, key) DO NOTHING`
)

// defaultActor names changes whose request carried no identity.
const defaultActor = "system"

// auditSource is who made a change and from where, as an audit row records it: the identity
// of the request (rpc.IdentityFrom), never anything the caller wrote into params.
type auditSource struct {
	actor     string
	ip        *string // NULL unless the identity carries a valid address
	userAgent *string
}

func sourceOf(ctx context.Context) auditSource {
	id, ok := rpc.IdentityFrom(ctx)
	if !ok {
		return auditSource{actor: defaultActor}
	}
	src := auditSource{actor: id.Actor}
	// A bad address must not fail the change it records: it is left out instead.
	if a, err := netip.ParseAddr(id.IP); err == nil {
		ip := a.Unmap().String()
		src.ip = &ip
	}
	if ua := cleanText(id.UserAgent, rpc.MaxUserAgent); ua != "" {
		src.userAgent = &ua
	}
	return src
}

// cleanText makes s storable as PostgreSQL text of at most n bytes: valid UTF-8, no NUL.
func cleanText(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "")
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// audit appends to audit_log inside tx, so a change and its record commit together; the actor,
// address and user agent come from ctx's identity. data must hold no PII: ids, statuses and
// times only.
func audit(ctx context.Context, tx pgx.Tx, companyID, action, entity, entityID string, data map[string]any) error {
	var w writes
	w.audit(ctx, companyID, action, entity, entityID, data)
	return w.run(ctx, tx)
}

// enqueue writes an event to the outbox inside tx. The advisory lock on the aggregate, held until
// commit, makes the ids of one aggregate's events follow commit order, which is what lets the
// relay publish in id order.
func enqueue(ctx context.Context, tx pgx.Tx, companyID, aggregateType, aggregateID, topic string, payload any) error {
	var w writes
	w.enqueue(companyID, aggregateType, aggregateID, topic, payload)
	return w.run(ctx, tx)
}

// AppendAudit records a change a caller made elsewhere on behalf of the tenant, by the
// request's identity.
func (s *Store) AppendAudit(ctx context.Context, p api.AuditAppendParams) error {
	if err := checkIDs(p.CompanyID); err != nil {
		return err
	}
	if p.Action == "" || p.Entity == "" {
		return invalid("action and entity are required")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		return audit(ctx, tx, p.CompanyID, p.Action, p.Entity, p.EntityID, p.Data)
	})
}

// AppendOutbox queues an event for the relay.
func (s *Store) AppendOutbox(ctx context.Context, p api.OutboxAppendParams) error {
	if err := checkIDs(p.CompanyID); err != nil {
		return err
	}
	if p.AggregateType == "" || p.AggregateID == "" || p.Topic == "" {
		return invalid("aggregate and topic are required")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		return enqueue(ctx, tx, p.CompanyID, p.AggregateType, p.AggregateID, p.Topic, p.Payload)
	})
}

// ClaimInbox records a webhook delivery and reports whether it is the first one.
func (s *Store) ClaimInbox(ctx context.Context, p api.InboxClaimParams) (bool, error) {
	if err := optionalID(p.CompanyID); err != nil {
		return false, err
	}
	if p.Source == "" || p.Key == "" {
		return false, invalid("source and key are required")
	}
	tag, err := s.write.Exec(ctx, sqlInboxClaim, p.Source, p.Key, nullable(p.CompanyID))
	if err != nil {
		return false, fmt.Errorf("claim inbox %s: %w", p.Source, classify(err))
	}
	return tag.RowsAffected() == 1, nil
}
