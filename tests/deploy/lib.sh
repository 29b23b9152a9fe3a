# shellcheck shell=sh
# Sourced by the deploy test drivers (replicas.sh, standby.sh).

# deploy_env NAME DIR VAR...: exits 2 unless every VAR is set and PUSHD_BIN is executable; creates TEST_OUT
# and installs DIR's Node packages when missing.
deploy_env() {
	name=$1 dir=$2
	shift 2
	for v in "$@"; do
		eval "val=\${$v:-}"
		[ -n "$val" ] || { echo "$name: $v is not set" >&2; exit 2; }
	done
	[ -x "$PUSHD_BIN" ] || { echo "$name: $PUSHD_BIN is not executable" >&2; exit 2; }
	mkdir -p "$TEST_OUT"
	"$dir/../../scripts/npm-deps.sh" "$dir"
}
