#!/usr/bin/env bash
# Regenerates the tool reference in README.md, docs/COVERAGE.md and the compiled tool catalog
# (crates/hex-mcp/catalog.jsonl) from the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p hex-mcp
table=$(./target/debug/hex-mcp tools --markdown --toolsets all)
python3 - "$table" <<'PY'
import sys, re
table = sys.argv[1] + "\n"
text = open("README.md").read()
begin, end = "<!-- tools:begin -->\n", "<!-- tools:end -->"
start = text.index(begin) + len(begin)
stop = text.index(end)
open("README.md", "w").write(text[:start] + table + text[stop:])
PY
./target/debug/hex-mcp tools --coverage > docs/COVERAGE.md
./target/debug/hex-mcp tools --catalog > crates/hex-mcp/catalog.jsonl
