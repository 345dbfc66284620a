#!/usr/bin/env bash
# Browses `hex-mcp run --sandbox` with the MCP Inspector CLI as a client that reads rather than
# calls: resources/list, resources/templates/list, resources/read of each template for the first
# listed project, prompts/list and prompts/get of each prompt. Fails on any error exit or on an
# answer without the content each method promises.
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary under test: the argument, or the workspace's debug build (built if missing).
BIN="${1:-}"
if [ -z "$BIN" ]; then
    cargo build -q --locked -p hex-mcp
    BIN="$PWD/target/debug/hex-mcp"
fi
PATH="$(bash scripts/node-tools.sh):$PATH"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

inspect() { # NAME ARGS… : one inspector call, its JSON kept as $out/NAME.json
  local name="$1"
  shift
  if ! mcp-inspector --cli --format json -q "$BIN" run --sandbox --toolsets all "$@" >"$out/$name.json"; then
    echo "inspector: $name failed:" >&2
    cat "$out/$name.json" >&2
    exit 1
  fi
}

# Checks an answer with a JavaScript expression over `r` (the result); prints what it saw.
check() { # NAME EXPRESSION SUMMARY-EXPRESSION
  node -e '
const fs = require("fs");
const [file, name, test, summary] = process.argv.slice(1);
const envelope = JSON.parse(fs.readFileSync(file, "utf8"));
const r = envelope.result || envelope;
if (!eval(test)) { console.log(`inspector: ${name}: unexpected answer: ${JSON.stringify(envelope).slice(0, 600)}`); process.exit(1); }
console.log(`inspector: ${name}: ${eval(summary)}`);
' "$out/$1.json" "$1" "$2" "$3"
}

inspect list --method resources/list
check list 'r.resources.length > 0 && r.resources.every(x => x.uri.startsWith("hex://projects/") && x.name)' \
  '`${r.resources.length} projects, next cursor ${r.nextCursor ? "given" : "none"}`'
project=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log((r.result || r).resources[0].uri)' "$out/list.json")

inspect templates --method resources/templates/list
check templates 'r.resourceTemplates.length === 4' \
  'r.resourceTemplates.map(t => t.uriTemplate).join(", ")'

for suffix in "" /cells /export /export/draft; do
  name="read${suffix//\//-}"
  inspect "$name" --method resources/read --uri "$project$suffix"
  check "$name" 'r.contents.length === 1 && r.contents[0].text.length > 0 && r.contents[0].mimeType' \
    '`${r.contents[0].mimeType}, ${r.contents[0].text.length} characters`'
done

inspect prompts --method prompts/list
check prompts 'r.prompts.length === 3 && r.prompts.every(p => p.description)' \
  'r.prompts.map(p => p.name).join(", ")'

inspect migrate --method prompts/get --prompt-name migrate_queries \
  --prompt-args from=dev_analytics to=prod_analytics
check migrate 'r.messages[0].content.text.includes("search_hex_cells")' \
  '`${r.messages[0].content.text.length} characters`'
inspect audit --method prompts/get --prompt-name audit_project_access --prompt-args "project=$project"
check audit 'r.messages[0].content.text.includes("audit_hex_access")' \
  '`${r.messages[0].content.text.length} characters`'
inspect investigate --method prompts/get --prompt-name investigate_failed_run \
  --prompt-args project=Revenue
check investigate 'r.messages[0].content.text.includes("get_hex_project_runs")' \
  '`${r.messages[0].content.text.length} characters`'
