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
