#!/usr/bin/env bash
# The write path before and after this round (issue 11 allows +10%): handle_performance_update throughput,
# 8 clients, same machine, same run, on two private clusters with durable settings: one with the
# extension of the baseline commit (BASELINE, default the 0.2.0 release), one with this tree's. Each
# extension is built into its own relocated copy of the PostgreSQL installation (PostgreSQL finds its
# files relative to its binaries), so nothing installed system-wide changes. Two mixes: all updates on one
# persona's variants, and spread over 8 personas. Reported, never asserted.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
baseline=${BASELINE:-163ec95}
seconds=${BENCH_SECONDS:-15}
rounds=${WRITE_ROUNDS:-3}
work=$top/.bench/write-path
rm -rf "$work"; mkdir -p "$work"; chmod 755 "$work" "$top/.bench"
sys_bin=$(pg_config --bindir)
sys_prefix=${sys_bin%/lib/postgresql/*}

# Copies the PostgreSQL installation under $1 and builds the extension of source tree $2 into it.
install_copy() {
  local prefix=$1 src=$2
  mkdir -p "$prefix/lib/postgresql" "$prefix/share/postgresql" "$prefix/include"
  cp -a "$sys_prefix/lib/postgresql/15" "$prefix/lib/postgresql/"
  cp -a "$sys_prefix/share/postgresql/15" "$prefix/share/postgresql/"
  cp -a "$sys_prefix/include/postgresql" "$prefix/include/"
  make -s -C "$src/extension" clean >/dev/null
  make -s -C "$src/extension" PG_CONFIG="$prefix/lib/postgresql/15/bin/pg_config" install >/dev/null 2>&1
  make -s -C "$src/extension" clean >/dev/null
}

mkdir -p "$work/src-before"
git -C "$top" archive "$baseline" extension | tar -x -C "$work/src-before"
mkdir -p "$work/src-after"
tar -C "$top" -c extension | tar -x -C "$work/src-after"
install_copy "$work/before" "$work/src-before"
install_copy "$work/after" "$work/src-after"


# Prints the update throughput of the extension installed under $1 (a fresh cluster, 1,000 variants of one
# persona and 1,000 spread over 8): "one-persona eight-personas" calls/s. One persona's writers queue on its
# lock (0.3.0's one lock order), so the mixes differ.
measure() {
  local prefix=$1
  (
    unset DATABASE_URL PGHOST PGPORT PGDATABASE PGDATA # a private cluster of this installation, not make bench's
    . "$top/scripts/cluster.sh"
    PG_BIN=$prefix/lib/postgresql/15/bin
    rm -rf "$prefix-cluster"
    cluster_start "$prefix-cluster" >/dev/null
    trap cluster_stop EXIT
    psql -qX -d postgres -c "CREATE DATABASE wp" >/dev/null
    psql -qX -d wp -c "CREATE EXTENSION variant_dashboard" \
      -c "SELECT count(variant_dashboard.register_variant('bv' || i, 'bench', 'c', 0.05)) FROM generate_series(1, 1000) i" \
      -c "SELECT count(variant_dashboard.register_variant('pv' || i, 'bench' || i % 8, 'c', 0.05)) FROM generate_series(1, 1000) i" >/dev/null
    for mix in performance_update performance_update_personas; do
      PGDATABASE=wp pgbench -n -c 8 -j 2 -T "$seconds" -f "$top/bench/$mix.sql" 2>/dev/null | awk -F' = ' '/^tps/ {print int($2); exit}'
    done | paste -sd ' '
  )
}

# Alternating rounds, so a slow patch of the machine hits both sides; the medians are compared.
before=(); after=(); before8=(); after8=()
for _ in $(seq 1 "$rounds"); do
  read -r one eight <<<"$(measure "$work/before")"; before+=("$one"); before8+=("$eight")
  read -r one eight <<<"$(measure "$work/after")"; after+=("$one"); after8+=("$eight")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
change() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f%%", (a / b - 1) * 100}'; }
b=$(median "${before[@]}"); a=$(median "${after[@]}")
b8=$(median "${before8[@]}"); a8=$(median "${after8[@]}")
cat <<MD
| write path (handle_performance_update, 8 clients, median of $rounds alternating rounds of ${seconds} s) | one persona, calls/s | 8 personas, calls/s |
|---|---|---|
| before: extension of $baseline | $b (rounds: ${before[*]}) | $b8 (rounds: ${before8[*]}) |
| after: this tree | $a (rounds: ${after[*]}) | $a8 (rounds: ${after8[*]}) |
| change (budget: -10%) | $(change "$a" "$b") | $(change "$a8" "$b8") |
MD
