#!/bin/bash
# The compose stack's demo simulator (what `make demo` runs, in a container): waits for PostgreSQL, loads
# the demo schema, content and a week of history (scripts/demo/*.sql, mounted at /demo), then runs the
# simulator procedure in the foreground. The connection comes from PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE.
# Stop with SIGINT (compose's stop_signal): psql cancels the CALL and exits.
set -euo pipefail
rate=${DEMO_RATE:-5}
max_active_per_persona=8
history_per_persona=16
[[ $rate =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "demo-simulator: DEMO_RATE must be a positive number" >&2; exit 2; }

for _ in $(seq 60); do
	psql -X -qtA -c "SELECT 1 FROM pg_extension WHERE extname = 'variant_dashboard'" 2>/dev/null | grep -q 1 && break
	sleep 1
done
PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 \
	-f /demo/simulator.sql -f /demo/content.sql \
	-c "CALL demo.load_history($history_per_persona, 0.42)"
echo "demo-simulator: history loaded; simulating $rate steps/s"
# The backend notices within 2 s when psql goes away (as in scripts/demo.sh).
PGAPPNAME=variant_dashboard_demo_simulator PGOPTIONS="${PGOPTIONS:-} -c client_connection_check_interval=2000" \
	exec psql -X -q -v ON_ERROR_STOP=1 -c "CALL demo.simulate($rate, $max_active_per_persona, 0.7)"
