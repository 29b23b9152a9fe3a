#!/bin/sh
# Runs the pushd integration tests against pushd/pushd-asan, pushd built with AddressSanitizer and UBSan
# (`make -C pushd pushd-asan`, built here). Any report fails the run: ASan and UBSan stop pushd, which the
# tests see as a non-zero exit after SIGTERM, and every report written to $TEST_OUT/sanitizers is printed.
# Same environment as run.sh, except that PUSHD_BIN is always the sanitizer binary.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pushd_dir=$(cd "$here/../../pushd" && pwd)
: "${TEST_OUT:?TEST_OUT is not set}"
make -s -C "$pushd_dir" pushd-asan >/dev/null
PUSHD_BIN=$pushd_dir/pushd-asan
reports=$TEST_OUT/sanitizers
rm -rf "$reports"
mkdir -p "$reports"
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:log_path=$reports/asan"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
# ASan's shadow memory and quarantine make RSS say nothing about pushd's own memory: the stalled-client
# test skips only its RSS bound, and still checks what the fast and the stalled client receive.
PUSHD_SKIP_RSS_BOUND=1
export PUSHD_BIN ASAN_OPTIONS UBSAN_OPTIONS PUSHD_SKIP_RSS_BOUND
status=0
"$here/run.sh" || status=$?
for f in "$reports"/*; do
	[ -s "$f" ] || continue
	echo "# sanitizer report $f:"
	sed 's/^/# /' "$f"
	status=1
done
exit $status
