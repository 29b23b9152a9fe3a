#!/usr/bin/env bash
# E2E tests of the dashboard: headless Debian Chromium (playwright-core) against the real pushd and PostgreSQL.
# Env: PGHOST PGPORT PGUSER PGDATABASE (a database with the extension), PUSHD_BIN, TEST_OUT (screenshots, logs).
# The tests start pushd themselves on a free port with --web-root pushd/web/dist.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${PUSHD_BIN:=$top/pushd/pushd}"
: "${TEST_OUT:=$top/build/test-output}"
export PUSHD_BIN TEST_OUT="$TEST_OUT/e2e"
mkdir -p "$TEST_OUT"

[ -x "$PUSHD_BIN" ] || { echo "e2e: pushd binary not found at $PUSHD_BIN" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "e2e: /usr/bin/chromium missing (apt-get install chromium)" >&2; exit 1; }
if [ ! -f "$top/pushd/web/dist/index.html" ]; then
  (cd "$top/pushd/web" && npm ci --no-audit --no-fund && npm run build)
fi
"$top/scripts/npm-deps.sh" "$here"
cd "$here"
node --test --test-concurrency=1 --test-reporter=spec dashboard.test.mjs access.test.mjs daylong.test.mjs
