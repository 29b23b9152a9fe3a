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
