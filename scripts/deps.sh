#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo need, when any is missing.
# As root it runs apt-get; otherwise it prints the command to run and fails.
# Usage: scripts/deps.sh [build|test|demo]   (default: test, the superset)
set -euo pipefail

purpose=${1:-test}
build_pkgs=(make gcc pkg-config postgresql-15 postgresql-server-dev-15 libpq-dev
            libwebsockets-dev libjansson-dev libjwt-dev libssl-dev libcurl4-openssl-dev nodejs npm curl)
test_pkgs=(postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl chromium valgrind openssl
           clang-14 libclang-rt-14-dev postgresql-15-cron)

case "$purpose" in
  build|demo) wanted=("${build_pkgs[@]}") ;;
  test)       wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|demo]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  # nodejs/npm may come from elsewhere (nodesource, nvm): a working command is enough.
  case "$pkg" in
    nodejs) command -v node >/dev/null && continue ;;
    npm)    command -v npm  >/dev/null && continue ;;
  esac
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists once if they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"
