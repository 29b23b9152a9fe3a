#!/bin/sh
# Integration tests of pushd. Needs PGHOST PGPORT PGUSER PGDATABASE (database with CREATE EXTENSION
# variant_dashboard), PGDATA and PG_BIN (for the restart test), PUSHD_BIN and TEST_OUT.
# Runs pushd.test.js, security.test.js, http_framing.test.js, db.test.js, alerts.test.js and panels.test.js. Optional: PUSHD_TESTS=name,name to run a subset;
# PUSHD_WRAPPER="valgrind ..." to wrap the binary;
# PUSHD_SKIP_RSS_BOUND=1 skips only the memory bound of the stalled-client test (sanitizer builds).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for v in PGHOST PGPORT PGUSER PGDATABASE PGDATA PG_BIN PUSHD_BIN TEST_OUT; do
	eval "val=\${$v:-}"
	[ -n "$val" ] || { echo "pushd tests: $v is not set" >&2; exit 2; }
done
[ -x "$PUSHD_BIN" ] || { echo "pushd tests: $PUSHD_BIN is not executable" >&2; exit 2; }
mkdir -p "$TEST_OUT"
"$here/../../scripts/npm-deps.sh" "$here"
status=0
for suite in pushd security http_framing db alerts panels; do
	node "$here/$suite.test.js" || status=1
done
exit $status
