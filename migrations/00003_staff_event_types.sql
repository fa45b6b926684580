-- +goose Up
-- The catalogue a caller chooses from: staff, services (Cal.com event types), who offers what,
-- and when staff work.

CREATE TABLE staff (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id      uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    branch_id       uuid        NOT NULL,
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Lower-case names callers use ("Steffi" for Stefanie); matched together with name.
    aliases         text[]      NOT NULL DEFAULT '{}',
    calcom_user_id  bigint,
    active          boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, id),
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id) ON DELETE CASCADE
);

CREATE INDEX staff_company_idx ON staff (company_id, branch_id) WHERE active;
CREATE INDEX staff_aliases_idx ON staff USING gin (aliases);

CREATE TABLE event_types (
    id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id            uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    -- NULL: offered in every branch of the company.
    branch_id             uuid,
    calcom_event_type_id  bigint      NOT NULL,
    name                  text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Lower-case spoken forms ("herrenschnitt", "haare schneiden").
    aliases               text[]      NOT NULL DEFAULT '{}',
    duration_minutes      integer     NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    price_cents           integer     CHECK (price_cents >= 0),
    currency              text        NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    active                boolean     NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, id),
    UNIQUE (company_id, calcom_event_type_id),
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id) ON DELETE CASCADE
);

CREATE INDEX event_types_aliases_idx ON event_types USING gin (aliases);

CREATE TABLE staff_event_types (
    company_id     uuid NOT NULL,
    staff_id       uuid NOT NULL,
    event_type_id  uuid NOT NULL,
    PRIMARY KEY (staff_id, event_type_id),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, event_type_id) REFERENCES event_types (company_id, id) ON DELETE CASCADE
);

CREATE INDEX staff_event_types_event_idx ON staff_event_types (event_type_id);

-- Weekly working hours are wall-clock times in the branch's time zone (so "09:00" stays 09:00
-- across the clock change); every instant elsewhere is a timestamptz.
CREATE TABLE working_hours (
    id          uuid     PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id  uuid     NOT NULL,
    staff_id    uuid     NOT NULL,
    weekday     smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 = Monday
    start_time  time     NOT NULL,
    end_time    time     NOT NULL,
    valid_from  date,
    valid_until date,
    CHECK (end_time > start_time),
    CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id) ON DELETE CASCADE
);

CREATE INDEX working_hours_staff_idx ON working_hours (staff_id, weekday);

CREATE TABLE time_off (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id  uuid        NOT NULL,
    staff_id    uuid        NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    reason      text,
    CHECK (ends_at > starts_at),
    FOREIGN KEY (company_id, staff_id) REFERENCES staff (company_id, id) ON DELETE CASCADE
);

CREATE INDEX time_off_staff_idx ON time_off USING gist (staff_id, tstzrange(starts_at, ends_at));

-- +goose Down
DROP TABLE time_off;
DROP TABLE working_hours;
DROP TABLE staff_event_types;
DROP TABLE event_types;
DROP TABLE staff;
