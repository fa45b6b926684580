-- +goose Up
-- A booking made during a live call knows Retell's call id, but our call row may not exist yet:
-- call_started is processed from the inbox asynchronously, and Retell may deliver it late or
-- after a retry. The appointment therefore keeps Retell's id, and whichever of the two writes
-- comes second links call and appointment both ways (appointments.create looks up call_keys;
-- calls.save looks up appointments), so the order of events never matters.
ALTER TABLE appointments ADD COLUMN retell_call_id text;
CREATE INDEX appointments_retell_call_idx ON appointments (company_id, retell_call_id)
    WHERE retell_call_id IS NOT NULL;

-- +goose Down
DROP INDEX appointments_retell_call_idx;
ALTER TABLE appointments DROP COLUMN retell_call_id;
