#!/usr/bin/env bash
# Validates deploy/ against schemas, as far as a machine without a container engine or a cluster can:
# the Kubernetes objects in deploy/k8s (kubernetes-models' schemas of the Kubernetes API), CloudNativePG's Cluster
# and ScheduledBackup (their CRDs' schemas, deploy/schemas), compose.yaml (the Compose specification's schema), the
# collector's config (YAML only) and the Dockerfile (dockerfile-utils' linter). The validators are npm packages
# pinned in deploy/validate/package-lock.json, installed on first use (npm ci). Exits 1 when a file fails.
# Not done here: building the image, `docker compose config`, a server-side dry run (kubectl apply --dry-run=server)
# and rejecting unknown fields (the schemas allow them; the API server would prune or, with strict validation, refuse).
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
if ! command -v npm >/dev/null 2>&1; then
    echo "[validate] npm not found: deploy/ not validated" >&2
    exit 1
fi
if [[ ! -d "$DEPLOY/validate/node_modules" ]] || [[ "$DEPLOY/validate/package-lock.json" -nt "$DEPLOY/validate/node_modules" ]]; then
    (cd "$DEPLOY/validate" && npm ci --silent --no-audit --no-fund >/dev/null)
fi
node "$DEPLOY/validate/validate.mjs" "$DEPLOY"
