-- +goose Up
-- audit_log: who changed what on behalf of which tenant. Append-only: a trigger refuses UPDATE,
-- DELETE and TRUNCATE, so not even a buggy query of ours can rewrite history.
CREATE TABLE audit_log (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id   uuid        NOT NULL REFERENCES companies (id),
    actor        text        NOT NULL,
    action       text        NOT NULL,
    entity       text        NOT NULL,
    entity_id    text        NOT NULL,
    data         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_log_company_idx ON audit_log (company_id, created_at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- outbox: events written in the same transaction as the data they describe, published by the
-- relay afterwards (at least once, in id order per aggregate) and then marked sent. Because the
-- writer locks the aggregate's row before it inserts here, a later change of one aggregate
-- always gets a larger id than an earlier, committed one.
CREATE TABLE outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id      uuid        NOT NULL,
    aggregate_type  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    topic           text        NOT NULL,
    payload         jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    attempts        integer     NOT NULL DEFAULT 0
);

CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;

-- processed_webhooks: the inbox. A webhook's delivery key is inserted in the transaction that
-- applies it; a duplicate delivery hits the primary key and is skipped.
CREATE TABLE processed_webhooks (
    source        text        NOT NULL,
    key           text        NOT NULL,
    company_id    uuid        REFERENCES companies (id) ON DELETE CASCADE,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, key)
);

CREATE INDEX processed_webhooks_age_idx ON processed_webhooks (processed_at);

-- +goose Down
DROP TABLE processed_webhooks;
DROP TABLE outbox;
DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse_change();
