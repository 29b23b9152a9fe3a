#!/usr/bin/env bash
# Installs a Node package folder's dependencies (npm ci) when any dependency its package.json names does not
# resolve from its node_modules: a fresh clone, or a package.json that gained a dependency since the last install.
# Usage: scripts/npm-deps.sh DIR
set -euo pipefail
dir=$1
if ! (cd "$dir" && node -e '
  const p = require("./package.json");
  for (const d of Object.keys({ ...p.dependencies, ...p.devDependencies })) require.resolve(`${d}/package.json`);
' 2>/dev/null); then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
