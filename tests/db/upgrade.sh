#!/usr/bin/env bash
# The upgrade path: CREATE EXTENSION at 0.1.0 with data, ALTER EXTENSION UPDATE, and the result must have
# the same objects as a fresh install and keep the data. Needs PG* env (a server with the extension
# installed); uses its own databases.
set -euo pipefail
objects() {
  psql -AtX -d "$1" -c "SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
                         WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
                           AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'variant_dashboard')
                         ORDER BY 1"
}
for db in vd_upgraded vd_fresh; do psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"; done
psql -qX -v ON_ERROR_STOP=1 -d vd_upgraded \
  -c "CREATE EXTENSION variant_dashboard VERSION '0.1.0'" \
  -c "SELECT variant_dashboard.register_variant('u1', 'upgrade', 'kept across the upgrade', 0.05)" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -d vd_upgraded -c "ALTER EXTENSION variant_dashboard UPDATE"
psql -qX -v ON_ERROR_STOP=1 -d vd_fresh -c "CREATE EXTENSION variant_dashboard"
version=$(psql -AtX -d vd_upgraded -c "SELECT extversion FROM pg_extension WHERE extname = 'variant_dashboard'")
default=$(psql -AtX -d vd_fresh -c "SELECT extversion FROM pg_extension WHERE extname = 'variant_dashboard'")
[ "$version" = "$default" ] || { echo "FAIL: upgraded to $version, fresh install is $default"; exit 1; }
if ! diff <(objects vd_upgraded) <(objects vd_fresh); then echo "FAIL: upgraded and fresh objects differ"; exit 1; fi
kept=$(psql -AtX -d vd_upgraded -c "SELECT count(*) FROM variant_dashboard.variants WHERE id = 'u1'")
[ "$kept" = 1 ] || { echo "FAIL: the upgrade lost data"; exit 1; }
psql -AtX -d vd_upgraded -c "SELECT variant_dashboard.evaluate_early_kill('u1')->>'rule'" | grep -qx bayesian \
  || { echo "FAIL: 0.2.0 functions do not work after the upgrade"; exit 1; }
echo "ok: 0.1.0 -> $version upgrade matches a fresh install ($(objects vd_fresh | wc -l) objects) and keeps the data"
for db in vd_upgraded vd_fresh; do psql -qX -d postgres -c "DROP DATABASE $db"; done
