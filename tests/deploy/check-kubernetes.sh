#!/usr/bin/env bash
# Validates every manifest in deploy/kubernetes against the Kubernetes API schemas, offline
# (validate-kubernetes.mjs). Exits 77 (skipped) without node or the validator's packages, which
# scripts/install-deps.sh --test installs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
manifests=("$here"/../../deploy/kubernetes/*.yaml)
if ! command -v node >/dev/null; then
    echo "check-kubernetes: node is not installed (scripts/install-deps.sh --test): skipped"
    exit 77
fi
exec node "$here/validate-kubernetes.mjs" "${manifests[@]}"
