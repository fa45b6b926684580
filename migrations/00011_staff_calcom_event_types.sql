-- +goose Up
-- In Cal.com an event type has its host: a salon whose services are the owner's event types
-- can book only one customer at a time, whoever does the work. Each staff member is therefore
-- booked through their own Cal.com event type of a service when they have one (the service
-- under their Cal.com user); NULL means the service's own calcom_event_type_id. One Cal.com
-- event type backs at most one staff member's service of a company.
ALTER TABLE staff_event_types ADD COLUMN calcom_event_type_id bigint
    CHECK (calcom_event_type_id > 0);
CREATE UNIQUE INDEX staff_event_types_calcom_idx ON staff_event_types (company_id, calcom_event_type_id)
    WHERE calcom_event_type_id IS NOT NULL;

-- +goose Down
DROP INDEX staff_event_types_calcom_idx;
ALTER TABLE staff_event_types DROP COLUMN calcom_event_type_id;
