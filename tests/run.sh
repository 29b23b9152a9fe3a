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

# A fresh database with the extension (and pgTAP) for suites that need one.
fresh_db() {
  psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null &&
    psql -q -X -v ON_ERROR_STOP=1 -d "$1" -c "CREATE EXTENSION variant_dashboard" -c "CREATE EXTENSION IF NOT EXISTS pgtap" >/dev/null
}

run_suite pg_regress make -C extension installcheck REGRESS_OUTDIR="$TEST_OUT/regress"
[ -f "$TEST_OUT/regress/regression.diffs" ] && cat "$TEST_OUT/regress/regression.diffs"
run_suite pgtap bash -c "$(declare -f fresh_db); fresh_db vd_tap && PGDATABASE=vd_tap pg_prove -f tests/pgtap/*.sql"
run_suite resume_concurrency bash -c "$(declare -f fresh_db); fresh_db vd_resume && PGDATABASE=vd_resume tests/resume_concurrency.sh"
for suite in tests/suites.d/*.sh; do
  [ -e "$suite" ] || continue
  run_suite "$(basename "$suite" .sh)" bash -c "$(declare -f fresh_db); fresh_db vd_$(basename "$suite" .sh | tr -c 'a-z0-9\n' _) && PGDATABASE=vd_$(basename "$suite" .sh | tr -c 'a-z0-9\n' _) $suite"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
