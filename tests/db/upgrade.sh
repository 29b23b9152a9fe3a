#!/usr/bin/env bash
# The upgrade paths: CREATE EXTENSION at each released version with data, ALTER EXTENSION UPDATE, and the
# result must have the same objects as a fresh install, keep every row, and work. Needs PG* env (a server
# with the extension installed); uses its own databases.
set -euo pipefail
objects() {
  psql -AtX -d "$1" -c "SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
                         WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
                           AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'variant_dashboard')
                         ORDER BY 1"
}
# Row counts and totals of every table that holds data, as one line.
contents() {
  psql -AtX -d "$1" -c "SELECT (SELECT count(*) FROM variant_dashboard.variants) || ' variants, '
                            || (SELECT count(*) FROM variant_dashboard.variant_monitoring) || ' monitored, '
                            || (SELECT count(*) FROM variant_dashboard.variant_kills) || ' kills, '
                            || (SELECT count(*) FROM variant_dashboard.dashboard_events) || ' events, views '
                            || (SELECT sum(total_views) FROM variant_dashboard.persona_totals)"
}
psql -qX -d postgres -c "DROP DATABASE IF EXISTS vd_fresh" -c "CREATE DATABASE vd_fresh"
psql -qX -v ON_ERROR_STOP=1 -d vd_fresh -c "CREATE EXTENSION variant_dashboard"
default=$(psql -AtX -d vd_fresh -c "SELECT extversion FROM pg_extension WHERE extname = 'variant_dashboard'")
for from in 0.1.0 0.2.0; do
  db=vd_upgraded
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  psql -qX -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION variant_dashboard VERSION '$from'"
  # The installed library is the newest and writes what the newest schema has, so the old version's
  # rows are written as its own library would have left them: plain rows with triggers off, events
  # included, and the old version's own rebuild of the totals.
  psql -qX -v ON_ERROR_STOP=1 -d $db <<'SQL' >/dev/null
SET session_replication_role = replica;
INSERT INTO variant_dashboard.variants (id, persona_id, content, predicted_er, pattern_used, posted_at)
SELECT 'u' || i, 'upgrade', 'kept across the upgrade', 0.05, 'hook', now() - interval '1 hour' FROM generate_series(1, 20) i;
INSERT INTO variant_dashboard.variant_monitoring (variant_id, persona_id, current_er, interaction_count, view_count)
SELECT 'u' || i, 'upgrade', 0.01, i, 100 * i FROM generate_series(1, 20) i;
INSERT INTO variant_dashboard.variant_kills (variant_id, persona_id, reason, posted_at)
VALUES ('u1', 'upgrade', 'kept', now() - interval '1 hour');
UPDATE variant_dashboard.variants SET status = 'killed' WHERE id = 'u1';
INSERT INTO variant_dashboard.dashboard_events (event_type, persona_id, variant_id, event_data)
SELECT 'variant_registered', 'upgrade', 'u' || i, jsonb_build_object('variant_id', 'u' || i) FROM generate_series(1, 20) i;
SELECT variant_dashboard.rebuild_persona_totals();
SQL
  before=$(contents $db)
  psql -qX -v ON_ERROR_STOP=1 -d $db -c "ALTER EXTENSION variant_dashboard UPDATE"
  version=$(psql -AtX -d $db -c "SELECT extversion FROM pg_extension WHERE extname = 'variant_dashboard'")
  [ "$version" = "$default" ] || { echo "FAIL: $from upgraded to $version, fresh install is $default"; exit 1; }
  if ! diff <(objects $db) <(objects vd_fresh); then echo "FAIL: $from upgraded and fresh objects differ"; exit 1; fi
  after=$(contents $db)
  [ "$before" = "$after" ] || { echo "FAIL: the upgrade from $from changed the data: $before -> $after"; exit 1; }
  psql -AtX -d $db -c "SELECT variant_dashboard.evaluate_early_kill('u2')->>'rule'" | grep -qx bayesian \
    || { echo "FAIL: 0.2.0 functions do not work after the upgrade from $from"; exit 1; }
  psql -AtX -d $db -c "SELECT last_event_id = (SELECT max(id) FROM variant_dashboard.dashboard_events)
                         FROM variant_dashboard.personas() WHERE persona_id = 'upgrade'" | grep -qx t \
    || { echo "FAIL: personas() does not show the newest event after the upgrade from $from"; exit 1; }
  psql -qAtX -v ON_ERROR_STOP=1 -d $db \
    -c "SELECT variant_dashboard.handle_performance_update('u2', '{\"persona_id\": \"upgrade\", \"interaction_count\": 50, \"view_count\": 900}')" >/dev/null \
    || { echo "FAIL: writes fail after the upgrade from $from"; exit 1; }
  echo "ok: $from -> $version upgrade matches a fresh install ($(objects vd_fresh | wc -l) objects) and keeps the data ($after)"
  psql -qX -d postgres -c "DROP DATABASE $db"
done
psql -qX -d postgres -c "DROP DATABASE vd_fresh"
