#!/usr/bin/env bash
# `make test`: installs missing packages (as root), builds, starts a throw-away PostgreSQL (or uses
# DATABASE_URL / PG*), runs every suite, and stops the cluster even when a suite fails.
# Exit status is non-zero when any suite fails. Output of each suite goes to build/test-output/.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh" test || exit 1
make all || exit 1
make install >/dev/null || { echo "make install failed (run as root, or own the PostgreSQL extension dir)" >&2; exit 1; }

export TEST_OUT=$top/build/test-output
export PUSHD_BIN=$top/pushd/pushd
rm -rf "$TEST_OUT"; mkdir -p "$TEST_OUT"
workdir=$(mktemp -d /tmp/variant-dashboard-test.XXXXXX)
chmod 755 "$workdir"
. "$top/scripts/cluster.sh"
trap 'cluster_stop; rm -rf "$workdir"' EXIT
CLUSTER_OPTS="-c fsync=off -c synchronous_commit=off" cluster_start "$workdir/pg" || exit 1

failed=()
# Runs one suite, recording its name when it fails.
run_suite() {
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}

# Runs a command against a fresh database (named $1) holding the extension and pgTAP.
with_db() {
  local db=$1; shift
  psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null &&
    psql -q -X -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION variant_dashboard" -c "CREATE EXTENSION pgtap" >/dev/null &&
    PGDATABASE=$db "$@"
}

run_suite pg_regress make -C extension installcheck REGRESS_OUTDIR="$TEST_OUT/regress"
[ -f "$TEST_OUT/regress/regression.diffs" ] && cat "$TEST_OUT/regress/regression.diffs"
run_suite pgtap with_db vd_tap pg_prove -f tests/pgtap/*.sql
for suite in tests/db/*.sh; do
  run_suite "db/$(basename "$suite" .sh)" with_db vd_db "$suite"
done
[ -f pushd/web/package.json ] && run_suite web_unit bash -c "cd pushd/web && npm test --silent"
[ -x tests/pushd/run.sh ] && run_suite pushd with_db vd_pushd tests/pushd/run.sh
[ -x tests/pushd/valgrind.sh ] && run_suite pushd_valgrind with_db vd_pushd_vg tests/pushd/valgrind.sh
[ -x tests/pushd/sanitizers.sh ] && run_suite pushd_sanitizers with_db vd_pushd_san tests/pushd/sanitizers.sh
[ -x tests/e2e/run.sh ] && run_suite e2e with_db vd_e2e tests/e2e/run.sh
[ -x tests/demo/run.sh ] && run_suite demo tests/demo/run.sh
[ -x tests/deploy/check.sh ] && run_suite deploy_check tests/deploy/check.sh
[ -x tests/deploy/replicas.sh ] && run_suite deploy_replicas with_db vd_replicas tests/deploy/replicas.sh
[ -x tests/deploy/standby.sh ] && run_suite deploy_standby with_db vd_standby tests/deploy/standby.sh

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
