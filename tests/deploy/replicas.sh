#!/bin/sh
# Multi-replica test of pushd: 3 replicas on 3 ports against one database, clients spread across them.
# Needs PGHOST PGPORT PGUSER PGDATABASE (a database with CREATE EXTENSION variant_dashboard, reachable
# over TCP: on 127.0.0.1 when PGHOST is a socket folder), PUSHD_BIN and TEST_OUT. Linux only (/proc).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"
deploy_env "deploy replica test" "$here" PGHOST PGPORT PGUSER PGDATABASE PUSHD_BIN TEST_OUT
exec node --test --test-reporter=spec "$here/replicas.test.mjs"
