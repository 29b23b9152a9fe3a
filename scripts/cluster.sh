# Sourced by the test, demo and bench drivers: a PostgreSQL 15 cluster to work against.
#
# cluster_start DIR   uses DATABASE_URL or PGHOST/PGPORT when set (an existing server); otherwise
#                     creates (or reuses) a cluster in DIR/data on a free port, listening on 127.0.0.1
#                     and on a Unix socket in DIR, and starts it. Exports PGHOST PGPORT PGUSER
#                     PGDATABASE, and for an own cluster PGDATA and PG_BIN.
# cluster_stop        stops the cluster cluster_start started (no-op for an existing server).

PG_BIN=${PG_BIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
export PG_BIN
CLUSTER_OWNED=0

# Runs a command as the cluster's owner: postgres when we are root (initdb refuses root), else ourselves.
cluster_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Prints a TCP port on 127.0.0.1 that nothing listens on, below the kernel's ephemeral range: client sockets
# (thousands in the pushd benchmark) take their local ports from that range, and a listener cannot bind a port
# one of them holds.
cluster_free_port() {
  local low port
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for _ in $(seq 1 200); do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}

# Starts (creating if needed) a private cluster in $1/data, or adopts the configured server.
cluster_start() {
  local dir=$1
  if [ -n "${DATABASE_URL:-}" ]; then
    # Suites create their own databases on the same server, so turn the URL into PGHOST/PGPORT/PGUSER
    # (a password comes from the URL's server via PGPASSWORD or ~/.pgpass, which libpq reads itself).
    local where
    where=$(psql "$DATABASE_URL" -AtX -F ' ' -c "SELECT coalesce(host(inet_server_addr()),
              split_part(current_setting('unix_socket_directories'), ',', 1)), current_setting('port'), current_user") \
      || { echo "cannot connect to DATABASE_URL" >&2; return 1; }
    read -r PGHOST PGPORT PGUSER <<<"$where"
    export PGHOST PGPORT PGUSER PGDATABASE=postgres
    echo "using the existing server at $PGHOST:$PGPORT as $PGUSER"
    return 0
  fi
  if [ -n "${PGHOST:-}" ] || [ -n "${PGPORT:-}" ]; then
    export PGDATABASE=${PGDATABASE:-postgres}
    echo "using the existing server (${PGHOST:-local socket}:${PGPORT:-5432})"
    return 0
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  export PGDATA=$dir/data PGHOST=$dir PGUSER=postgres PGDATABASE=postgres
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    cluster_as_owner "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  export PGPORT
  PGPORT=$(cluster_free_port)
  cluster_as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $PGPORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 ${CLUSTER_OPTS:-}" start >/dev/null \
    || { tail -n 30 "$dir/postgres.log" >&2; return 1; }
  CLUSTER_OWNED=1
  echo "started PostgreSQL in $PGDATA on port $PGPORT"
}

# Stops the cluster cluster_start started.
cluster_stop() {
  if [ "$CLUSTER_OWNED" = 1 ] && [ -n "${PGDATA:-}" ]; then
    cluster_as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    CLUSTER_OWNED=0
  fi
}
