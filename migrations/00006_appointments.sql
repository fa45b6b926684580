-- +goose Up
-- Appointments. The database, not the Redis slot lock, guarantees that no staff member is ever
-- double-booked: the exclusion constraint below refuses any active appointment whose time range
-- overlaps another active one of the same staff member, including ranges with different starts
-- ([10:00,11:00) against [10:30,11:30)). Half-open ranges let back-to-back appointments touch.

CREATE TABLE appointments (
    id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id           uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id            uuid        NOT NULL,
    staff_id             uuid        NOT NULL,
    event_type_id        uuid,
    customer_id          uuid,
    call_id              uuid,
    calcom_booking_id    text,
    start_time           timestamptz NOT NULL,
    end_time             timestamptz NOT NULL,
    status               text        NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'confirmed', 'cancelled', 'rescheduled', 'completed', 'no_show')),
    source               text        NOT NULL DEFAULT 'phone'
        CHECK (source IN ('phone', 'web', 'calcom', 'manual', 'api')),
    -- Read out on the phone and typed back by callers: six characters from an alphabet without
    -- the look-alikes 0/O and 1/I.
    confirmation_number  text        NOT NULL UNIQUE CHECK (confirmation_number ~ '^[A-HJ-NP-Z2-9]{6}$'),
    -- Set on the new appointment of a reschedule; the old one keeps status 'rescheduled'.
    rescheduled_from     uuid,
    notes                text,
    cancel_reason        text,
    cancelled_at         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT appointments_end_after_start CHECK (end_time > start_time),
    CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
        staff_id WITH =,
        tstzrange(start_time, end_time) WITH &&
    ) WHERE (status IN ('scheduled', 'confirmed')),
    UNIQUE (company_id, id),
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id),
    FOREIGN KEY (company_id, event_type_id) REFERENCES event_types (company_id, id),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id),
    FOREIGN KEY (company_id, call_id) REFERENCES call_keys (company_id, id),
    FOREIGN KEY (company_id, rescheduled_from) REFERENCES appointments (company_id, id)
);

-- The seed's index for active lookups: "what is booked in this branch from now on".
CREATE INDEX appointments_active_idx ON appointments (company_id, branch_id, start_time)
    WHERE status IN ('scheduled', 'confirmed');
CREATE INDEX appointments_customer_idx ON appointments (company_id, customer_id, start_time);
-- A Cal.com booking backs at most one active appointment; a rescheduled one may hand its
-- booking id on to its successor.
CREATE UNIQUE INDEX appointments_calcom_booking_idx ON appointments (company_id, calcom_booking_id)
    WHERE calcom_booking_id IS NOT NULL AND status IN ('scheduled', 'confirmed');

-- The call ↔ appointment link in the other direction.
ALTER TABLE calls ADD CONSTRAINT calls_appointment_fk
    FOREIGN KEY (company_id, appointment_id) REFERENCES appointments (company_id, id);

-- +goose Down
ALTER TABLE calls DROP CONSTRAINT calls_appointment_fk;
DROP TABLE appointments;
