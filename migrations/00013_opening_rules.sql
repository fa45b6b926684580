-- +goose Up
-- When a business can be booked (issue 23): the tenant's default notice and horizon, each
-- branch's Bundesland (its public holidays), its own closing days and the holidays it opens
-- on anyway, each staff member's hours per branch they work at, and per-service notice and
-- horizon overriding the tenant's defaults.

-- 0: the system defaults (120 minutes notice, 90 days ahead).
ALTER TABLE companies
    ADD COLUMN minimum_notice_minutes integer NOT NULL DEFAULT 0 CHECK (minimum_notice_minutes >= 0),
    ADD COLUMN booking_horizon_days   integer NOT NULL DEFAULT 0 CHECK (booking_horizon_days >= 0);

-- ISO 3166-2 code of the German state whose public holidays close the branch; NULL: none.
ALTER TABLE branches
    ADD COLUMN state text CHECK (state IN ('DE-BW', 'DE-BY', 'DE-BE', 'DE-BB', 'DE-HB', 'DE-HH',
        'DE-HE', 'DE-MV', 'DE-NI', 'DE-NW', 'DE-RP', 'DE-SL', 'DE-SN', 'DE-ST', 'DE-SH', 'DE-TH'));

-- The tenant's own closed days of a branch ("Betriebsferien"): local days first_day through
-- last_day, both inclusive.
CREATE TABLE branch_closing_days (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id  uuid NOT NULL,
    branch_id   uuid NOT NULL,
    first_day   date NOT NULL,
    last_day    date NOT NULL,
    label       text CHECK (length(label) <= 200),
    CHECK (last_day >= first_day),
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id) ON DELETE CASCADE
);

CREATE INDEX branch_closing_days_branch_idx ON branch_closing_days (branch_id, first_day);

-- Public holidays on which a branch opens anyway, with its weekly hours.
CREATE TABLE branch_open_holidays (
    company_id  uuid NOT NULL,
    branch_id   uuid NOT NULL,
    day         date NOT NULL,
    PRIMARY KEY (branch_id, day),
    FOREIGN KEY (company_id, branch_id) REFERENCES branches (company_id, id) ON DELETE CASCADE
);

-- Working hours are per branch: a staff member can work at two branches. Rows from before
-- belong to the staff member's own branch.
ALTER TABLE working_hours ADD COLUMN branch_id uuid;
UPDATE working_hours w SET branch_id = s.branch_id FROM staff s WHERE s.id = w.staff_id;
ALTER TABLE working_hours ALTER COLUMN branch_id SET NOT NULL;
ALTER TABLE working_hours ADD FOREIGN KEY (company_id, branch_id)
    REFERENCES branches (company_id, id) ON DELETE CASCADE;
DROP INDEX working_hours_staff_idx;
CREATE INDEX working_hours_staff_idx ON working_hours (staff_id, branch_id, weekday);
-- Listing a branch's staff finds those who work there without it being their own branch.
CREATE INDEX working_hours_branch_idx ON working_hours (company_id, branch_id);

-- NULL: the company's default.
ALTER TABLE event_types
    ADD COLUMN minimum_notice_minutes integer CHECK (minimum_notice_minutes >= 0),
    ADD COLUMN booking_horizon_days   integer CHECK (booking_horizon_days >= 0);

-- +goose Down
ALTER TABLE event_types DROP COLUMN booking_horizon_days, DROP COLUMN minimum_notice_minutes;
DROP INDEX working_hours_branch_idx;
DROP INDEX working_hours_staff_idx;
ALTER TABLE working_hours DROP COLUMN branch_id;
CREATE INDEX working_hours_staff_idx ON working_hours (staff_id, weekday);
DROP TABLE branch_open_holidays;
DROP TABLE branch_closing_days;
ALTER TABLE branches DROP COLUMN state;
ALTER TABLE companies DROP COLUMN booking_horizon_days, DROP COLUMN minimum_notice_minutes;
