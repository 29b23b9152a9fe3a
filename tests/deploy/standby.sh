#!/bin/sh
# Read scaling test of pushd: builds a real streaming standby of the test cluster with pg_basebackup,
# starts it on a free port, points pushd at both (--database-url primary, --read-database-url standby) and
# runs standby.test.mjs. The standby is stopped and its folder removed on exit, pass or fail.
# Needs PGHOST PGPORT PGUSER PGDATABASE (a database with CREATE EXTENSION variant_dashboard on the primary;
# PGUSER a superuser, which may pause replay; the primary must allow replication connections, as
# initdb --auth=trust does for local and 127.0.0.1), PG_BIN, PUSHD_BIN and TEST_OUT. As root the standby
# runs as the postgres OS user, like scripts/cluster.sh's primary.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"
deploy_env "deploy standby test" "$here" PGHOST PGPORT PGUSER PGDATABASE PG_BIN PUSHD_BIN TEST_OUT

# Runs a command as the owner of the standby's files: postgres when we are root (PostgreSQL refuses root).
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

dir=$(mktemp -d /tmp/pushd-standby.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
export STANDBY_DATA="$dir/data" STANDBY_HOST="$dir"
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	as_owner "$PG_BIN/pg_ctl" -D "$STANDBY_DATA" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The standby's settings that must be at least the primary's, or hot standby refuses to start.
settings=$(psql -qAtX -d "$PGDATABASE" -c "SELECT string_agg(format('-c %s=%s', name, setting), ' ') FROM pg_settings
	WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
	               'max_locks_per_transaction')")
as_owner "$PG_BIN/pg_basebackup" -R -X stream -c fast -D "$STANDBY_DATA" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" \
	>"$TEST_OUT/standby-basebackup.log" 2>&1 || { cat "$TEST_OUT/standby-basebackup.log" >&2; exit 1; }
STANDBY_PORT=$(free_port)
export STANDBY_PORT
as_owner "$PG_BIN/pg_ctl" -D "$STANDBY_DATA" -l "$dir/postgres.log" -w -t 60 \
	-o "-p $STANDBY_PORT -k $dir -c listen_addresses=127.0.0.1 -c hot_standby=on -c hot_standby_feedback=on $settings" \
	start >/dev/null || { tail -n 30 "$dir/postgres.log" >&2; exit 1; }

status=0
node --test --test-reporter=spec "$here/standby.test.mjs" || status=1
cp "$dir/postgres.log" "$TEST_OUT/standby-postgres.log" 2>/dev/null || true
exit $status
