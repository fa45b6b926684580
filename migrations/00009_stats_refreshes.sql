-- +goose Up
-- When daily_booking_stats was last refreshed. Days that ended before that moment are read from
-- the view; later days are computed live by booking_stats, so a late or missed refresh makes
-- analytics slower, never wrong.
CREATE TABLE stats_refreshes (
    name          text        PRIMARY KEY,
    refreshed_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE stats_refreshes;
