-- +goose Up
-- Analytics per tenant, branch and local day (the company's time zone).
--
-- booking_stats computes the figures for any time window; the materialized view holds them for
-- all past days, refreshed CONCURRENTLY on a schedule (the unique index makes that possible, so
-- readers are never blocked), and the service asks booking_stats directly for today, which is
-- still changing. One definition serves both, so they cannot drift apart.
--
-- answered: the call has a positive duration. missed opportunity: the call was not answered, or
-- the caller wanted a booking (metadata.intent = 'booking') and no appointment came of it.

-- +goose StatementBegin
CREATE FUNCTION booking_stats(p_company uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (
    company_id            uuid,
    branch_id             uuid,
    day                   date,
    calls                 bigint,
    answered              bigint,
    avg_duration_seconds  double precision,
    p50_duration_seconds  double precision,
    p90_duration_seconds  double precision,
    bookings_from_calls   bigint,
    cancellations         bigint,
    reschedules           bigint,
    missed_opportunities  bigint,
    sentiment_positive    bigint,
    sentiment_neutral     bigint,
    sentiment_negative    bigint
)
LANGUAGE sql STABLE AS $$
WITH c AS (
    SELECT k.company_id, k.branch_id,
           (k.started_at AT TIME ZONE co.time_zone)::date AS day,
           COALESCE(k.duration_seconds, 0) > 0            AS answered,
           k.duration_seconds, k.appointment_id, k.sentiment,
           k.metadata ->> 'intent'                        AS intent
    FROM calls k
    JOIN companies co ON co.id = k.company_id
    WHERE (p_company IS NULL OR k.company_id = p_company)
      AND k.started_at >= p_from AND k.started_at < p_to
), call_stats AS (
    SELECT company_id, branch_id, day,
           count(*)                                                           AS calls,
           count(*) FILTER (WHERE answered)                                   AS answered,
           avg(duration_seconds) FILTER (WHERE answered)::double precision    AS avg_d,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE answered) AS p50_d,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE answered) AS p90_d,
           count(*) FILTER (WHERE appointment_id IS NOT NULL)                 AS bookings,
           count(*) FILTER (WHERE appointment_id IS NULL
                              AND (NOT answered OR intent = 'booking'))       AS missed,
           count(*) FILTER (WHERE sentiment = 'positive')                     AS pos,
           count(*) FILTER (WHERE sentiment = 'neutral')                      AS neu,
           count(*) FILTER (WHERE sentiment = 'negative')                     AS neg
    FROM c
    GROUP BY company_id, branch_id, day
), a AS (
    SELECT a.company_id, a.branch_id, (a.cancelled_at AT TIME ZONE co.time_zone)::date AS day,
           1 AS cancelled, 0 AS rescheduled
    FROM appointments a
    JOIN companies co ON co.id = a.company_id
    WHERE a.status = 'cancelled' AND (p_company IS NULL OR a.company_id = p_company)
      AND a.cancelled_at >= p_from AND a.cancelled_at < p_to
    UNION ALL
    SELECT a.company_id, a.branch_id, (a.created_at AT TIME ZONE co.time_zone)::date, 0, 1
    FROM appointments a
    JOIN companies co ON co.id = a.company_id
    WHERE a.rescheduled_from IS NOT NULL AND (p_company IS NULL OR a.company_id = p_company)
      AND a.created_at >= p_from AND a.created_at < p_to
), appt_stats AS (
    SELECT company_id, branch_id, day, sum(cancelled) AS cancellations, sum(rescheduled) AS reschedules
    FROM a
    GROUP BY company_id, branch_id, day
)
SELECT company_id, branch_id, day,
       COALESCE(cs.calls, 0), COALESCE(cs.answered, 0), cs.avg_d, cs.p50_d, cs.p90_d,
       COALESCE(cs.bookings, 0), COALESCE(ap.cancellations, 0)::bigint,
       COALESCE(ap.reschedules, 0)::bigint, COALESCE(cs.missed, 0),
       COALESCE(cs.pos, 0), COALESCE(cs.neu, 0), COALESCE(cs.neg, 0)
FROM call_stats cs
FULL JOIN appt_stats ap USING (company_id, branch_id, day)
$$;
-- +goose StatementEnd

CREATE MATERIALIZED VIEW daily_booking_stats AS
    SELECT * FROM booking_stats(NULL, '-infinity', 'infinity');

CREATE UNIQUE INDEX daily_booking_stats_key ON daily_booking_stats (company_id, branch_id, day);

-- +goose Down
DROP MATERIALIZED VIEW daily_booking_stats;
DROP FUNCTION booking_stats(uuid, timestamptz, timestamptz);
