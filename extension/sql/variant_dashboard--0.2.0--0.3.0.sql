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
CREATE FUNCTION alert_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_alert_trigger' LANGUAGE C;
CREATE TRIGGER zy_alert_kill AFTER INSERT ON variant_kills
    FOR EACH ROW EXECUTE FUNCTION alert_trigger();
CREATE TRIGGER zy_alert_performance AFTER INSERT OR UPDATE OF view_count, interaction_count ON variant_monitoring
    FOR EACH ROW EXECUTE FUNCTION alert_trigger();
CREATE TRIGGER zy_alert_registered AFTER INSERT ON variants
    FOR EACH ROW EXECUTE FUNCTION alert_trigger();
