-- +goose Up
-- Cal.com's own limits of an event type (issue 23), as last read by the calcom service's
-- syncEventTypeLimits (GET /v2/event-types/{id}): minimumBookingNotice in minutes and the
-- bookingWindow turned into days from the day of the sync. NULL: Cal.com sets none (or it was
-- never synced). Where set, they win over minimum_notice_minutes / booking_horizon_days (the
-- tenant's YAML) and the company's defaults; the tenant's columns are kept apart so a sync never
-- overwrites what the tenant wrote.
ALTER TABLE event_types
    ADD COLUMN calcom_minimum_notice_minutes integer CHECK (calcom_minimum_notice_minutes >= 0),
    ADD COLUMN calcom_booking_horizon_days   integer CHECK (calcom_booking_horizon_days >= 0),
    ADD COLUMN calcom_synced_at              timestamptz;

-- +goose Down
ALTER TABLE event_types DROP COLUMN calcom_synced_at, DROP COLUMN calcom_booking_horizon_days,
    DROP COLUMN calcom_minimum_notice_minutes;
