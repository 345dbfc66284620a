#!/usr/bin/env bash
# Lists the tools of `hex-mcp run --sandbox` with the MCP Inspector CLI in --strict mode and
# fails on any schema portability finding (errors and warnings alike).
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary under test: the argument, or the workspace's debug build (built if missing).
BIN="${1:-}"
if [ -z "$BIN" ]; then
    cargo build -q --locked -p hex-mcp
    BIN="$PWD/target/debug/hex-mcp"
fi
PATH="$(bash scripts/node-tools.sh):$PATH"
out=$(mktemp)
status=0
mcp-inspector --cli --format json -q "$BIN" run --sandbox --toolsets all --method tools/list --strict >"$out" || status=$?
node -e '
const fs = require("fs");
const envelope = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const tools = (envelope.result && envelope.result.tools) || [];
const findings = envelope.schemaFindings || [];
console.log(`inspector --strict: ${tools.length} tools, ${findings.length} tools with findings`);
if (findings.length > 0) { console.log(JSON.stringify(findings, null, 2)); process.exit(1); }
if (tools.length === 0) { console.log("no tools listed"); process.exit(1); }
' "$out"
rm -f "$out"
if [ "$status" -ne 0 ]; then echo "mcp-inspector exited with $status"; exit "$status"; fi
