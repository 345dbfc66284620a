#!/usr/bin/env bash
# Runs both MCP conformance suites against `hex-mcp run --sandbox --transport http`:
#   - @modelcontextprotocol/conformance 0.1.16 (the 2025-era session protocol), expected
#     failures in conformance-baseline.yml;
#   - 0.2.0-alpha.12 with `--requirements 2026-07-28` (the stateless protocol), expected
#     failures in conformance-baseline-2026-07-28.yml.
# Each baseline lists only what needs the suites' own fixture tools, resources or prompts, with
# a reason per entry. A failure not listed, or a listed one that passes, fails the script; the
# full logs are .tools/conformance*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
# The binary under test: the argument, or the workspace's debug build (built if missing).
BIN="${1:-}"
if [ -z "$BIN" ]; then
    cargo build -q --locked -p hex-mcp
    BIN="$PWD/target/debug/hex-mcp"
fi
PATH="$(bash scripts/node-tools.sh):$PATH"
# A free port, chosen by the server (a fixed one may be taken, and the suites would then test
# whatever holds it): it says where it serves on stderr.
mkdir -p .tools
"$BIN" run --sandbox --transport http --bind 127.0.0.1:0 2>.tools/conformance-server.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 100); do
  URL=$(grep -o 'http://127.0.0.1:[0-9]*/mcp' .tools/conformance-server.log | head -1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "the server under test did not start:" >&2; cat .tools/conformance-server.log >&2; exit 1; }

# Prints what a run means: scenarios passed, failures the baseline expects (with the reason
# given there), and nothing unexpected (the suite's exit status already said so).
summarize() { # LOG BASELINE
  local log="$1" baseline="$2" clean passed expected
  clean=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  passed=$(grep -c '^✓ ' <<<"$clean" || true)
  expected=$(sed -n '/^Expected failures (in baseline)/,/^$/p' <<<"$clean" | grep '^  ~ ' | sed 's/^  ~ //')
  echo "ok: $passed scenarios pass in full; $(grep -c . <<<"$expected") expected failures, each" \
    "listed with its reason in $baseline (fixture tools, resources and prompts of the suite):"
  tr '\n' ' ' <<<"$expected" | fold -s -w 96 | sed 's/^/    expected: /'
  echo
  if grep -q '^Not scored' <<<"$clean"; then
    echo "    $(grep '^Not scored' <<<"$clean")"
  fi
}

suite() { # TITLE COMMAND BASELINE LOG ARGS…
  local title="$1" command="$2" baseline="$3" log="$4"
  shift 4
  echo "-- $title"
  if ! "$command" server --url "$URL" --expected-failures "$baseline" \
      "$@" >"$log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$log" | tail -60
    echo "conformance: unexpected failures or stale baseline entries (above; full log $log)" >&2
    exit 1
  fi
  summarize "$log" "$baseline"
}

suite "conformance 0.1.16, 2025-11-25 (sessions)" conformance conformance-baseline.yml \
  .tools/conformance.log
suite "conformance 0.2.0-alpha.12, --requirements 2026-07-28 (stateless)" \
  .tools/conformance-2026/node_modules/.bin/conformance conformance-baseline-2026-07-28.yml \
  .tools/conformance-2026.log --requirements 2026-07-28
