#!/usr/bin/env bash
# Supply-chain checks with cargo-deny against deny.toml: licences, banned crates, sources.
#   scripts/deny.sh                      licenses, bans, sources (what CI runs)
#   scripts/deny.sh --advisories DIR     also RustSec advisories, from a local copy of
#                                        https://github.com/rustsec/advisory-db at DIR
#                                        (these machines cannot download it; nothing is fetched)
# cargo-deny is built once into .tools/cargo-deny (a debug build: it compiles in a third of the
# time, and checking a lockfile is not CPU-bound).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.20.2
ROOT="$PWD/.tools/cargo-deny"
DENY="$ROOT/bin/cargo-deny"
if ! "$DENY" --version 2>/dev/null | grep -q " $VERSION"; then
  echo "deny: building cargo-deny $VERSION into $ROOT" >&2
  cargo install --quiet --locked --debug cargo-deny --version "$VERSION" \
    --root "$ROOT" --target-dir "$ROOT/target" >&2
  rm -rf "$ROOT/target"
fi
checks=(licenses bans sources)
config=()
if [ "${1:-}" = "--advisories" ]; then
  db="${2:?usage: scripts/deny.sh --advisories PATH-TO-advisory-db}"
  [ -d "$db" ] || { echo "deny: no advisory database at $db" >&2; exit 2; }
  # Offline, cargo-deny opens db-path/<repository name>-<hash of its URL> (a git checkout no
  # older than 90 days); link the copy there.
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  sed '/^\[advisories\]/,$d' deny.toml >"$tmp/deny.toml"
  cat >>"$tmp/deny.toml" <<TOML
[advisories]
db-path = "$tmp/db"
db-urls = ["https://github.com/rustsec/advisory-db"]
TOML
  mkdir -p "$tmp/db"
  ln -s "$(cd "$db" && pwd)" "$tmp/db/advisory-db-3157b0e258782691"
  config=(--config "$tmp/deny.toml")
  checks+=(advisories)
  "$DENY" --offline "${config[@]}" check --hide-inclusion-graph "${checks[@]}"
  exit
fi
"$DENY" check --hide-inclusion-graph "${checks[@]}"
