#!/usr/bin/env bash
# Retention under a real pg_cron: a throw-away cluster of its own (shared_preload_libraries = pg_cron,
# which the suite's cluster lacks) schedules run_maintenance() the way README.md shows, then checks that
# expired events are gone, history is still there, and that a client resuming from an expired id is
# refused with SQLSTATE VDEXP (resync) while a resync's snapshot resumes with no gap.
# Needs the extension and pg_cron (postgresql-15-cron) installed in PG_BIN's PostgreSQL.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/vd-cron.XXXXXX); chmod 755 "$dir"
unset DATABASE_URL PGHOST PGPORT PGDATABASE PGDATA
. "$top/scripts/cluster.sh"
trap 'cluster_stop; rm -rf "$dir"' EXIT
CLUSTER_OPTS="-c fsync=off -c shared_preload_libraries=pg_cron -c cron.database_name=vd_cron
              -c cron.use_background_workers=on -c max_worker_processes=16" cluster_start "$dir/pg" >/dev/null
psql -qX -d postgres -c "CREATE DATABASE vd_cron"
export PGDATABASE=vd_cron
q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
q -c "CREATE EXTENSION variant_dashboard" -c "CREATE EXTENSION pg_cron"

# An expired day (a partition 30 days back) and expired rows in the DEFAULT partition (20 days back),
# then today's writes, with history.
q <<'SQL' >/dev/null
SELECT variant_dashboard.run_maintenance();
CREATE TABLE variant_dashboard.dashboard_events_p20000101 PARTITION OF variant_dashboard.dashboard_events
    FOR VALUES FROM ('2000-01-01') TO ('2000-01-02');
SELECT variant_dashboard.register_variant('c' || i, 'cron', 'kept in history', 0.05, 'hook', now() - interval '1 hour')
  FROM generate_series(1, 3) i;
BEGIN;
SELECT variant_dashboard.lock_persona('cron');
INSERT INTO variant_dashboard.dashboard_events (event_type, persona_id, variant_id, event_data, created_at)
SELECT 'status_change', 'cron', 'c1', '{}', t FROM unnest(ARRAY['2000-01-01 12:00+00', now() - interval '20 days']::timestamptz[]) t;
COMMIT;
SELECT variant_dashboard.handle_performance_update('c' || i,
         jsonb_build_object('persona_id', 'cron', 'interaction_count', i, 'view_count', 100 * i))
  FROM generate_series(1, 3) i;
SQL
expired_max=$(q -c "SELECT max(id) FROM variant_dashboard.dashboard_events WHERE created_at < now() - interval '14 days'")
old_client=1      # a dashboard that applied event 1 and went away
[ "$(q -c "SELECT count(*) FROM variant_dashboard.events_after('cron', $old_client)")" -gt 3 ] || fail "setup"

# The README's schedule, at every minute here so that the test does not wait a night.
q -c "SELECT cron.schedule('variant-dashboard-maintenance', '* * * * *', 'SELECT variant_dashboard.run_maintenance()')" >/dev/null
for _ in $(seq 1 90); do
  status=$(q -c "SELECT string_agg(status, ',') FROM cron.job_run_details")
  case "$status" in *succeeded*|*failed*) break ;; esac
  sleep 1
done
[ "$status" = succeeded ] || fail "pg_cron ran run_maintenance: '$status' ($(q -c "SELECT return_message FROM cron.job_run_details"))"

[ "$(q -c "SELECT to_regclass('variant_dashboard.dashboard_events_p20000101') IS NULL")" = t ] || fail "the expired partition is still there"
[ "$(q -c "SELECT count(*) FROM variant_dashboard.dashboard_events WHERE created_at < now() - interval '14 days'")" = 0 ] \
  || fail "expired events are still there"
[ "$(q -c "SELECT variant_dashboard.oldest_event_id()")" = $((expired_max + 1)) ] || fail "oldest_event_id is not after the expired events"
[ "$(q -c "SELECT count(*) FROM variant_dashboard.dashboard_events")" = 6 ] || fail "kept events are gone"
[ "$(q -c "SELECT count(*) FROM variant_dashboard.events_after('cron', $expired_max)")" = 3 ] || fail "events after the expired ones do not resume"
points=$(q -c "SELECT jsonb_array_length(variant_dashboard.variant_history('cron', now() - interval '1 day')->'variants')")
[ "$points" = 3 ] || fail "history lost: $points variants have points"

# The client that resumes from before the expiry: refused with VDEXP, never an incomplete replay.
state=$(psql -qAtX -d vd_cron -c "\\set VERBOSITY sqlstate" -c "SELECT count(*) FROM variant_dashboard.events_after('cron', $old_client)" 2>&1 || true)
[ "$state" = "ERROR:  VDEXP" ] || fail "an expired resume answered '$state', not VDEXP"
# Its resync: the snapshot's last_event_id, then what happens after it, and nothing is missing.
snapshot=$(q -c "SELECT variant_dashboard.dashboard_metrics('cron')->>'last_event_id'")
q -c "SELECT variant_dashboard.handle_performance_update('c2', '{\"persona_id\": \"cron\", \"interaction_count\": 9, \"view_count\": 900}')" >/dev/null
after=$(q -c "SELECT string_agg(event_type, ',') FROM variant_dashboard.events_after('cron', $snapshot)")
[ "$after" = performance_update ] || fail "resuming from the resync snapshot ($snapshot) gave '$after'"
# A persona whose every event expired: its snapshot still resumes (no endless resync).
quiet=$(q -c "SELECT variant_dashboard.dashboard_metrics('quiet')->>'last_event_id'")
q -c "SELECT count(*) FROM variant_dashboard.events_after('quiet', $quiet)" >/dev/null || fail "an empty persona's snapshot does not resume"
echo "ok: pg_cron ran run_maintenance; expired events gone (through id $expired_max), history kept, expired resume -> VDEXP, resync resumes with no gap"
