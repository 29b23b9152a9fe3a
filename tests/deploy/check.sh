#!/bin/sh
# Checks of the deployment files (docker/, .dockerignore) that need no Docker engine and no Kubernetes
# cluster: see the header of check.mjs for what is checked. Its --self-test then breaks the files in
# memory, one way at a time, and fails unless every break is caught. Needs node and npm (for `yaml`).
# Linters and validators that exist on this machine run too; those that do not are reported as skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
"$top/scripts/npm-deps.sh" "$here"
status=0
node "$here/check.mjs" --root "$top" --self-test || status=1

if command -v shellcheck >/dev/null 2>&1; then
	if shellcheck "$top"/docker/*.sh "$here"/*.sh; then echo "ok: shellcheck docker/*.sh tests/deploy/*.sh"
	else echo "not ok: shellcheck"; status=1; fi
else
	echo "skipped: shellcheck is not installed"
fi
if command -v hadolint >/dev/null 2>&1; then
	if hadolint "$top"/docker/*.Dockerfile; then echo "ok: hadolint"; else echo "not ok: hadolint"; status=1; fi
else
	echo "skipped: hadolint is not installed (no Debian package)"
fi
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
	# `config` resolves and validates the file against the Compose schema; it needs no engine.
	if docker compose -f "$top/docker/compose.yaml" config -q; then echo "ok: docker compose config"
	else echo "not ok: docker compose config"; status=1; fi
else
	echo "skipped: docker compose config (the compose plugin is not installed)"
fi
if command -v kubectl >/dev/null 2>&1; then
	# Builds the kustomization offline; a dry-run apply would need an API server, which is not here.
	if kubectl kustomize "$top/docker/k8s" >/dev/null; then echo "ok: kubectl kustomize docker/k8s"
	else echo "not ok: kubectl kustomize docker/k8s"; status=1; fi
else
	echo "skipped: kubectl is not installed"
fi
[ "$status" = 0 ] && echo "deploy checks: all passed" || echo "deploy checks: FAILED"
exit "$status"
