#!/bin/bash
# HEALTHCHECK of the pushd image, which has neither curl nor wget: a plain HTTP/1.0 GET over bash's
# /dev/tcp. Exits 0 when pushd answers 200 on the path ($1, default /healthz) within 2 s.
# Port: $PUSHD_PORT (default 8081); host: $PUSHD_HEALTHCHECK_HOST (default 127.0.0.1).
path=${1:-/healthz}
host=${PUSHD_HEALTHCHECK_HOST:-127.0.0.1}
port=${PUSHD_PORT:-8081}
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$host" >&3 || exit 1
read -r -t 2 _proto status _rest <&3 || exit 1
[ "$status" = 200 ]
