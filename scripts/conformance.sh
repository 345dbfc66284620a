#!/usr/bin/env bash
# Runs the MCP conformance suite against `hex-mcp run --sandbox --transport http`, with the
# expected failures listed (and justified) in conformance-baseline.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary under test: the argument, or the workspace's debug build (built if missing).
BIN="${1:-}"
if [ -z "$BIN" ]; then
    cargo build -q --locked -p hex-mcp
    BIN="$PWD/target/debug/hex-mcp"
fi
PATH="$(bash scripts/node-tools.sh):$PATH"
PORT="${CONFORMANCE_PORT:-18765}"
"$BIN" run --sandbox --transport http --bind "127.0.0.1:$PORT" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done
conformance server --url "http://127.0.0.1:$PORT/mcp" --expected-failures conformance-baseline.yml > .tools/conformance.log 2>&1 || {
  tail -50 .tools/conformance.log; exit 1; }
grep -E "^(Total|✓|✗)" .tools/conformance.log | tail -40
