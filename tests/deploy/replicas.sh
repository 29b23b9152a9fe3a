#!/bin/sh
# Multi-replica test of pushd: 3 replicas on 3 ports against one database, clients spread across them.
# Needs PGHOST PGPORT PGUSER PGDATABASE (a database with CREATE EXTENSION variant_dashboard, reachable
# over TCP: on 127.0.0.1 when PGHOST is a socket folder), PUSHD_BIN and TEST_OUT. Linux only (/proc).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for v in PGHOST PGPORT PGUSER PGDATABASE PUSHD_BIN TEST_OUT; do
	eval "val=\${$v:-}"
	[ -n "$val" ] || { echo "deploy replica test: $v is not set" >&2; exit 2; }
done
[ -x "$PUSHD_BIN" ] || { echo "deploy replica test: $PUSHD_BIN is not executable" >&2; exit 2; }
mkdir -p "$TEST_OUT"
if [ ! -d "$here/node_modules/ws" ] || [ ! -d "$here/node_modules/pg" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --silent)
fi
exec node --test --test-reporter=spec "$here/replicas.test.mjs"
