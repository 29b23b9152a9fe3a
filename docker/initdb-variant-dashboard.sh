#!/usr/bin/env bash
# Runs once, when the postgres image initialises an empty data directory (/docker-entrypoint-initdb.d).
# Creates the extension in $POSTGRES_DB, applies the least-privilege roles (scripts/roles.sql) and, when
# PUSHD_DB_PASSWORD is set, a login role `pushd` for the push daemon. pushd has one database URL today,
# used for REST reads, replay and the POST ingestion endpoints, so the role gets the writer's rights
# (which include the reader's). Set PUSHD_DB_PASSWORD only through a secret in production.
set -euo pipefail

vd_psql() {
	psql -X -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" "$@"
}

vd_psql -q -c "CREATE EXTENSION IF NOT EXISTS variant_dashboard"
vd_psql -q -f /usr/local/share/variant_dashboard/roles.sql
if [ -n "${PUSHD_DB_PASSWORD:-}" ]; then
	# The password travels as a psql variable, quoted by psql (:'pw'), never spliced into SQL text.
	vd_psql -q -v pw="$PUSHD_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE pushd LOGIN PASSWORD %L IN ROLE variant_dashboard_writer', :'pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pushd') \gexec
SQL
fi
echo "variant_dashboard: extension created in ${POSTGRES_DB:-postgres}"
