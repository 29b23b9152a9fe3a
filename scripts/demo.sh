#!/usr/bin/env bash
# `make demo`: one command from a fresh Debian 12 machine to a live dashboard fed by a simulator.
# Run `scripts/demo.sh --help` for what it does and the settings it reads.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
demo_dir=$top/.demo
demo_db=variant_dashboard_demo
port=${DEMO_PORT:-8081}
rate=${DEMO_RATE:-5}
simulator_app=variant_dashboard_demo_simulator
max_active_per_persona=8
history_per_persona=16
simulator_pid=
pushd_pid=

# Prints what the demo does and the environment variables it reads.
print_usage() {
  cat <<EOF
Usage: scripts/demo.sh [--no-build]     (or: make demo)

Installs missing Debian packages (as root), builds everything, installs the extension, starts a private
PostgreSQL cluster in .demo/pg (git-ignored), creates the database $demo_db with the extension,
loads a week of demo history for the personas ai-jesus, tech-guru and fitness-coach, then runs a simulator
(new variants every 4-8 s, performance updates, early kills) and pushd, and prints the dashboard URL and
a psql command for the demo database. Ctrl-C (or SIGTERM) stops the simulator, pushd and the cluster and
exits with status 0; nothing is left running.

  --no-build    skip the package check, the build and `make install`: use pushd/pushd, pushd/web/dist and
                the extension as they are already built and installed (tests/demo/run.sh uses it)

Every run reuses the cluster in .demo/ but replaces the demo's data: variants with ids 'demo-*', their
events and the schema 'demo' are deleted and loaded afresh, so the history is always relative to now.
Nothing else in the database is touched. For a brand-new cluster: stop the demo, then rm -rf .demo

Environment:
  DEMO_PORT     port pushd listens on, on 127.0.0.1 (default 8081)
  DEMO_RATE     simulator steps per second (default 5); a step is one performance update of a random
                active variant, then a kill check, or (every 4-8 s) the registration of a new variant
  DATABASE_URL  use this existing database instead of the private cluster (the extension is created
                in it when missing); PGHOST/PGPORT/PGUSER/PGDATABASE select an existing server too,
                where the database $demo_db is used (created when missing)
Logs: .demo/simulator.log, .demo/pushd.log, .demo/pg/postgres.log
EOF
}

# Exits with a message on standard error.
die() {
  echo "demo: $*" >&2
  exit 1
}

# Sends a signal to one process this script started, waits up to 5 s for it to end, then kills it.
stop_process() {
  local pid=$1 signal=$2
  kill -"$signal" "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Stops everything this script started: the simulator (SIGINT makes psql cancel its CALL), pushd, the cluster.
stop_everything() {
  trap - EXIT INT TERM
  echo
  echo "stopping the demo"
  [ -n "$simulator_pid" ] && stop_process "$simulator_pid" INT
  [ -n "$pushd_pid" ] && stop_process "$pushd_pid" TERM
  cluster_stop
  echo "stopped"
}

# Stops a cluster an earlier demo left running in .demo/pg (killed without a chance to clean up), unless
# an existing server is configured (then cluster_start does not use .demo/pg).
stop_leftover_cluster() {
  if [ -z "${DATABASE_URL:-}${PGHOST:-}${PGDATABASE:-}" ] && [ -f "$demo_dir/pg/data/postmaster.pid" ] \
     && cluster_as_owner "$PG_BIN/pg_ctl" -D "$demo_dir/pg/data" status >/dev/null 2>&1; then
    echo "stopping the cluster an earlier demo left running"
    cluster_as_owner "$PG_BIN/pg_ctl" -D "$demo_dir/pg/data" -m fast -w stop >/dev/null
  fi
}

# Prints the libpq connection string of the demo database, creating the database when it is ours to name.
demo_connection() {
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "$DATABASE_URL"
    return 0
  fi
  if [ -z "$(psql -X -tA -c "SELECT 1 FROM pg_database WHERE datname = '$demo_db'")" ]; then
    psql -X -q -c "CREATE DATABASE $demo_db" >&2
  fi
  echo "dbname=$demo_db"
}

# Prints a psql command line that opens the demo database (libpq settings of the cluster in use).
psql_command() {
  local conn=$1
  if [ -n "${DATABASE_URL:-}" ]; then
    printf 'psql %q\n' "$conn"
  else
    printf 'psql -h %q -p %q -U %q %q\n' "${PGHOST:-/var/run/postgresql}" "${PGPORT:-5432}" "${PGUSER:-$(id -un)}" "$conn"
  fi
}

# Creates the extension when missing and loads the simulator, the demo data and a week of history.
load_demo_data() {
  local conn=$1
  PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$conn" \
    -c "CREATE EXTENSION IF NOT EXISTS variant_dashboard" \
    -f "$top/scripts/demo/simulator.sql" \
    -f "$top/scripts/demo/content.sql" \
    -c "CALL demo.load_history($history_per_persona, 0.42)"
}

# Starts the simulator in a background psql whose backend notices within 2 s if psql goes away.
start_simulator() {
  local conn=$1
  PGAPPNAME=$simulator_app PGOPTIONS="${PGOPTIONS:-} -c client_connection_check_interval=2000" \
    psql -X -q -v ON_ERROR_STOP=1 -d "$conn" -c "CALL demo.simulate($rate, $max_active_per_persona, 0.7)" \
    >"$demo_dir/simulator.log" 2>&1 &
  simulator_pid=$!
}

# Starts pushd on 127.0.0.1:$port and waits until /readyz answers 200 (its LISTEN connection is up).
start_pushd() {
  local conn=$1
  "$top/pushd/pushd" --database-url="$conn" --bind=127.0.0.1 --port="$port" \
    --web-root="$top/pushd/web/dist" >"$demo_dir/pushd.log" 2>&1 &
  pushd_pid=$!
  for _ in $(seq 100); do
    kill -0 "$pushd_pid" 2>/dev/null || { tail -n 20 "$demo_dir/pushd.log" >&2; die "pushd exited; see .demo/pushd.log"; }
    curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && return 0
    sleep 0.2
  done
  die "pushd did not become ready within 20 s; see .demo/pushd.log"
}

build=1
case "${1:-}" in
  -h|--help) print_usage; exit 0 ;;
  --no-build) build=0 ;;
  "") ;;
  *) print_usage >&2; exit 2 ;;
esac
if ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  die "DEMO_PORT must be a port number, got '$port'"
fi
if ! [[ $rate =~ ^[0-9]*\.?[0-9]+$ ]] || ! awk "BEGIN { exit !($rate > 0) }"; then
  die "DEMO_RATE must be a positive number, got '$rate'"
fi

cd "$top"
if [ "$build" = 1 ]; then
  "$top/scripts/deps.sh" demo
  make all
  make install >/dev/null || die "make install failed (run as root, or own the PostgreSQL extension directory)"
fi
! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "port $port is in use (an earlier demo still running?); set DEMO_PORT"

mkdir -p "$demo_dir"
# shellcheck source=scripts/cluster.sh
. "$top/scripts/cluster.sh"
trap stop_everything EXIT
# Ctrl-C and SIGTERM are how the demo is meant to end: status 0. The trap runs as soon as `wait -n` below
# returns, before the checks after it, so a simulator or pushd ending from the same Ctrl-C is not reported.
trap 'exit 0' INT TERM
stop_leftover_cluster
cluster_start "$demo_dir/pg"
conn=$(demo_connection)
echo "loading demo data into $conn"
load_demo_data "$conn"
start_simulator "$conn"
start_pushd "$conn"

cat <<EOF

The dashboard is live: http://127.0.0.1:$port/dashboard/?persona=ai-jesus
  other personas: ?persona=tech-guru  ?persona=fitness-coach
  simulator: $rate steps/s (log .demo/simulator.log); pushd log .demo/pushd.log
  the database: $(psql_command "$conn")
Press Ctrl-C to stop everything.
EOF

wait -n "$simulator_pid" "$pushd_pid" || true
if ! kill -0 "$simulator_pid" 2>/dev/null; then
  tail -n 20 "$demo_dir/simulator.log" >&2
  die "the simulator stopped unexpectedly; see .demo/simulator.log"
fi
tail -n 20 "$demo_dir/pushd.log" >&2
die "pushd stopped unexpectedly; see .demo/pushd.log"
