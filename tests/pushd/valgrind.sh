#!/bin/sh
# Runs the pushd integration tests with pushd under valgrind; any leak or invalid access makes pushd
# exit 99 instead of 0, which the tests check after every SIGTERM. Same environment as run.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${TEST_OUT:?TEST_OUT is not set}"
mkdir -p "$TEST_OUT/valgrind"
PUSHD_WRAPPER="valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$TEST_OUT/valgrind/pushd-%p.log"
export PUSHD_WRAPPER
# the stalled-client test pushes 35 MB and alert-replicas runs three pushd with 200 alerts, too slow under valgrind;
# auth-expiry, rate-limits, trusted-proxies-limits, forwarded-http-rate and ws-msg-budget depend on timing
PUSHD_TESTS=${PUSHD_TESTS:-"http,ingest,websocket,resume,resync,big-payload,pg-restart,ping-pong,sigterm,auth-rest,auth-ws,auth-keys,max-clients,origins,tls,hostile,writer-url,trusted-proxies-spoof,forwarded-headers,resume-beyond-newest,resume-malformed,resume-expired,db-stall,db-hung-backend,rest-errors,rest-retryable,rest-kill-update-pairs,http-smuggling,http-head-and-sizes,origin-writes-frames-crit,alert-kill-signed,alert-retries,alert-sigkill,alert-blackhole,alert-private-refused,alert-fatigue-winner-once,alert-slack-shape,rest-personas,rest-probabilities,rest-variant,rest-history,panels-update,panels-resume,panels-resync,panels-off"}
export PUSHD_TESTS
status=0
"$here/run.sh" || status=$?
for f in "$TEST_OUT"/valgrind/pushd-*.log; do
	[ -s "$f" ] && { echo "# valgrind report $f:"; sed 's/^/# /' "$f"; }
done
exit $status
