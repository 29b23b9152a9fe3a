-- variant_dashboard 0.2.0 -> 0.3.0: hardened writes (bounded counts, one lock order), history, retention
\echo Use "ALTER EXTENSION variant_dashboard UPDATE TO '0.3.0'" to load this file. \quit

-- Counts are bounded at the door (10^15, see VD_MAX_COUNT); the same bound holds for plain INSERT/UPDATE.
-- NOT VALID: rows written before the bound existed are kept as they are.
ALTER TABLE variant_monitoring ADD CONSTRAINT variant_monitoring_counts_bounded
    CHECK (interaction_count <= 1000000000000000 AND view_count <= 1000000000000000) NOT VALID;
ALTER TABLE variant_kills ADD CONSTRAINT variant_kills_sample_size_bounded
    CHECK (sample_size <= 1000000000000000) NOT VALID;
-- Totals are numeric: no sum of accepted counts, however many variants, can overflow.
ALTER TABLE persona_totals ALTER COLUMN total_views TYPE numeric,
                           ALTER COLUMN total_interactions TYPE numeric;

-- Variant ids travel in URLs, log lines and the dashboard: no control characters (C0, DEL, C1).
ALTER TABLE variants ADD CONSTRAINT variants_id_printable CHECK (id !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID;

-- One lock order for every write of a persona: its commit-order lock first, then rows. The ingestion
-- functions take it at entry; this BEFORE ROW trigger takes it for plain INSERT/UPDATE (an UPDATE has
-- locked its own target row by then: see docs/EVENTS.md), and refuses moving a row to another persona.
CREATE FUNCTION persona_write_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_persona_write_guard' LANGUAGE C;
CREATE TRIGGER persona_write_guard BEFORE INSERT OR UPDATE ON variants
    FOR EACH ROW EXECUTE FUNCTION persona_write_guard();
CREATE TRIGGER persona_write_guard BEFORE INSERT OR UPDATE ON variant_monitoring
    FOR EACH ROW EXECUTE FUNCTION persona_write_guard();
CREATE TRIGGER persona_write_guard BEFORE INSERT OR UPDATE ON variant_kills
    FOR EACH ROW EXECUTE FUNCTION persona_write_guard();

-- Takes the persona's commit-order lock until the end of the transaction: call it first in a transaction
-- that changes the tables with plain UPDATE statements.
CREATE FUNCTION lock_persona(persona_id text) RETURNS void
    AS 'MODULE_PATHNAME', 'vd_lock_persona_sql' LANGUAGE C VOLATILE STRICT;

-- ===== History and retention (issue 11, points 1 and 2) =====

-- History rollup: per variant ('' = the persona's pooled series over its active variants) and per
-- level (10, 60, 300, 900, 3600, 86400 s buckets), the cumulative counters at the end of each bucket that saw
-- a change. Written by the history_rollup triggers below at variant_monitoring.last_updated, only when a
-- series enters a new bucket: the bucket it leaves gets its final numbers, the one it enters its first
-- ones (variant_history() reads the numbers of that still open bucket from variant_monitoring, and
-- persona_totals minus history_pooled). Writes between bucket ends cost nothing, so every level is kept.
CREATE TABLE history_points (
    persona_id       persona_id NOT NULL,
    level            integer NOT NULL CHECK (level IN (10, 60, 300, 900, 3600, 86400)),
    bucket_end       timestamptz NOT NULL,
    variant_id       text NOT NULL,
    views            numeric NOT NULL,
    interactions     numeric NOT NULL,
    engagement_rate  double precision,
    PRIMARY KEY (persona_id, level, bucket_end, variant_id)
);
SELECT pg_catalog.pg_extension_config_dump('history_points', '');

-- Per persona, the numbers of its inactive variants (the pooled series is persona_totals minus these)
-- and the time of the pooled series' current bucket.
CREATE TABLE history_pooled (
    persona_id             persona_id PRIMARY KEY,
    inactive_views         numeric NOT NULL DEFAULT 0,
    inactive_interactions  numeric NOT NULL DEFAULT 0,
    at                     timestamptz NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('history_pooled', '');
INSERT INTO history_pooled
SELECT persona_id, coalesce(sum(view_count) FILTER (WHERE status <> 'active'), 0),
       coalesce(sum(interaction_count) FILTER (WHERE status <> 'active'), 0), max(last_updated)
  FROM variant_monitoring GROUP BY persona_id;

CREATE FUNCTION history_rollup() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_history_rollup' LANGUAGE C;
-- "history_rollup" sorts after the performance_* event triggers and before zz_*: the persona lock is
-- already held (persona_write_guard) when it writes.
CREATE TRIGGER history_rollup AFTER INSERT ON variant_monitoring
    FOR EACH ROW EXECUTE FUNCTION history_rollup();
-- Most updates stay in their 10 s bucket and change nothing here: the WHEN keeps them from even
-- queueing the trigger. It fires when the row enters a new 10 s bucket, or either version is not
-- active (a status change, or the numbers of an inactive variant, which the pooled sums track).
CREATE TRIGGER history_rollup_update AFTER UPDATE ON variant_monitoring
    FOR EACH ROW WHEN (OLD.status::text <> 'active' OR NEW.status::text <> 'active'
                    OR date_bin('10 seconds', OLD.last_updated, '1970-01-01 00:00+00')
                       <> date_bin('10 seconds', NEW.last_updated, '1970-01-01 00:00+00'))
    EXECUTE FUNCTION history_rollup();

CREATE FUNCTION variant_history(persona_id text, from_ts timestamptz, to_ts timestamptz DEFAULT now(),
                                max_points integer DEFAULT 240, variant_id text DEFAULT NULL)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_variant_history' LANGUAGE C STABLE;

-- The event log becomes partitioned by created_at (one partition a day, created ahead by
-- run_maintenance, a DEFAULT partition for anything else), so expiry drops whole partitions. Every row,
-- id and the sequence are kept.
ALTER SEQUENCE dashboard_events_id_seq OWNED BY NONE;
ALTER TABLE dashboard_events RENAME TO dashboard_events_unpartitioned;
ALTER TABLE dashboard_events_unpartitioned DROP CONSTRAINT dashboard_events_pkey;
DROP INDEX dashboard_events_persona_id;
CREATE TABLE dashboard_events (
    id          bigint NOT NULL DEFAULT nextval('dashboard_events_id_seq'),
    event_type  text NOT NULL CONSTRAINT dashboard_events_event_type_check
        CHECK (event_type IN ('variant_registered', 'performance_update', 'early_kill', 'status_change')),
    persona_id  persona_id NOT NULL,
    variant_id  text,
    event_data  jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE dashboard_events_id_seq OWNED BY dashboard_events.id;
CREATE INDEX dashboard_events_persona_id ON dashboard_events (persona_id, id);
CREATE TABLE dashboard_events_default PARTITION OF dashboard_events DEFAULT;
INSERT INTO dashboard_events SELECT * FROM dashboard_events_unpartitioned;
DROP TABLE dashboard_events_unpartitioned;
SELECT pg_catalog.pg_extension_config_dump('dashboard_events', '');
SELECT pg_catalog.pg_extension_config_dump('dashboard_events_default', '');

-- What retention has removed: every event with id <= expired_through may be gone (one row).
CREATE TABLE event_log_state (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    expired_through  bigint NOT NULL DEFAULT 0
);
INSERT INTO event_log_state DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('event_log_state', '');

-- The smallest event id still guaranteed to be kept; a client that applied event N can resume with
-- events_after only when N >= oldest_event_id() - 1, else it must resync (SQLSTATE VDEXP).
CREATE FUNCTION oldest_event_id() RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT expired_through + 1 FROM variant_dashboard.event_log_state $$;

-- Resuming: refuses (SQLSTATE VDEXP) when events after after_event_id may have expired.
CREATE OR REPLACE FUNCTION events_after(persona_id text, after_event_id bigint, max_events integer DEFAULT 1000,
                             OUT event_id bigint, OUT event_type text, OUT created_at timestamptz,
                             OUT data jsonb)
    RETURNS SETOF record LANGUAGE plpgsql STABLE STRICT
    AS $$
BEGIN
    IF after_event_id < (SELECT s.expired_through FROM variant_dashboard.event_log_state s) THEN
        RAISE EXCEPTION 'events after % have expired', after_event_id
              USING ERRCODE = 'VDEXP',
                    HINT = 'Reload the snapshot (dashboard_metrics) and resume from its last_event_id.';
    END IF;
    RETURN QUERY
        SELECT e.id, e.event_type, e.created_at, e.event_data
          FROM variant_dashboard.dashboard_events e
         WHERE e.persona_id = $1 AND e.id > $2
         ORDER BY e.id
         LIMIT greatest($3, 0);
END $$;

-- The work of run_maintenance(): daily partitions of dashboard_events up to days_ahead days from now
-- (from the day after the DEFAULT partition's newest row, which a new partition must not overlap),
-- expired partitions dropped whole (lock_timeout 2 s: a busy log fails the run, the next one retries),
-- expired rows of the DEFAULT partition (rows from before partitioning) and of the history deleted.
CREATE FUNCTION maintain(event_retention interval, history_retention interval, days_ahead integer)
    RETURNS jsonb LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    cutoff   timestamptz := now() - event_retention;
    day      date;
    last_day date := (now() + make_interval(days => days_ahead))::date;
    part     record;
    expired  bigint;
    created  integer := 0;
    dropped  integer := 0;
    trimmed  bigint;
    history  bigint;
BEGIN
    PERFORM set_config('lock_timeout', '2s', true);
    SELECT greatest(now()::date, (SELECT d.created_at::date + 1 FROM variant_dashboard.dashboard_events_default d
                                   ORDER BY d.id DESC LIMIT 1)) INTO day;
    WHILE day <= last_day LOOP
        IF to_regclass('variant_dashboard.dashboard_events_p' || to_char(day, 'YYYYMMDD')) IS NULL THEN
            EXECUTE format('CREATE TABLE variant_dashboard.%I PARTITION OF variant_dashboard.dashboard_events'
                           ' FOR VALUES FROM (%L) TO (%L)', 'dashboard_events_p' || to_char(day, 'YYYYMMDD'),
                           day::timestamptz, (day + 1)::timestamptz);
            created := created + 1;
        END IF;
        day := day + 1;
    END LOOP;
    FOR part IN SELECT c.oid::regclass AS rel, to_date(substr(c.relname, 19), 'YYYYMMDD') + 1 AS ends
                  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = 'variant_dashboard.dashboard_events'::regclass
                   AND c.relname ~ '^dashboard_events_p[0-9]{8}$' ORDER BY c.relname LOOP
        EXIT WHEN part.ends::timestamptz > cutoff;
        EXECUTE format('SELECT max(id) FROM %s', part.rel) INTO expired;
        UPDATE variant_dashboard.event_log_state SET expired_through = greatest(expired_through, expired)
         WHERE expired IS NOT NULL;
        EXECUTE format('DROP TABLE %s', part.rel);
        dropped := dropped + 1;
    END LOOP;
    WITH gone AS (DELETE FROM variant_dashboard.dashboard_events_default WHERE created_at < cutoff RETURNING id)
    SELECT count(*), max(id) INTO trimmed, expired FROM gone;
    UPDATE variant_dashboard.event_log_state SET expired_through = greatest(expired_through, expired)
     WHERE expired IS NOT NULL;
    DELETE FROM variant_dashboard.history_points h
     USING variant_dashboard.persona_totals p, unnest('{10,60,300,900,3600,86400}'::int[]) l
     WHERE h.persona_id = p.persona_id AND h.level = l AND h.bucket_end < now() - history_retention;
    GET DIAGNOSTICS history = ROW_COUNT;
    RETURN jsonb_build_object('partitions_created', created, 'partitions_dropped', dropped,
                              'default_rows_deleted', trimmed, 'history_rows_deleted', history,
                              'oldest_event_id', variant_dashboard.oldest_event_id());
END $$;

-- Retention and partitions ahead, under the GUCs variant_dashboard.event_retention (default 14 days)
-- and variant_dashboard.history_retention (default 400 days); schedule it with pg_cron (README.md).
CREATE FUNCTION run_maintenance(days_ahead integer DEFAULT 7) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vd_run_maintenance' LANGUAGE C VOLATILE STRICT;
