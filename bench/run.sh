#!/usr/bin/env bash
# `make bench`: builds, starts a private PostgreSQL with durable settings (fsync on, as in production)
# in .bench/, runs every benchmark and prints their numbers. Nothing here asserts a timing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh test
make all >/dev/null
make install >/dev/null
. scripts/cluster.sh
trap 'cluster_stop' EXIT
rm -rf "$top/.bench"
cluster_start "$top/.bench/pg"
psql -qX -d postgres -c "CREATE DATABASE vd_bench" -c "ALTER DATABASE vd_bench SET jit = off" >/dev/null
psql -qX -d vd_bench -c "CREATE EXTENSION variant_dashboard" >/dev/null
export PGDATABASE=vd_bench
echo "## make bench on $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
bench/extension_bench.sh
for extra in bench/*_bench.sh; do
  [ "$extra" = bench/extension_bench.sh ] && continue
  echo
  "$extra"
done
