#!/usr/bin/env bash
# The demo and the README's examples (issue 12, point 10), against the real pushd and PostgreSQL:
# - scripts/demo.sh --no-build starts (simulator, pushd on 127.0.0.1:8081, the demo's data in this server's
#   database variant_dashboard_demo) and prints a psql command that opens that database;
# - tests/demo/demo.test.mjs (node:test, headless Debian Chromium via tests/e2e's playwright-core): within 2 minutes
#   of the demo printing "Press Ctrl-C", /dashboard/?persona=ai-jesus at 1400x900 shows every panel kind (live
#   badge, summary cards, an active variant row, a leader, kills today > 0 and a recent kill, a fatigue warning, a
#   suggestion, live feed entries), and the overview /dashboard/ lists ai-jesus; screenshots demo-1400.png and
#   demo-390.png go to $TEST_OUT/demo; then GET /api/metrics/ai-jesus has every panel kind too;
# - every README.md block marked `sh readme-test` runs verbatim (bash -e) and exits 0; together they show every
#   WebSocket message type (initial_data, variant_update, panels_update, resumed, pong, error);
# - a Ctrl-C (SIGINT to the demo's process group, as a terminal sends it) ends the demo with status 0, without
#   "stopped unexpectedly", and leaves no pushd running.
# Runs in a private network namespace (as root) so the README's port 8081 is always free; otherwise it needs
# 8081 free. Env: PGHOST PGPORT PGUSER (a server with the extension installed), TEST_OUT.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${TEST_OUT:=$top/build/test-output}"
out=$TEST_OUT/demo
mkdir -p "$out"

# what needs the npm registry comes first: the private network namespace below has no way out
if [ "${VD_DEMO_NETNS:-}" != 1 ]; then
  [ -f "$top/pushd/web/dist/index.html" ] || (cd "$top/pushd/web" && npm ci --no-audit --no-fund && npm run build)
  "$top/scripts/npm-deps.sh" "$top/tests/e2e"
fi
if [ "${VD_DEMO_NETNS:-}" != 1 ] && [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
  exec unshare --net env VD_DEMO_NETNS=1 "$0" "$@"
fi
[ "${VD_DEMO_NETNS:-}" = 1 ] && ip link set lo up
export PATH=$top/tests/e2e/node_modules/.bin:$PATH
unset DATABASE_URL PGDATABASE
export PGHOST=${PGHOST:-/var/run/postgresql} PGPORT=${PGPORT:-5432}

failures=0
# Records a failed check with its message.
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

demo_log=$out/demo.out
# as from a terminal: its own process group, SIGINT not ignored (bash ignores it in background jobs it starts)
python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execv(sys.argv[1], sys.argv[1:])' \
  "$top/scripts/demo.sh" --no-build >"$demo_log" 2>&1 &
demo_pid=$!
# Stops the demo's process group if it still runs (a failed check left it running).
cleanup() {
  kill -0 "$demo_pid" 2>/dev/null && kill -TERM -- "-$demo_pid" 2>/dev/null
  wait "$demo_pid" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 600); do
  grep -q 'Press Ctrl-C' "$demo_log" && break
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 0.2
done
grep -q 'Press Ctrl-C' "$demo_log" || { cat "$demo_log"; echo "FAIL: the demo did not start"; exit 1; }
started_ms=$(date +%s%3N)

# the psql command it prints opens the demo database
psql_line=$(sed -n 's/^  the database: //p' "$demo_log")
[ -n "$psql_line" ] || fail "no psql command printed"
[ "$(bash -c "$psql_line -X -At -c 'SELECT count(*) > 0 FROM variant_dashboard.variants'" 2>&1)" = t ] \
  || fail "the printed psql command ($psql_line) does not open the demo database"

# every panel kind within 2 minutes, in the browser; then the API agrees
DEMO_URL=http://127.0.0.1:8081 DEMO_PERSONA=ai-jesus DEMO_STARTED_MS=$started_ms TEST_OUT=$out \
  node --test --test-reporter=spec "$here/demo.test.mjs" || fail "the browser test of the demo (tests/demo/demo.test.mjs)"
panels='.summary.total_variants > 0 and (.active_variants | length) > 0 and (.performance_leaders | length) > 0
  and .early_kills_today.kills_today > 0 and (.recent_kills | length) > 0 and (.pattern_fatigue_warnings | length) > 0
  and (.optimization_opportunities | length) > 0 and (.real_time_feed | length) > 0'
curl -fsS http://127.0.0.1:8081/api/metrics/ai-jesus | jq -e "$panels" >/dev/null \
  || fail "GET /api/metrics/ai-jesus lacks a panel kind"

# the README's examples, verbatim
blocks=$out/readme-blocks
rm -rf "$blocks" && mkdir -p "$blocks"
awk -v dir="$blocks" '/^```sh readme-test$/ { n++; file = sprintf("%s/%02d.sh", dir, n); next }
  /^```/ { file = ""; next } file { print > file }' "$top/README.md"
count=$(find "$blocks" -name '*.sh' | wc -l)
[ "$count" -ge 6 ] || fail "only $count README blocks marked sh readme-test"
# wscat ends when its standard input closes: the blocks read a FIFO this script keeps open, like a terminal
mkfifo "$blocks/stdin"
exec 4<>"$blocks/stdin"
for block in "$blocks"/*.sh; do
  if bash -e -o pipefail "$block" <"$blocks/stdin" >"$block.out" 2>&1 && [ -s "$block.out" ]; then
    echo "ok README block $(basename "$block")"
  else
    fail "README block $(basename "$block") (output in $block.out):"; sed 's/^/    /' "$block" "$block.out"
  fi
done
for type in initial_data variant_update panels_update resumed pong error; do
  grep -qs "\"type\":\"$type\"" "$blocks"/*.out || fail "no README example shows a $type message"
done

# Ctrl-C: status 0, no "stopped unexpectedly", pushd gone
kill -INT -- "-$demo_pid"
status=0
wait "$demo_pid" || status=$?
[ "$status" = 0 ] || fail "the demo exited with status $status after Ctrl-C"
! grep -q 'stopped unexpectedly' "$demo_log" || fail "the demo said it stopped unexpectedly"
grep -q '^stopped$' "$demo_log" || fail "the demo did not say it stopped"
! curl -fsS -o /dev/null http://127.0.0.1:8081/healthz 2>/dev/null || fail "pushd still answers after Ctrl-C"

cp "$demo_log" "$out/demo-final.out"
if [ "$failures" -gt 0 ]; then
  echo "demo: $failures check(s) failed; the demo's output: $demo_log"
  exit 1
fi
echo "demo: all checks passed"
