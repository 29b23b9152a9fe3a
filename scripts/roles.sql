-- Least-privilege roles for variant_dashboard. Run once per database as the extension's owner (or a
-- superuser), after CREATE EXTENSION, and again after upgrades that add functions:
--
--     psql -d mydb -f scripts/roles.sql
--     CREATE ROLE pushd_reader LOGIN PASSWORD '...' IN ROLE variant_dashboard_reader;
--     CREATE ROLE ingest_service LOGIN PASSWORD '...' IN ROLE variant_dashboard_writer;
--
-- variant_dashboard_reader: reads the dashboard (what pushd's main connection uses).
-- variant_dashboard_writer: the reader's rights plus the ingestion functions and the writes their
--   triggers make (what pushd's --writer-database-url and producers use).
-- Both are NOLOGIN group roles with fixed names; nothing here is built from input.
\set ON_ERROR_STOP on

SELECT 'CREATE ROLE variant_dashboard_reader NOLOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'variant_dashboard_reader') \gexec
SELECT 'CREATE ROLE variant_dashboard_writer NOLOGIN IN ROLE variant_dashboard_reader'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'variant_dashboard_writer') \gexec

-- Nobody executes anything in the schema unless granted below (functions default to EXECUTE for PUBLIC).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA variant_dashboard FROM PUBLIC;

GRANT USAGE ON SCHEMA variant_dashboard TO variant_dashboard_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA variant_dashboard TO variant_dashboard_reader;
GRANT EXECUTE ON FUNCTION
    variant_dashboard.dashboard_metrics(text, timestamptz),
    variant_dashboard.active_variants(text, timestamptz, integer),
    variant_dashboard.performance_leaders(text, timestamptz, integer, bigint),
    variant_dashboard.fatigue_warnings(text, timestamptz),
    variant_dashboard.optimization_suggestions(text, timestamptz),
    variant_dashboard.events_after(text, bigint, integer),
    variant_dashboard.evaluate_early_kill(text, timestamptz),
    variant_dashboard.variant_probabilities(text, timestamptz),
    variant_dashboard.beta_cdf(double precision, double precision, double precision),
    variant_dashboard.personas(timestamptz),
    variant_dashboard.persona_day_start(text, timestamptz),
    -- the fatigue read buckets uses by day
    variant_dashboard.pattern_day_of(timestamptz),
    variant_dashboard.pattern_day_time(timestamptz),
    variant_dashboard.variant_history(text, timestamptz, timestamptz, integer, text),
    variant_dashboard.variant_detail(text, timestamptz),
    -- dashboard_metrics reads it for last_event_id
    variant_dashboard.oldest_event_id()
    TO variant_dashboard_reader;

GRANT EXECUTE ON FUNCTION
    variant_dashboard.register_variant(text, text, text, double precision, text, timestamptz),
    variant_dashboard.handle_performance_update(text, jsonb),
    variant_dashboard.handle_early_kill_event(text, jsonb),
    variant_dashboard.lock_persona(text),
    -- called by the totals and pattern_days triggers in the writer's own session
    variant_dashboard.add_to_totals(text, bigint, bigint, bigint, bigint, bigint),
    variant_dashboard.refresh_pattern_day(text, text, date)
    TO variant_dashboard_writer;
GRANT INSERT, UPDATE ON variant_dashboard.variants, variant_dashboard.variant_monitoring,
                        variant_dashboard.persona_totals, variant_dashboard.pattern_days TO variant_dashboard_writer;
-- written by the history rollup trigger in the writer's own session
GRANT INSERT, UPDATE ON variant_dashboard.history_points, variant_dashboard.history_pooled TO variant_dashboard_writer;
GRANT INSERT ON variant_dashboard.variant_kills, variant_dashboard.dashboard_events TO variant_dashboard_writer;
-- Deletes are not part of the event stream (a dashboard would keep showing a deleted variant): no writer
-- may delete; the extension's owner cleans up, and dashboards resync (docs/EVENTS.md).
REVOKE DELETE, TRUNCATE ON ALL TABLES IN SCHEMA variant_dashboard FROM variant_dashboard_writer, variant_dashboard_reader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA variant_dashboard TO variant_dashboard_writer;

-- Alerts (issue 13). The reader sees webhooks without their URL (a Slack URL is a credential) and never a
-- secret; the writers' triggers match webhooks and write the outbox; variant_dashboard_delivery is the
-- role pushd's deliverer needs beside its writer role (GRANT variant_dashboard_delivery TO <pushd writer>):
-- it reads URLs and secrets, claims and finishes outbox rows, and disables a webhook answering 410.
SELECT 'CREATE ROLE variant_dashboard_delivery NOLOGIN IN ROLE variant_dashboard_reader'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'variant_dashboard_delivery') \gexec
REVOKE ALL ON variant_dashboard.webhook_secrets FROM variant_dashboard_reader, variant_dashboard_writer;
REVOKE SELECT ON variant_dashboard.webhooks FROM variant_dashboard_reader;
GRANT SELECT (id, event_types, persona_ids, format, enabled, disabled_reason, created_at)
    ON variant_dashboard.webhooks TO variant_dashboard_reader;
GRANT INSERT ON variant_dashboard.alert_outbox, variant_dashboard.alerts_sent TO variant_dashboard_writer;
GRANT SELECT ON variant_dashboard.webhooks, variant_dashboard.webhook_secrets TO variant_dashboard_delivery;
GRANT UPDATE ON variant_dashboard.alert_outbox TO variant_dashboard_delivery;
GRANT UPDATE (enabled, disabled_reason) ON variant_dashboard.webhooks TO variant_dashboard_delivery;
GRANT EXECUTE ON FUNCTION
    variant_dashboard.claim_alerts(integer, integer, integer),
    variant_dashboard.finish_alert(bigint, bigint, text, integer, text, timestamptz, bigint),
    variant_dashboard.alert_queue_stats()
    TO variant_dashboard_delivery;
