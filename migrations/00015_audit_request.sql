-- +goose Up
-- Issue 21 / 26: an audit row says where the change came from, beside who made it. The actor
-- is the caller's identity from the bus envelope (api:<key id>, retell:<call id>,
-- cli:<operator>, or a service's own name); ip and user_agent are the HTTP client's, as the
-- gateway saw them. Both are NULL for changes that did not come through the HTTP edge, and for
-- every row written before this migration.
ALTER TABLE audit_log
    ADD COLUMN ip         inet,
    ADD COLUMN user_agent text CHECK (octet_length(user_agent) <= 256);

-- +goose Down
ALTER TABLE audit_log DROP COLUMN user_agent, DROP COLUMN ip;
