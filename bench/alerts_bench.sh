#!/usr/bin/env bash
# The write path with alerts (issue 13 allows +10%): handle_performance_update throughput, 8 clients,
# with no webhook, then with one webhook subscribed to every alert kind and persona (every update above
# 100 views is judged for winner_found), alternating on the same server and data. Needs PG* env (a
# server with the extension installed); uses its own database. Reported, never asserted.
set -euo pipefail
seconds=${BENCH_SECONDS:-15}
rounds=${ALERT_ROUNDS:-3}
here=$(cd "$(dirname "$0")" && pwd)
psql -qX -d postgres -c "DROP DATABASE IF EXISTS vd_alerts_bench" -c "CREATE DATABASE vd_alerts_bench" >/dev/null 2>&1
export PGDATABASE=vd_alerts_bench
psql -qX -c "CREATE EXTENSION variant_dashboard" \
  -c "SELECT count(variant_dashboard.register_variant('bv' || i, 'bench', 'c', 0.05)) FROM generate_series(1, 1000) i" \
  -c "SELECT variant_dashboard.create_webhook('https://alerts.example.com/hook',
        ARRAY['early_kill', 'fatigue_alert', 'winner_found', 'calibration'], secret => 'bench secret 0123456789')" \
  -c "SELECT variant_dashboard.disable_webhook(1)" >/dev/null

# Prints the update throughput with the webhook enabled (on) or disabled (off).
measure() {
  psql -qX -c "SELECT variant_dashboard.$1_webhook(1)" >/dev/null
  pgbench -n -c 8 -j 2 -T "$seconds" -f "$here/performance_update.sql" 2>/dev/null | awk -F' = ' '/^tps/ {print int($2); exit}'
}

off=(); on=()
for _ in $(seq 1 "$rounds"); do
  off+=("$(measure disable)")
  on+=("$(measure enable)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
b=$(median "${off[@]}"); a=$(median "${on[@]}")
cat <<MD
| write path with alerts (handle_performance_update, 8 clients, median of $rounds alternating rounds of ${seconds} s) | calls/s |
|---|---|
| no webhook | $b (rounds: ${off[*]}) |
| one webhook, every kind | $a (rounds: ${on[*]}) |
| change | $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%+.1f%%", (a / b - 1) * 100}') (budget: -10%) |
MD
psql -qX -d postgres -c "DROP DATABASE vd_alerts_bench" >/dev/null
