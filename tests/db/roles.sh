#!/usr/bin/env bash
# Least privilege (scripts/roles.sql): a reader reads the dashboard and cannot write; a writer ingests
# (auto-kill included) but cannot change settings or delete. Needs PG* env as a superuser, a database
# with the extension.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
psql -qX -v ON_ERROR_STOP=1 -f "$top/scripts/roles.sql" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -f "$top/scripts/roles.sql" >/dev/null   # idempotent
psql -qX -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DROP ROLE IF EXISTS vd_test_reader;
DROP ROLE IF EXISTS vd_test_writer;
DROP ROLE IF EXISTS vd_test_delivery;
CREATE ROLE vd_test_reader LOGIN IN ROLE variant_dashboard_reader;
CREATE ROLE vd_test_writer LOGIN IN ROLE variant_dashboard_writer;
CREATE ROLE vd_test_delivery LOGIN IN ROLE variant_dashboard_delivery;
SELECT variant_dashboard.create_webhook('https://example.com/hook?token=abc', secret => 'a secret of 16+ characters');
INSERT INTO variant_dashboard.persona_settings (persona_id, auto_kill) VALUES ('roles', true);
SQL
failures=0
# Runs SQL as a role; expects success ("ok") or a given SQLSTATE.
expect() {
  local role=$1 want=$2 sql=$3 got
  got=$(PGUSER=$role psql -qAtX -v ON_ERROR_STOP=1 -c "\set VERBOSITY sqlstate" -c "$sql" 2>&1 >/dev/null | grep -oE '[0-9][0-9A-Z]{4}' | head -n 1 || true)
  [ -z "$got" ] && got=ok
  if [ "$got" = "$want" ]; then echo "ok - $role: $sql -> $want"; else echo "not ok - $role: $sql -> $got, wanted $want"; failures=$((failures + 1)); fi
}
expect vd_test_writer ok "SELECT variant_dashboard.register_variant('r1', 'roles', 'written by the writer', 0.06, 'hook', now())"
expect vd_test_writer ok "SELECT variant_dashboard.handle_performance_update('r1', '{\"persona_id\": \"roles\", \"interaction_count\": 0, \"view_count\": 300}')"
expect vd_test_writer ok "SELECT 1 FROM variant_dashboard.variants WHERE id = 'r1' AND status = 'killed'"
expect vd_test_writer ok "SELECT variant_dashboard.register_variant('r2', 'roles', 'second', 0.06)"
expect vd_test_writer ok "SELECT variant_dashboard.handle_early_kill_event('r2', '{\"persona_id\": \"roles\", \"reason\": \"by hand\"}')"
expect vd_test_writer 42501 "DELETE FROM variant_dashboard.variants WHERE id = 'r1'"
expect vd_test_writer 42501 "DELETE FROM variant_dashboard.variant_monitoring WHERE variant_id = 'r1'"
expect vd_test_writer 42501 "DELETE FROM variant_dashboard.variant_kills WHERE variant_id = 'r1'"
expect vd_test_writer 42501 "DELETE FROM variant_dashboard.dashboard_events"
expect vd_test_writer 0A000 "UPDATE variant_dashboard.variants SET persona_id = 'elsewhere' WHERE id = 'r2'"
expect vd_test_writer ok "BEGIN; SELECT variant_dashboard.lock_persona('roles'); UPDATE variant_dashboard.variants SET status = 'completed' WHERE id = 'r1'; COMMIT"
expect vd_test_writer 42501 "UPDATE variant_dashboard.persona_settings SET auto_kill = false"
expect vd_test_reader ok "SELECT variant_dashboard.dashboard_metrics('roles')"
expect vd_test_reader ok "SELECT * FROM variant_dashboard.events_after('roles', 0)"
expect vd_test_reader ok "SELECT variant_dashboard.evaluate_early_kill('r1')"
expect vd_test_reader 42501 "SELECT variant_dashboard.register_variant('r3', 'roles', 'x', 0.05)"
expect vd_test_reader 42501 "SELECT variant_dashboard.handle_performance_update('r2', '{\"persona_id\": \"roles\", \"interaction_count\": 1, \"view_count\": 400}')"
expect vd_test_reader 42501 "INSERT INTO variant_dashboard.variant_kills (variant_id, persona_id, reason, posted_at) VALUES ('r2', 'roles', 'x', now())"
expect vd_test_reader 42501 "UPDATE variant_dashboard.variant_monitoring SET view_count = 0"
# alerts: the writer's kills write the outbox; only the delivery role reads URLs and secrets and claims
expect vd_test_writer ok "SELECT variant_dashboard.register_variant('r4', 'roles', 'alerted', 0.06)"
expect vd_test_writer ok "SELECT variant_dashboard.handle_early_kill_event('r4', '{\"persona_id\": \"roles\", \"reason\": \"alert me\"}')"
expect vd_test_reader ok "SELECT 1/count(*) FROM variant_dashboard.alert_outbox WHERE variant_id = 'r4'"
expect vd_test_reader ok "SELECT webhook_id, destination, pending, last_error FROM variant_dashboard.webhook_status"
expect vd_test_reader ok "SELECT id, event_types, enabled FROM variant_dashboard.webhooks"
expect vd_test_reader 42501 "SELECT url FROM variant_dashboard.webhooks"
expect vd_test_reader 42501 "SELECT secret FROM variant_dashboard.webhook_secrets"
expect vd_test_writer 42501 "SELECT secret FROM variant_dashboard.webhook_secrets"
expect vd_test_reader 42501 "SELECT * FROM variant_dashboard.claim_alerts(10, 2, 1000)"
expect vd_test_writer 42501 "SELECT variant_dashboard.create_webhook('https://example.com/other')"
expect vd_test_delivery ok "SELECT 1/count(*) FROM variant_dashboard.claim_alerts(10, 2, 1000) WHERE secret IS NOT NULL"
expect vd_test_delivery ok "SELECT variant_dashboard.finish_alert(outbox_id, lease_token, 'gone', 410, 'HTTP 410', NULL, 1000) FROM variant_dashboard.claim_alerts(10, 2, 1000)"
# no function of the extension is SECURITY DEFINER (so none needs a pinned search_path)
definers=$(psql -AtX -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'variant_dashboard'::regnamespace AND prosecdef")
[ "$definers" = 0 ] && echo "ok - no SECURITY DEFINER functions" || { echo "not ok - $definers SECURITY DEFINER functions"; failures=$((failures + 1)); }
psql -qX -c "DROP OWNED BY vd_test_reader, vd_test_writer, vd_test_delivery" -c "DROP ROLE vd_test_reader" \
  -c "DROP ROLE vd_test_writer" -c "DROP ROLE vd_test_delivery" >/dev/null
[ "$failures" -eq 0 ]
