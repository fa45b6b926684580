-- +goose Up
-- A call's version counts its writes. A writer that derives from what it read (the call
-- service's extraction) saves only if the call is still at the version it read, so a slow
-- job can never overwrite what a newer one stored from newer inputs (calls.save if_version).
ALTER TABLE calls ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version > 0);

-- +goose Down
ALTER TABLE calls DROP COLUMN version;
