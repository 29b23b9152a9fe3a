#!/usr/bin/env bash
# Resume under concurrent writers: a reader that polls events_after(persona, last_seen) while several
# writers commit in an order unrelated to when they started must see every committed event exactly
# once and in increasing id order. Writers sleep inside their transactions after writing, which is
# exactly where a sequence-ordered outbox loses events. Needs PG* env pointing at a database with
# the extension.
set -euo pipefail
writers=${WRITERS:-6}
per_writer=${PER_WRITER:-40}
persona=resume_test
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

psql -qX -v ON_ERROR_STOP=1 -c "DELETE FROM variant_dashboard.variants WHERE persona_id = '$persona'" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -c "SELECT variant_dashboard.register_variant('rc' || w, '$persona', 'writer ' || w, 0.05)
                                FROM generate_series(1, $writers) w" >/dev/null
start_id=$(psql -AtX -c "SELECT coalesce(max(id), 0) FROM variant_dashboard.dashboard_events WHERE persona_id = '$persona'")

# One writer: many short transactions, each holding its event uncommitted for a random moment.
writer() {
  local w=$1
  for i in $(seq 1 "$per_writer"); do
    echo "BEGIN;
SELECT variant_dashboard.handle_performance_update('rc$w', '{\"persona_id\": \"$persona\", \"interaction_count\": $i, \"view_count\": $((i * 20))}');
SELECT pg_sleep(random() * 0.02);
COMMIT;"
  done | psql -qX -v ON_ERROR_STOP=1 >/dev/null
}

# The reader: polls from its last seen id until told to stop, then drains once more.
reader() {
  local last=$start_id
  while :; do
    local stop=0
    [ -e "$out/stop" ] && stop=1
    local ids
    ids=$(psql -AtX -c "SELECT event_id FROM variant_dashboard.events_after('$persona', $last, 100000)")
    if [ -n "$ids" ]; then echo "$ids" >>"$out/seen"; last=$(echo "$ids" | tail -n 1); fi
    [ "$stop" = 1 ] && break
  done
}

# Deterministic case first: A writes and holds its transaction open; B writes and commits meanwhile; a
# reader polls as soon as B returns. Resuming after B's id must still deliver A's event.
a_log=$out/a_ids
psql -AtX -v ON_ERROR_STOP=1 >"$a_log" <<SQL &
BEGIN;
SELECT variant_dashboard.handle_performance_update('rc1', '{"persona_id": "$persona", "interaction_count": 1, "view_count": 10}');
SELECT pg_sleep(1.5);
COMMIT;
SQL
a_pid=$!
sleep 0.5
b_id=$(psql -AtX -c "SELECT variant_dashboard.handle_performance_update('rc2', '{\"persona_id\": \"$persona\", \"interaction_count\": 1, \"view_count\": 10}')")
first_read=$(psql -AtX -c "SELECT event_id FROM variant_dashboard.events_after('$persona', $start_id, 100000)")
wait "$a_pid"
a_id=$(grep -E '^[0-9]+$' "$a_log" | head -n 1)
last=$(echo "$first_read" | tail -n 1)
second_read=$(psql -AtX -c "SELECT event_id FROM variant_dashboard.events_after('$persona', ${last:-$start_id}, 100000)")
if ! printf '%s\n%s\n' "$first_read" "$second_read" | grep -qx "$a_id"; then
  echo "FAIL: event $a_id committed after event $b_id and was skipped by a reader resuming after $last"; exit 1
fi
echo "ok: the late commit ($a_id, committed after $b_id) is delivered on resume"
start_id=$(psql -AtX -c "SELECT max(id) FROM variant_dashboard.dashboard_events WHERE persona_id = '$persona'")

touch "$out/seen"
reader & reader_pid=$!
pids=()
for w in $(seq 1 "$writers"); do writer "$w" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
touch "$out/stop"
wait "$reader_pid"

psql -AtX -c "SELECT id FROM variant_dashboard.dashboard_events WHERE persona_id = '$persona' AND id > $start_id ORDER BY id" >"$out/committed"
committed=$(wc -l <"$out/committed"); seen=$(wc -l <"$out/seen")
expected=$((writers * per_writer))
echo "committed $committed events, reader saw $seen"
[ "$committed" -eq "$expected" ] || { echo "FAIL: expected $expected committed events"; exit 1; }
sort -n -c "$out/seen" 2>/dev/null || { echo "FAIL: the reader saw ids out of order"; exit 1; }
[ "$(sort -n -u "$out/seen" | wc -l)" -eq "$seen" ] || { echo "FAIL: the reader saw an event twice"; exit 1; }
if ! diff -q "$out/committed" "$out/seen" >/dev/null; then
  echo "FAIL: the reader missed events:"; comm -23 "$out/committed" "$out/seen" | head; exit 1
fi
echo "ok: every committed event seen exactly once, in order"
