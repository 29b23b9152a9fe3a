#!/bin/sh
# Runs libFuzzer targets built by `make fuzz` (obj/fuzz/fuzz_<target>) for FUZZ_SECONDS each (default 60),
# starting from the committed seed corpus fuzz/corpus/<target>. New inputs go to obj/fuzz/corpus-<target>,
# a crash input to obj/fuzz/crash-<target>-*, the output to obj/fuzz/<target>.log.
# Exits non-zero when any target crashed. Usage: fuzz/run.sh target...
set -u
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
status=0
for t in "$@"; do
	case $t in
	ws_message) max_len=16384 ;; # --max-frame-size default
	notify) max_len=8000 ;;      # PostgreSQL's NOTIFY payload limit
	*) max_len=4096 ;;
	esac
	dict=""
	[ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
	mkdir -p "obj/fuzz/corpus-$t"
	echo "# fuzz $t: $seconds s"
	rc=0
	"obj/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 $dict \
		-artifact_prefix="obj/fuzz/crash-$t-" "obj/fuzz/corpus-$t" "fuzz/corpus/$t" >"obj/fuzz/$t.log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "obj/fuzz/$t.log")
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "# fuzz $t: CRASH (exit $rc) after ${execs:-?} runs; see obj/fuzz/$t.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix)' "obj/fuzz/$t.log" | head -5
	else
		echo "# fuzz $t: ok, $execs runs"
	fi
done
exit $status
