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

-- Personas: when each last changed is kept beside its totals (written with every event), so personas()
-- reads one row per persona.
ALTER TABLE persona_totals ADD COLUMN last_event_id bigint, ADD COLUMN last_event_at timestamptz;
UPDATE persona_totals t SET last_event_id = e.id, last_event_at = e.created_at
  FROM (SELECT DISTINCT ON (persona_id) persona_id, id, created_at FROM dashboard_events
         ORDER BY persona_id, id DESC) e
 WHERE e.persona_id = t.persona_id;

-- Recomputes every persona's totals and last event from the tables.
CREATE OR REPLACE FUNCTION rebuild_persona_totals() RETURNS void LANGUAGE sql AS $$
    DELETE FROM variant_dashboard.persona_totals;
    INSERT INTO variant_dashboard.persona_totals
    SELECT v.persona_id, count(*), count(*) FILTER (WHERE v.status = 'active'),
           count(*) FILTER (WHERE v.status = 'killed'),
           coalesce(sum(m.view_count), 0), coalesce(sum(m.interaction_count), 0),
           (SELECT e.id FROM variant_dashboard.dashboard_events e WHERE e.persona_id = v.persona_id
             ORDER BY e.id DESC LIMIT 1),
           (SELECT e.created_at FROM variant_dashboard.dashboard_events e WHERE e.persona_id = v.persona_id
             ORDER BY e.id DESC LIMIT 1)
      FROM variant_dashboard.variants v
      LEFT JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id
     GROUP BY v.persona_id;
$$;

-- "Today" (kills_today and every daily window) starts at midnight in the persona's IANA time zone.
ALTER TABLE persona_settings ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'
    CHECK ((timestamptz '2000-01-01 00:00+00' AT TIME ZONE time_zone) IS NOT NULL);

-- The start of as_of's day in the persona's time zone (UTC without settings).
CREATE FUNCTION persona_day_start(persona_id text, as_of timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE STRICT AS $$
        SELECT date_trunc('day', $2 AT TIME ZONE z.tz) AT TIME ZONE z.tz
          FROM (SELECT coalesce((SELECT s.time_zone FROM variant_dashboard.persona_settings s
                                  WHERE s.persona_id = $1), 'UTC') AS tz) z
    $$;

-- Kills of the last days across personas, for personas() (one range scan instead of one probe each).
CREATE INDEX variant_kills_killed_at ON variant_kills (killed_at);

-- One row per persona: its totals (current), kills since its local midnight of as_of, pooled rate and
-- the newest event. A persona appears once it has a variant or an event. Only the personas with a kill in
-- the last 27 hours (no time zone's day began earlier) need their day computed, and the zone lookup only
-- for those not on UTC. Not STRICT, so the planner can inline it into the caller's query.
CREATE FUNCTION personas(as_of timestamptz DEFAULT now())
    RETURNS TABLE (persona_id text, total_variants bigint, active_variants bigint, killed_variants bigint,
                   kills_today bigint, pooled_engagement_rate double precision, last_event_id bigint,
                   last_event_at timestamptz)
    LANGUAGE sql STABLE AS $$
        WITH kills AS (
            SELECT k.persona_id, count(*) AS n
              FROM variant_dashboard.variant_kills k
              LEFT JOIN variant_dashboard.persona_settings s ON s.persona_id = k.persona_id
             WHERE k.killed_at <= $1 AND k.killed_at > $1 - interval '27 hours'
               AND k.killed_at >= CASE WHEN s.time_zone IS NULL OR s.time_zone = 'UTC'
                                       THEN date_trunc('day', $1 AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                                       ELSE date_trunc('day', $1 AT TIME ZONE s.time_zone) AT TIME ZONE s.time_zone END
             GROUP BY k.persona_id)
        SELECT t.persona_id, t.total_variants, t.active_variants, t.killed_variants, coalesce(k.n, 0),
               CASE WHEN t.total_views > 0 THEN t.total_interactions::float8 / t.total_views::float8 ELSE 0 END,
               t.last_event_id, t.last_event_at
          FROM variant_dashboard.persona_totals t LEFT JOIN kills k ON k.persona_id = t.persona_id
         ORDER BY t.persona_id
    $$;

-- ---------------------------------------------------------------------------------------------
-- Pattern aggregates (issue 11, point 6): the fatigue panel reads one row per pattern and day
-- instead of every use of the last 7 days. Per (persona, pattern, UTC day of posted_at): uses
-- (every variant with the pattern), and over the settled "tested" uses (status not active, 30 views
-- or more, fatigue.c's minimum) their views, interactions and the moments sum n t, sum n t^2,
-- sum x t, t being the time of posting in days since the start of that day: enough for the
-- Cochran-Armitage trend test over the week by shifting t by the day's offset. Active variants are
-- added live by fatigue.c (they are few, and they are what performance updates change), so the
-- hot write path, an update of an active variant, never touches this table: it is maintained at
-- registration (uses), at a status change or a move (the bucket is recomputed), and on a change of
-- a settled variant's counts (by deltas).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE pattern_days (
    persona_id    persona_id NOT NULL,
    pattern       text NOT NULL,
    day           date NOT NULL,
    uses          bigint NOT NULL DEFAULT 0,
    tested_uses   bigint NOT NULL DEFAULT 0,
    views         numeric NOT NULL DEFAULT 0,
    interactions  numeric NOT NULL DEFAULT 0,
    sum_nt        double precision NOT NULL DEFAULT 0,
    sum_ntt       double precision NOT NULL DEFAULT 0,
    sum_xt        double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (persona_id, pattern, day)
);
SELECT pg_catalog.pg_extension_config_dump('pattern_days', '');

-- The day bucket of a time of posting, and the time within that day in days (0 <= t < 1).
CREATE FUNCTION pattern_day_of(posted_at timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (posted_at AT TIME ZONE 'UTC')::date $$;
CREATE FUNCTION pattern_day_time(posted_at timestamptz) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT extract(epoch FROM (posted_at AT TIME ZONE 'UTC') - (posted_at AT TIME ZONE 'UTC')::date) / 86400.0 $$;

-- Recomputes one bucket from the tables (an upsert, zeros when no use is left: the writer role may
-- insert and update, never delete).
CREATE FUNCTION refresh_pattern_day(p_persona text, p_pattern text, p_day date) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO variant_dashboard.pattern_days AS s
        SELECT p_persona, p_pattern, p_day, count(*), count(*) FILTER (WHERE tested),
               coalesce(sum(m.view_count) FILTER (WHERE tested), 0),
               coalesce(sum(least(m.interaction_count, m.view_count)) FILTER (WHERE tested), 0),
               coalesce(sum(m.view_count * t) FILTER (WHERE tested), 0),
               coalesce(sum(m.view_count * t * t) FILTER (WHERE tested), 0),
               coalesce(sum(least(m.interaction_count, m.view_count) * t) FILTER (WHERE tested), 0)
          FROM variant_dashboard.variants v
          LEFT JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id,
               LATERAL (SELECT variant_dashboard.pattern_day_time(v.posted_at) AS t,
                               v.status <> 'active' AND m.view_count >= 30 AS tested) d
         WHERE v.persona_id = p_persona AND v.pattern_used = p_pattern
           AND v.posted_at >= p_day::timestamp AT TIME ZONE 'UTC'
           AND v.posted_at < (p_day + 1)::timestamp AT TIME ZONE 'UTC'
        ON CONFLICT (persona_id, pattern, day) DO UPDATE
           SET uses = excluded.uses, tested_uses = excluded.tested_uses, views = excluded.views,
               interactions = excluded.interactions, sum_nt = excluded.sum_nt, sum_ntt = excluded.sum_ntt,
               sum_xt = excluded.sum_xt
    $$;

-- Recomputes every bucket (after bulk loads that bypass triggers, and at the upgrade).
CREATE FUNCTION rebuild_pattern_days() RETURNS void LANGUAGE sql AS $$
    DELETE FROM variant_dashboard.pattern_days;
    SELECT count(variant_dashboard.refresh_pattern_day(b.persona_id, b.pattern_used, b.day))
      FROM (SELECT DISTINCT persona_id, pattern_used, variant_dashboard.pattern_day_of(posted_at) AS day
              FROM variant_dashboard.variants WHERE pattern_used IS NOT NULL) b;
$$;

-- A variant registered (one use more), or its status, pattern or time changed, or deleted: its
-- buckets are recomputed. A new status is copied to the monitoring row (a kill does so itself), so
-- the monitoring triggers' "not active" filter is true to the variant.
CREATE FUNCTION pattern_days_variant_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.pattern_used IS NOT NULL THEN
            INSERT INTO variant_dashboard.pattern_days AS s (persona_id, pattern, day, uses)
            VALUES (NEW.persona_id, NEW.pattern_used, variant_dashboard.pattern_day_of(NEW.posted_at), 1)
            ON CONFLICT (persona_id, pattern, day) DO UPDATE SET uses = s.uses + 1;
        END IF;
        RETURN NULL;
    END IF;
    IF OLD.pattern_used IS NOT NULL THEN
        PERFORM variant_dashboard.refresh_pattern_day(OLD.persona_id, OLD.pattern_used,
                                                      variant_dashboard.pattern_day_of(OLD.posted_at));
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.pattern_used IS NOT NULL
       AND (NEW.pattern_used, NEW.posted_at) IS DISTINCT FROM (OLD.pattern_used, OLD.posted_at) THEN
        PERFORM variant_dashboard.refresh_pattern_day(NEW.persona_id, NEW.pattern_used,
                                                      variant_dashboard.pattern_day_of(NEW.posted_at));
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
        UPDATE variant_dashboard.variant_monitoring SET status = NEW.status
         WHERE variant_id = NEW.id AND status IS DISTINCT FROM NEW.status;
    END IF;
    RETURN NULL;
END $$;

-- New counts of a settled variant: the difference of its tested contribution, added to its bucket.
CREATE FUNCTION pattern_days_monitoring_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v record;
    t double precision;
    n_old bigint := 0; x_old bigint := 0; n_new bigint := 0; x_new bigint := 0;
BEGIN
    SELECT pattern_used, posted_at, status INTO v FROM variant_dashboard.variants
     WHERE id = coalesce(NEW.variant_id, OLD.variant_id);
    IF NOT FOUND OR v.pattern_used IS NULL OR v.status = 'active' THEN
        RETURN NULL;            -- not in the aggregate, or the variant is going (its trigger recomputes)
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.view_count >= 30 THEN
        n_old := OLD.view_count; x_old := least(OLD.interaction_count, OLD.view_count);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.view_count >= 30 THEN
        n_new := NEW.view_count; x_new := least(NEW.interaction_count, NEW.view_count);
    END IF;
    t := variant_dashboard.pattern_day_time(v.posted_at);
    UPDATE variant_dashboard.pattern_days
       SET tested_uses = tested_uses + (n_new > 0)::int - (n_old > 0)::int,
           views = views + (n_new - n_old), interactions = interactions + (x_new - x_old),
           sum_nt = sum_nt + (n_new - n_old) * t, sum_ntt = sum_ntt + (n_new - n_old) * t * t,
           sum_xt = sum_xt + (x_new - x_old) * t
     WHERE persona_id = coalesce(NEW.persona_id, OLD.persona_id) AND pattern = v.pattern_used
       AND day = variant_dashboard.pattern_day_of(v.posted_at);
    RETURN NULL;
END $$;

-- TRUNCATE bypasses row triggers: recompute instead.
CREATE FUNCTION truncate_pattern_days_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM variant_dashboard.rebuild_pattern_days();
    RETURN NULL;
END $$;

-- "zz_" names: after the event triggers, like the totals (one lock order). The monitoring triggers
-- fire only for rows not marked active (a kill marks both rows; the ingestion copies the variant's
-- status into a new monitoring row): an update of an active variant skips them without a call.
CREATE TRIGGER zz_pattern_days AFTER INSERT OR DELETE OR UPDATE OF status, pattern_used, posted_at
    ON variants FOR EACH ROW EXECUTE FUNCTION pattern_days_variant_trigger();
CREATE TRIGGER zz_pattern_days_insert AFTER INSERT ON variant_monitoring
    FOR EACH ROW WHEN (NEW.status <> 'active') EXECUTE FUNCTION pattern_days_monitoring_trigger();
CREATE TRIGGER zz_pattern_days_delete AFTER DELETE ON variant_monitoring
    FOR EACH ROW WHEN (OLD.status <> 'active') EXECUTE FUNCTION pattern_days_monitoring_trigger();
CREATE TRIGGER zz_pattern_days_update AFTER UPDATE OF view_count, interaction_count, status ON variant_monitoring
    FOR EACH ROW WHEN ((OLD.status <> 'active' OR NEW.status <> 'active')
                       AND (OLD.view_count >= 30 OR NEW.view_count >= 30)
                       AND (OLD.view_count IS DISTINCT FROM NEW.view_count
                            OR OLD.interaction_count IS DISTINCT FROM NEW.interaction_count))
    EXECUTE FUNCTION pattern_days_monitoring_trigger();
CREATE TRIGGER zz_pattern_days_truncate AFTER TRUNCATE ON variants
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_pattern_days_trigger();
CREATE TRIGGER zz_pattern_days_truncate AFTER TRUNCATE ON variant_monitoring
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_pattern_days_trigger();

SELECT rebuild_pattern_days();

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

-- ===== One variant (issue 11, point 4) =====
-- A variant's own events, newest first, for its detail view.
CREATE INDEX dashboard_events_variant ON dashboard_events (variant_id, id);

-- The detail view of one variant: {as_of, variant, live_metrics, performance_vs_prediction, rate_interval
-- (Wilson 95%), kill_evaluation (as evaluate_early_kill), probability_best (among the persona's active
-- variants; null when not active), events (latest 100, newest first), history (as variant_history, from
-- its posting to as_of)}. Unknown variant: 23503.
CREATE FUNCTION variant_detail(variant_id text, as_of timestamptz DEFAULT now())
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_variant_detail' LANGUAGE C STABLE STRICT;

-- ===================================================================================================
-- Alerts (issue 13): webhooks and a durable outbox, written in the transaction of the change that
-- causes the alert and delivered by pushd (claim_alerts / finish_alert). Alert kinds: early_kill,
-- fatigue_alert, winner_found, calibration. The decisions are taken in C (alerts.c) on the write path;
-- with no enabled webhook subscribed to a kind, the write path does no alert work at all.
-- ===================================================================================================

-- A destination. The URL is readable only by the extension's owner and the delivery role (a Slack
-- incoming-webhook URL is itself a credential); the reader sees the other columns.
CREATE TABLE webhooks (
    id            bigserial PRIMARY KEY,
    url           text NOT NULL CHECK (length(url) <= 2000),
    event_types   text[] NOT NULL CHECK (cardinality(event_types) >= 1 AND
                      event_types <@ ARRAY['early_kill', 'fatigue_alert', 'winner_found', 'calibration']),
    persona_ids   text[],
    format        text NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
    enabled       boolean NOT NULL DEFAULT true,
    disabled_reason text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Signing secrets, apart from the webhooks so that no grant on webhooks ever exposes them.
CREATE TABLE webhook_secrets (
    webhook_id  bigint PRIMARY KEY REFERENCES webhooks (id) ON DELETE CASCADE,
    secret      text NOT NULL CHECK (length(secret) BETWEEN 16 AND 512)
);

-- One row per alert and matching webhook. event_id is the dashboard event that caused the alert (no
-- foreign key: the event log may be partitioned and pruned). A pending row is due at next_attempt_at;
-- a claim leases it until lease_until, so a crashed deliverer's rows come back after the lease.
CREATE TABLE alert_outbox (
    id               bigserial PRIMARY KEY,
    webhook_id       bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    alert_type       text NOT NULL CHECK (alert_type IN ('early_kill', 'fatigue_alert', 'winner_found', 'calibration')),
    persona_id       persona_id NOT NULL,
    variant_id       text,
    event_id         bigint,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    lease_token      bigint,
    last_status      integer,
    last_error       text,
    finished_at      timestamptz
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX alert_outbox_webhook ON alert_outbox (webhook_id, status);

-- Which alerts were decided, so that each fires once: winner_found once per variant (day NULL),
-- fatigue_alert once per pattern and kind per persona per day, calibration once per persona per day.
CREATE TABLE alerts_sent (
    alert_type  text NOT NULL,
    persona_id  persona_id NOT NULL,
    subject     text NOT NULL,
    day         date NOT NULL DEFAULT 'infinity',
    event_id    bigint,
    PRIMARY KEY (alert_type, persona_id, subject, day)
);

SELECT pg_catalog.pg_extension_config_dump('webhooks', '');
SELECT pg_catalog.pg_extension_config_dump('webhook_secrets', '');
SELECT pg_catalog.pg_extension_config_dump('alert_outbox', '');
SELECT pg_catalog.pg_extension_config_dump('alerts_sent', '');
SELECT pg_catalog.pg_extension_config_dump('webhooks_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('alert_outbox_id_seq', '');

-- Every backend caches which alert kinds any enabled webhook wants (alerts.c); a change of the
-- webhooks table invalidates that cache in every session at commit.
CREATE FUNCTION webhooks_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_webhooks_changed' LANGUAGE C;
CREATE TRIGGER webhooks_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON webhooks
    FOR EACH STATEMENT EXECUTE FUNCTION webhooks_changed();

-- Checks a webhook URL: http or https, a host, no user or password, no spaces or control characters.
CREATE FUNCTION check_webhook_url(url text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    IF url !~* '^https?://' THEN
        RAISE EXCEPTION 'webhook url must start with http:// or https://' USING ERRCODE = '22023';
    ELSIF url ~ '[\s\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'webhook url must not contain spaces or control characters' USING ERRCODE = '22023';
    ELSIF split_part(split_part(split_part(substring(url FROM '^[A-Za-z]+://(.*)$'), '/', 1), '?', 1), '#', 1) ~ '@' THEN
        RAISE EXCEPTION 'webhook url must not carry credentials'
            USING ERRCODE = '22023', HINT = 'use the secret argument to sign deliveries instead';
    ELSIF url !~* '^https?://(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:[0-9]{1,5})?([/?#].*)?$' THEN
        RAISE EXCEPTION 'webhook url must name a host' USING ERRCODE = '22023';
    END IF;
    RETURN url;
END $$;

-- Subscribes a URL to alert kinds (of some personas, or all when persona_ids is NULL); returns its id.
CREATE FUNCTION create_webhook(url text,
                               event_types text[] DEFAULT ARRAY['early_kill', 'fatigue_alert', 'winner_found'],
                               persona_ids text[] DEFAULT NULL, format text DEFAULT 'json',
                               secret text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
BEGIN
    IF event_types IS NULL OR cardinality(event_types) = 0 OR NOT event_types <@
           ARRAY['early_kill', 'fatigue_alert', 'winner_found', 'calibration'] THEN
        RAISE EXCEPTION 'unknown alert kind in %', event_types USING ERRCODE = '22023',
            HINT = 'alert kinds are early_kill, fatigue_alert, winner_found and calibration';
    END IF;
    IF format IS NULL OR format NOT IN ('json', 'slack') THEN
        RAISE EXCEPTION 'webhook format must be json or slack' USING ERRCODE = '22023';
    END IF;
    IF secret IS NOT NULL AND length(secret) NOT BETWEEN 16 AND 512 THEN
        RAISE EXCEPTION 'webhook secret must have 16 to 512 characters' USING ERRCODE = '22023';
    END IF;
    INSERT INTO variant_dashboard.webhooks (url, event_types, persona_ids, format)
         VALUES (variant_dashboard.check_webhook_url(url), event_types, persona_ids::variant_dashboard.persona_id[], format)
      RETURNING id INTO new_id;
    IF secret IS NOT NULL THEN
        INSERT INTO variant_dashboard.webhook_secrets (webhook_id, secret) VALUES (new_id, secret);
    END IF;
    RETURN new_id;
END $$;

-- Stops new alerts for a webhook (its pending rows are still delivered); false when no such webhook.
CREATE FUNCTION disable_webhook(id bigint) RETURNS boolean LANGUAGE sql AS $$
    UPDATE variant_dashboard.webhooks SET enabled = false, disabled_reason = 'disabled by disable_webhook'
     WHERE webhooks.id = $1 RETURNING true
$$;

-- Subscribes a disabled webhook again; false when no such webhook.
CREATE FUNCTION enable_webhook(id bigint) RETURNS boolean LANGUAGE sql AS $$
    UPDATE variant_dashboard.webhooks SET enabled = true, disabled_reason = NULL
     WHERE webhooks.id = $1 RETURNING true
$$;

-- Per webhook: its destination without path or query (they may hold tokens), outbox counts by
-- status, the age of the oldest pending alert and the last error seen.
CREATE VIEW webhook_status AS
    SELECT w.id AS webhook_id, substring(w.url FROM '^[A-Za-z]+://[^/?#]*') AS destination, w.format,
           w.event_types, w.persona_ids, w.enabled, w.disabled_reason,
           count(o.id) FILTER (WHERE o.status = 'pending') AS pending,
           count(o.id) FILTER (WHERE o.status = 'delivered') AS delivered,
           count(o.id) FILTER (WHERE o.status = 'failed') AS failed,
           count(o.id) FILTER (WHERE o.status = 'dead') AS dead,
           now() - min(o.created_at) FILTER (WHERE o.status = 'pending') AS oldest_pending_age,
           (SELECT l.last_error FROM variant_dashboard.alert_outbox l
             WHERE l.webhook_id = w.id AND l.last_error IS NOT NULL
             ORDER BY l.id DESC LIMIT 1) AS last_error
      FROM variant_dashboard.webhooks w
      LEFT JOIN variant_dashboard.alert_outbox o ON o.webhook_id = w.id
     GROUP BY w.id;

-- A deliverer's claim: up to max_rows due alerts, at most per_webhook leased at once per webhook (a
-- slow destination never takes the others' turn), leased for lease_ms under a fresh token. SKIP LOCKED
-- lets any number of deliverers claim side by side; each row goes to one of them.
CREATE FUNCTION claim_alerts(max_rows integer, per_webhook integer, lease_ms integer)
    RETURNS TABLE (outbox_id bigint, lease_token bigint, attempts integer, created_at timestamptz,
                   webhook_id bigint, url text, format text, secret text, alert_type text,
                   persona_id text, variant_id text, event_id bigint, payload jsonb)
    LANGUAGE sql AS $$
        WITH busy AS (
            SELECT b.webhook_id, count(*) AS n FROM variant_dashboard.alert_outbox b
             WHERE b.status = 'pending' AND b.lease_until > clock_timestamp()
             GROUP BY b.webhook_id),
        candidates AS (
            SELECT o.id, o.webhook_id, o.next_attempt_at FROM variant_dashboard.alert_outbox o
             WHERE o.status = 'pending' AND o.next_attempt_at <= clock_timestamp()
               AND (o.lease_until IS NULL OR o.lease_until <= clock_timestamp())
               AND coalesce((SELECT n FROM busy WHERE busy.webhook_id = o.webhook_id), 0) < $2
             ORDER BY o.next_attempt_at, o.id
             LIMIT $1 * 4
               FOR UPDATE SKIP LOCKED),
        picked AS (
            SELECT c.id FROM (
                SELECT c0.id, c0.next_attempt_at, row_number() OVER (PARTITION BY c0.webhook_id
                                                ORDER BY c0.next_attempt_at, c0.id) AS k,
                       coalesce((SELECT n FROM busy WHERE busy.webhook_id = c0.webhook_id), 0) AS n
                  FROM candidates c0) c
             WHERE c.k + c.n <= $2
             ORDER BY c.next_attempt_at, c.id LIMIT $1),
        claimed AS (
            UPDATE variant_dashboard.alert_outbox o
               SET lease_until = clock_timestamp() + make_interval(secs => $3 / 1000.0),
                   lease_token = (random() * 9007199254740991)::bigint, attempts = o.attempts + 1
              FROM picked WHERE o.id = picked.id
            RETURNING o.*)
        SELECT c.id, c.lease_token, c.attempts, c.created_at, c.webhook_id, w.url, w.format, s.secret,
               c.alert_type, c.persona_id, c.variant_id, c.event_id, c.payload
          FROM claimed c JOIN variant_dashboard.webhooks w ON w.id = c.webhook_id
          LEFT JOIN variant_dashboard.webhook_secrets s ON s.webhook_id = c.webhook_id
         ORDER BY c.id
    $$;

-- A deliverer's verdict on one claimed attempt; ignored (false) when the lease was lost meanwhile.
-- outcome: delivered, failed (kept with its status), retry (due again at retry_at; dead past
-- max_age_ms after the alert was created) or gone (HTTP 410: failed, and the webhook disabled).
CREATE FUNCTION finish_alert(outbox_id bigint, lease_token bigint, outcome text, http_status integer,
                             error text, retry_at timestamptz, max_age_ms bigint) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    new_status text;
    hook bigint;
BEGIN
    UPDATE variant_dashboard.alert_outbox o
       SET status = CASE WHEN outcome = 'delivered' THEN 'delivered'
                         WHEN outcome IN ('failed', 'gone') THEN 'failed'
                         WHEN retry_at > o.created_at + make_interval(secs => max_age_ms / 1000.0) THEN 'dead'
                         ELSE 'pending' END,
           next_attempt_at = coalesce(retry_at, o.next_attempt_at),
           lease_until = NULL, lease_token = NULL, last_status = http_status,
           last_error = left(error, 500),
           finished_at = CASE WHEN outcome = 'retry' AND retry_at <= o.created_at
                                   + make_interval(secs => max_age_ms / 1000.0) THEN NULL
                              ELSE clock_timestamp() END
     WHERE o.id = outbox_id AND o.lease_token = finish_alert.lease_token AND o.status = 'pending'
    RETURNING o.status, o.webhook_id INTO new_status, hook;
    IF outcome = 'gone' AND hook IS NOT NULL THEN
        UPDATE variant_dashboard.webhooks SET enabled = false,
               disabled_reason = 'destination answered 410 Gone' WHERE id = hook;
    END IF;
    RETURN new_status;
END $$;

-- Queue depth and the oldest pending alert's age in seconds, for pushd's /metrics.
CREATE FUNCTION alert_queue_stats(OUT pending bigint, OUT oldest_pending_seconds double precision)
    LANGUAGE sql STABLE AS $$
        SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(created_at))::float8, 0)
          FROM variant_dashboard.alert_outbox WHERE status = 'pending'
    $$;

-- The alert decisions: early_kill on every kill (after the early_kill event), winner_found and
-- calibration on performance updates, fatigue_alert when a variant with a pattern is registered or killed.
-- "zzz_" names: after the totals and pattern_days triggers, so a decision sees the change it follows.
CREATE FUNCTION alert_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_alert_trigger' LANGUAGE C;
CREATE TRIGGER zzz_alert_kill AFTER INSERT ON variant_kills
    FOR EACH ROW EXECUTE FUNCTION alert_trigger();
CREATE TRIGGER zzz_alert_performance AFTER INSERT OR UPDATE OF view_count, interaction_count ON variant_monitoring
    FOR EACH ROW EXECUTE FUNCTION alert_trigger();
CREATE TRIGGER zzz_alert_registered AFTER INSERT ON variants
    FOR EACH ROW EXECUTE FUNCTION alert_trigger();
