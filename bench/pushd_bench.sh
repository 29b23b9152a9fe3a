#!/usr/bin/env bash
# pushd benchmarks (issue 3), reported, never asserted. The clients are bench/wsload (C, libwebsockets,
# one event loop); the writer is pgbench calling handle_performance_update.
#  1. commit-to-client latency p50/p99/max with 1,000 clients of one persona while pgbench commits
#     100 events/s (--rate 100) for BENCH_PUSHD_SECONDS (20) s: ~100,000 deliveries/s;
#  2. pushd CPU time (utime + stime from /proc/<pid>/stat) per delivery over that run, with live panels at the
#     default --panels-interval-ms (2000) and again with --panels-interval-ms 0 (panels off): the panels' share
#     of pushd's CPU, and the panels queries the run made (at most one per interval);
#  3. pushd VmRSS while it holds BENCH_IDLE_CLIENTS (10,000) idle clients;
#  4. events per second each of 10 clients receives while 8 pgbench clients write as fast as they can
#     for BENCH_RELAY_SECONDS (10) s, as a ratio of the rate the same writer reaches with no listener;
#     every client must get every event id exactly once.
# Each measure starts a fresh pushd on a free 127.0.0.1 port. Needs PG* env pointing at a database with
# the extension (bench/run.sh). Uses its own personas (wsb-*). Prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=scripts/cluster.sh
. "$top/scripts/cluster.sh" # cluster_free_port
latency_seconds=${BENCH_PUSHD_SECONDS:-20}
relay_seconds=${BENCH_RELAY_SECONDS:-10}
idle_clients=${BENCH_IDLE_CLIENTS:-10000}
work=$(mktemp -d); chmod 755 "$work"
pushd_pid='' wsload_pid='' port=''

# Stops what this script started and removes its files.
cleanup() {
  [ -n "$wsload_pid" ] && kill -INT "$wsload_pid" 2>/dev/null && wait "$wsload_pid" 2>/dev/null || true
  [ -n "$pushd_pid" ] && kill -TERM "$pushd_pid" 2>/dev/null && wait "$pushd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts pushd on a free port (more pushd flags may follow) and waits until /readyz answers 200. All clients come
# from 127.0.0.1, so the per-IP connection and request limits are off (variables: a pushd without those limits
# ignores them).
start_pushd() {
  port=$(cluster_free_port)
  PUSHD_MAX_CONNS_PER_IP=0 PUSHD_MAX_HTTP_CONNS_PER_IP=0 PUSHD_CONN_RATE=0 PUSHD_HTTP_RATE=0 "$top/pushd/pushd" --database-url "dbname=$PGDATABASE" --bind 127.0.0.1 --port "$port" --log-level warn \
    "$@" 2>>"$work/pushd.log" &
  pushd_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "pushd did not become ready; its log:" >&2; cat "$work/pushd.log" >&2; return 1
}

# Stops pushd with SIGTERM.
stop_pushd() {
  kill -TERM "$pushd_pid"; wait "$pushd_pid" || true; pushd_pid=''
}

# Starts wsload with $1 clients of persona $2 (more wsload flags may follow) and waits up to 300 s until
# every client has its initial_data; wsload's report lands in $work/wsload.out when it stops.
start_wsload() {
  local clients=$1 persona=$2; shift 2
  rm -f "$work/ready"
  "$here/wsload" --port "$port" --persona "$persona" --clients "$clients" --ready-file "$work/ready" "$@" \
    >"$work/wsload.out" 2>>"$work/wsload.log" &
  wsload_pid=$!
  for _ in $(seq 1 3000); do
    [ -s "$work/ready" ] && return 0
    kill -0 "$wsload_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "wsload: not every client connected; see below" >&2
}

# Stops wsload with SIGINT; it prints its report on the way out.
stop_wsload() {
  kill -INT "$wsload_pid" 2>/dev/null || true; wait "$wsload_pid" || true; wsload_pid=''
  cat "$work/wsload.log" >&2; : >"$work/wsload.log"
}

# Prints field $1 of wsload's key=value report, or n/a.
field() {
  local value
  value=$(tr ' ' '\n' <"$work/wsload.out" | sed -n "s/^$1=//p")
  echo "${value:-n/a}"
}

# pushd's CPU time so far in seconds: "user system".
pushd_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f %.2f\n", $14 / hz, $15 / hz}' "/proc/$pushd_pid/stat"
}

# A counter of pushd's /metrics ($1), 0 when pushd does not have it.
pushd_counter() {
  curl -fs "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1 == name {v = $2} END {print v + 0}'
}

# pushd's count of variant_update messages written to clients.
pushd_relayed() {
  pushd_counter dashboard_events_relayed_total
}

# Waits until pushd has written $1 messages, or its count has not moved for 3 s, then 0.5 s for the last
# ones to be read: a backlog counts in the latency, it is not cut off.
wait_relayed() {
  local now last='' still=0
  while [ "$still" -lt 30 ]; do
    now=$(pushd_relayed)
    [ "${now:-0}" -ge "$1" ] && break
    if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; fi
    last=$now
    sleep 0.1
  done
  sleep 0.5
}

# pushd's resident set in MB.
pushd_rss_mb() {
  awk '/^VmRSS/ {printf "%.1f\n", $2 / 1024}' "/proc/$pushd_pid/status"
}

# Registers 50 variants wsb-<persona>-1..50 of persona $1 unless they exist.
register_variants() {
  psql -qX -v ON_ERROR_STOP=1 -c "SELECT variant_dashboard.register_variant('$1-' || g, '$1', 'pushd bench variant ' || g, 0.05, 'bench')
    FROM generate_series(1, 50) g WHERE NOT EXISTS (SELECT 1 FROM variant_dashboard.variants v WHERE v.id = '$1-' || g)" >/dev/null
}

# Writes the pgbench script updating a random variant of persona $1 with counts that always grow.
writer_script() {
  cat >"$work/$1.sql" <<SQL
\set vid random(1, 50)
SELECT variant_dashboard.handle_performance_update('$1-' || :vid,
  jsonb_build_object('persona_id', '$1', 'interaction_count', (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
                     'view_count', (extract(epoch FROM clock_timestamp()) * 100000)::bigint));
SQL
}

# Newest event id of the whole log.
last_event_id() {
  psql -AtX -c "SELECT coalesce(max(id), 0) FROM variant_dashboard.dashboard_events"
}

# Prints "count rate" of persona $1's events after id $2: rate = (count - 1) / (last - first created_at).
event_rate() {
  psql -AtX -F ' ' -c "SELECT count(*), round(((count(*) - 1) / nullif(extract(epoch FROM max(created_at) - min(created_at)), 0))::numeric, 1)
    FROM variant_dashboard.dashboard_events WHERE persona_id = '$1' AND id > $2"
}

# Measures 1 and 2: 1,000 clients of wsb-lat while pgbench commits 100 events/s; pushd flags may follow.
measure_latency() {
  start_pushd "$@"
  start_wsload 1000 wsb-lat
  local from user0 sys0 user1 sys1
  from=$(last_event_id)
  read -r user0 sys0 < <(pushd_cpu_seconds)
  pgbench -n -c 2 -j 1 --rate 100 -T "$latency_seconds" -f "$work/wsb-lat.sql" >/dev/null 2>&1
  read -r lat_events lat_event_rate < <(event_rate wsb-lat "$from")
  wait_relayed $((lat_events * 1000))
  read -r user1 sys1 < <(pushd_cpu_seconds)
  panels_queries=$(pushd_counter dashboard_panels_queries_total)
  panels_updates=$(pushd_counter dashboard_panels_updates_total)
  stop_wsload
  stop_pushd
  lat_p50=$(field p50_ms); lat_p99=$(field p99_ms); lat_max=$(field max_ms)
  lat_deliveries=$(field deliveries); lat_rate=$(field deliveries_per_s); lat_clients=$(field connected)
  read -r cpu_per_delivery sys_per_delivery < <(awk -v d="$lat_deliveries" -v u0="$user0" -v s0="$sys0" -v u1="$user1" -v s1="$sys1" \
    'BEGIN {if (d > 0) printf "%.2f %.2f\n", (u1 - u0 + s1 - s0) * 1e6 / d, (s1 - s0) * 1e6 / d; else print "n/a n/a"}')
  cpu_seconds=$(awk -v u0="$user0" -v s0="$sys0" -v u1="$user1" -v s1="$sys1" 'BEGIN {printf "%.2f", u1 - u0 + s1 - s0}')
  wsload_per_delivery=$(awk -v c="$(field wsload_cpu_s)" -v d="$lat_deliveries" 'BEGIN {if (d > 0) printf "%.2f", c * 1e6 / d; else print "n/a"}')
}

# Measure 3: pushd's RSS with no client, then holding the idle clients of wsb-idle.
measure_idle() {
  start_pushd
  rss_empty=$(pushd_rss_mb)
  start_wsload "$idle_clients" wsb-idle --connect-burst 200
  sleep 2
  rss_idle=$(pushd_rss_mb)
  stop_wsload
  stop_pushd
  idle_connected=$(field connected); idle_failed=$(field failed); idle_connect_s=$(field connect_s)
}

# Measure 4: the raw rate with no listener, then the rate 10 clients receive, and loss against the log.
measure_relay() {
  local from
  from=$(last_event_id)
  pgbench -n -c 8 -j 2 -T "$relay_seconds" -f "$work/wsb-raw.sql" >/dev/null 2>&1
  read -r raw_events raw_rate < <(event_rate wsb-raw "$from")
  start_pushd
  start_wsload 10 wsb-relay --expect-ids "$work/relay_ids"
  from=$(last_event_id)
  pgbench -n -c 8 -j 2 -T "$relay_seconds" -f "$work/wsb-relay.sql" >/dev/null 2>&1
  read -r relay_events relay_write_rate < <(event_rate wsb-relay "$from")
  wait_relayed $((relay_events * 10))
  psql -AtX -c "SELECT id FROM variant_dashboard.dashboard_events WHERE persona_id = 'wsb-relay' AND id > $from ORDER BY id" \
    >"$work/relay_ids"
  stop_wsload
  stop_pushd
  relay_rate=$(field slowest_client_per_s); relay_lost=$(field lost); relay_dup=$(field duplicated)
  relay_unexpected=$(field unexpected); relay_resyncs=$(field resyncs)
  relay_ratio=$(awk -v a="$relay_rate" -v b="$raw_rate" 'BEGIN {if (b > 0 && a + 0 > 0) printf "%.2f", a / b; else print "n/a"}')
  relay_ratio_live=$(awk -v a="$relay_rate" -v b="$relay_write_rate" 'BEGIN {if (b > 0 && a + 0 > 0) printf "%.2f", a / b; else print "n/a"}')
}

make -s -C "$here" wsload >&2
ulimit -n "$(ulimit -Hn)"
for persona in wsb-lat wsb-raw wsb-relay; do
  register_variants "$persona"
  writer_script "$persona"
done
echo "pushd: latency with 1,000 clients for ${latency_seconds} s, live panels off ..." >&2
measure_latency --panels-interval-ms 0
off_cpu_per_delivery=$cpu_per_delivery off_cpu_seconds=$cpu_seconds off_deliveries=$lat_deliveries off_panels_queries=$panels_queries
echo "pushd: latency with 1,000 clients for ${latency_seconds} s, live panels every 2000 ms ..." >&2
measure_latency --panels-interval-ms 2000
panels_share=$(awk -v on="$cpu_per_delivery" -v off="$off_cpu_per_delivery" \
  'BEGIN {if (off + 0 > 0 && on + 0 > 0) printf "%+.1f%%", (on / off - 1) * 100; else print "n/a"}')
panels_bound=$(awk -v s="$latency_seconds" 'BEGIN {printf "%d", s / 2 + 2}')
echo "pushd: ${idle_clients} idle clients ..." >&2
measure_idle
echo "pushd: relay rate with 10 clients ..." >&2
measure_relay

cat <<MD
| pushd measure (wsload clients on the same 2 cores) | result | target |
|---|---|---|
| commit-to-client latency, ${lat_clients} clients of one persona, 100 events/s: p50 | ${lat_p50} ms | |
| same, p99 | ${lat_p99} ms | <= 10 ms |
| same, max | ${lat_max} ms | |
| deliveries received (${lat_events} events x ${lat_clients} clients committed at ${lat_event_rate} events/s) | ${lat_deliveries} at ${lat_rate}/s | 100,000/s |
| pushd CPU time per delivery (user + system), live panels every 2000 ms (${cpu_seconds} s for ${lat_deliveries} deliveries) | ${cpu_per_delivery} us | <= 3 us |
| of which system (the kernel's loopback TCP path, charged to the sender) | ${sys_per_delivery} us | |
| same with --panels-interval-ms 0, panels off (${off_cpu_seconds} s for ${off_deliveries} deliveries; ${off_panels_queries} panels queries) | ${off_cpu_per_delivery} us | |
| pushd CPU per delivery with live panels against without | ${panels_share} | <= +10% |
| panels queries of the one persona during the ${latency_seconds} s run with panels (${panels_updates} panels_update messages sent) | ${panels_queries} | <= ${panels_bound} (one per 2 s interval, plus the run's ends) |
| wsload CPU time per delivery (the clients, for scale) | ${wsload_per_delivery} us | |
| pushd VmRSS holding ${idle_clients} idle clients (${idle_connected} connected in ${idle_connect_s} s, ${idle_failed} failed) | ${rss_idle} MB | <= 64 MB |
| pushd VmRSS with no client | ${rss_empty} MB | |
| raw NOTIFY rate: handle_performance_update, 8 pgbench clients, no listener (${raw_events} events) | ${raw_rate} events/s | |
| events relayed per second to each of 10 clients (slowest client; ${relay_events} events written at ${relay_write_rate}/s meanwhile) | ${relay_rate} events/s | |
| relayed / raw NOTIFY rate | ${relay_ratio} | >= 0.9 |
| relayed / the writer's rate during the same run | ${relay_ratio_live} | |
| events lost / duplicated / unexpected over the 10 clients (resyncs: ${relay_resyncs}) | ${relay_lost} / ${relay_dup} / ${relay_unexpected} | 0 / 0 / 0 |
MD
