#!/usr/bin/env bash
# NOTIFY payloads: one per event, in the documented shape, under PostgreSQL's 8000-byte limit even
# for a 20 KB variant text (then without data and marked truncated), and sent only at commit.
# Needs PG* env pointing at a database with the extension, and node to parse JSON.
set -euo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# psql prints each notification it receives after the command that produced it.
psql -X -v ON_ERROR_STOP=1 >"$log" <<'SQL'
LISTEN variant_dashboard;
SELECT variant_dashboard.register_variant('np1', 'notify_test', 'short text', 0.05, 'hook');
SELECT variant_dashboard.register_variant('np2', 'notify_test', repeat('long ', 4000), 0.05);
BEGIN;
SELECT variant_dashboard.handle_performance_update('np1', '{"persona_id": "notify_test", "interaction_count": 3, "view_count": 60}');
ROLLBACK;
SELECT variant_dashboard.handle_performance_update('np1', '{"persona_id": "notify_test", "interaction_count": 4, "view_count": 80}');
SELECT variant_dashboard.handle_early_kill_event('np1', '{"persona_id": "notify_test", "reason": "Low engagement"}');
SQL

node - "$log" <<'JS'
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8');
const re = /Asynchronous notification "variant_dashboard" with payload "(.*)" received from server process/g;
const payloads = [...text.matchAll(re)].map(m => m[1]);
let failures = 0;
const check = (cond, what) => { console.log(`${cond ? 'ok' : 'not ok'} - ${what}`); if (!cond) failures++; };
const msgs = payloads.map(p => JSON.parse(p));
check(msgs.length === 4, `4 notifications (registered, registered, update, kill), got ${msgs.length}`);
check(payloads.every(p => Buffer.byteLength(p) < 8000), 'every payload is under 8000 bytes');
const [reg, big, update, kill] = msgs;
check(reg.persona_id === 'notify_test' && reg.event_type === 'variant_registered' && reg.data.content === 'short text',
      'a small event carries its data');
check(reg.data.event_id === reg.event_id && typeof reg.created_at === 'string', 'data.event_id and created_at are set');
check(big.truncated === true && big.data === undefined && big.event_id > reg.event_id,
      'a 20 KB variant is announced by id, marked truncated');
check(update.event_type === 'performance_update' && update.data.view_count === 80 && update.data.current_er === 0.05,
      'the rolled-back update sent nothing; the committed one its numbers');
check(kill.event_type === 'early_kill' && kill.data.kill_reason === 'Low engagement' && kill.data.sample_size === 80,
      'the kill carries its reason and sample size');
check(msgs.every((m, i) => i === 0 || m.event_id > msgs[i - 1].event_id), 'event ids increase');
process.exit(failures ? 1 : 0);
JS
