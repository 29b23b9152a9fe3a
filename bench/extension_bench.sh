#!/usr/bin/env bash
# Extension benchmarks, reported, never asserted:
#  1. dashboard_metrics on a persona with 100,000 variants (1,000 active) and 1,000,000 events:
#     median and p99 latency over repeated calls (pgbench, one client, per-call latency log).
#     variant_probabilities on the same persona (1,000 active variants): median and p99.
#  2. variant_history over the last 24 hours of the same persona (1,000 variants reported every minute
#     of their first hour; 240 points: 900 s buckets): median and p99.
#  3. handle_performance_update throughput with pgbench, 8 clients, as a ratio to a bare UPDATE of
#     the same row in a trigger-less copy of variant_monitoring.
# Needs PG* env pointing at a database with the extension. Prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${BENCH_SECONDS:-15}
work=$(mktemp -d); chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

echo "loading 100,000 variants and 1,000,000 events ..." >&2
psql -qX -f "$here/load_extension_data.sql" >/dev/null

# Prints "median p99" in milliseconds of the per-transaction latencies pgbench logged in $1.
latency_percentiles() {
  cat "$1"/pgbench_log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "%.2f %.2f\n", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}'
}

# Prints "median p99" in milliseconds of one SQL statement ($1) called repeatedly by one pgbench client.
time_query() {
  echo "$1" >"$work/query.sql"
  (cd "$work" && pgbench -n -c 1 -T "$seconds" -l -f query.sql >/dev/null 2>&1)
  latency_percentiles "$work"
  rm -f "$work"/pgbench_log.*
}

read -r metrics_p50 metrics_p99 < <(time_query "SELECT variant_dashboard.dashboard_metrics('bench');")
read -r probabilities_p50 probabilities_p99 < <(time_query "SELECT variant_dashboard.variant_probabilities('bench');")

# personas() with 1,000 personas (5 variants each, a kill each across the last two days, half on Berlin time).
psql -qX <<'SQL' >/dev/null
INSERT INTO variant_dashboard.variants (id, persona_id, content, predicted_er)
SELECT 'pp-' || p || '-' || i, 'persona-' || p, 'x', 0.05 FROM generate_series(1, 1000) p, generate_series(1, 5) i;
INSERT INTO variant_dashboard.variant_monitoring (variant_id, persona_id, interaction_count, view_count)
SELECT 'pp-' || p || '-' || i, 'persona-' || p, 5, 100 FROM generate_series(1, 1000) p, generate_series(1, 5) i;
INSERT INTO variant_dashboard.variant_kills (variant_id, persona_id, reason, posted_at, killed_at)
SELECT 'pp-' || p || '-1', 'persona-' || p, 'x', now() - interval '3 days', now() - (p % 48) * interval '1 hour'
  FROM generate_series(1, 1000) p;
INSERT INTO variant_dashboard.persona_settings (persona_id, time_zone)
SELECT 'persona-' || p, 'Europe/Berlin' FROM generate_series(1, 500) p;
ANALYZE;
SQL
read -r personas_p50 personas_p99 < <(time_query "SELECT * FROM variant_dashboard.personas();")
read -r history_p50 history_p99 < <(time_query "SELECT variant_dashboard.variant_history('bench', now() - interval '24 hours');")

cat >"$work/bare.sql" <<'SQL'
\set vid random(1, 1000)
UPDATE bench_bare_monitoring SET interaction_count = (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
       view_count = (extract(epoch FROM clock_timestamp()) * 100000)::bigint, last_updated = now()
 WHERE variant_id = 'bv' || :vid;
SQL
# The ceiling LISTEN/NOTIFY sets: the same bare UPDATE plus one pg_notify in its transaction. NOTIFY
# serialises committing transactions on one cluster-wide lock, which defeats group commit.
{ echo 'BEGIN;'; cat "$work/bare.sql"; echo "SELECT pg_notify('bench_channel', 'variant bv' || :vid || ' ' || random());"; echo 'COMMIT;'; } >"$work/bare_notify.sql"
psql -qX -c "DROP TABLE IF EXISTS bench_bare_monitoring" \
     -c "CREATE TABLE bench_bare_monitoring AS SELECT * FROM variant_dashboard.variant_monitoring" \
     -c "ALTER TABLE bench_bare_monitoring ADD PRIMARY KEY (variant_id)" -c "VACUUM ANALYZE bench_bare_monitoring" >/dev/null

# Prints the transactions per second pgbench reports for script $1 with 8 clients.
tps_of() {
  pgbench -n -c 8 -j 2 -T "$seconds" -f "$1" 2>/dev/null | awk -F' = ' '/^tps/ {print int($2); exit}'
}
update_tps=$(tps_of "$here/performance_update.sql")
# The write path before the history rollup: the same calls with its triggers off.
psql -qX -c "ALTER TABLE variant_dashboard.variant_monitoring DISABLE TRIGGER history_rollup,
                                                          DISABLE TRIGGER history_rollup_update"
no_rollup_tps=$(tps_of "$here/performance_update.sql")
psql -qX -c "ALTER TABLE variant_dashboard.variant_monitoring ENABLE TRIGGER history_rollup,
                                                          ENABLE TRIGGER history_rollup_update"
rollup_cost=$(awk -v a="$update_tps" -v b="$no_rollup_tps" 'BEGIN {printf "%+.1f%%", (b / a - 1) * 100}')
bare_tps=$(tps_of "$work/bare.sql")
bare_notify_tps=$(tps_of "$work/bare_notify.sql")
ratio=$(awk -v a="$update_tps" -v b="$bare_tps" 'BEGIN {printf "%.2f", a / b}')
notify_ratio=$(awk -v a="$update_tps" -v b="$bare_notify_tps" 'BEGIN {printf "%.2f", a / b}')
psql -qX -c "DROP TABLE bench_bare_monitoring" >/dev/null

cat <<MD
| extension measure | result | target |
|---|---|---|
| dashboard_metrics, 100k variants / 1k active / 1M events, median | ${metrics_p50} ms | <= 5 ms |
| dashboard_metrics, same, p99 | ${metrics_p99} ms | |
| personas(), 1,000 personas, median (all rows to the client) | ${personas_p50} ms | <= 2 ms |
| personas(), same, p99 | ${personas_p99} ms | |
| variant_probabilities, 1,000 active variants, median | ${probabilities_p50} ms | <= 20 ms |
| variant_probabilities, same, p99 | ${probabilities_p99} ms | |
| variant_history, last 24 h of that persona, median | ${history_p50} ms | <= 20 ms |
| variant_history, same, p99 | ${history_p99} ms | |
| handle_performance_update, 8 clients (with the history rollup) | ${update_tps} calls/s | |
| handle_performance_update without the history rollup (its triggers off) | ${no_rollup_tps} calls/s | |
| write path cost of the history rollup (time per call) | ${rollup_cost} | <= +10% |
| bare UPDATE of the same row, 8 clients | ${bare_tps} updates/s | |
| ratio | ${ratio} | >= 0.5 |
| bare UPDATE + pg_notify in one transaction (the NOTIFY ceiling) | ${bare_notify_tps} tx/s | |
| handle_performance_update as a ratio of that ceiling | ${notify_ratio} | |
MD
