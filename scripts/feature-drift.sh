#!/usr/bin/env bash
# Fails when a dependency is built with other features for `cargo run` / `cargo build -p hex-mcp`
# than for `cargo test --workspace`: each such crate, and all that depend on it, would then be
# compiled twice in CI (once for the tests, once for the quick start and the tools after them).
# The fix is printed: turn the same features on in crates/hex-mcp/Cargo.toml's feature
# unification block. Reads only Cargo.lock and the manifests (cargo tree, offline).
set -euo pipefail
cd "$(dirname "$0")/.."
tree() { cargo tree --locked --offline -f '{p} [{f}]' --prefix none --no-dedupe "$@"; }
run=$(tree -p hex-mcp -e normal,build | sort -u)
test=$(tree --workspace -e normal,build,dev | sort -u)
python3 - "$run" "$test" <<'PY'
import re, sys

def features(listing):
    found = {}
    for line in listing.splitlines():
        m = re.match(r"(\S+) (v\S+)(?: \(.*?\))? \[(.*)\]", line.strip())
        if m:
            found[(m[1], m[2])] = set(filter(None, m[3].split(",")))
    return found

run, test = features(sys.argv[1]), features(sys.argv[2])
drift = [(k, sorted(test[k] - run[k]), sorted(run[k] - test[k]))
         for k in sorted(run.keys() & test.keys()) if run[k] != test[k]]
for (name, version), test_only, run_only in drift:
    print(f"{name} {version}: features only in the test build: {test_only}; only in the run build: {run_only}")
if drift:
    print("feature drift: turn these features on in crates/hex-mcp/Cargo.toml (feature unification)"
          " so `cargo run` after `cargo test` does not rebuild them", file=sys.stderr)
    sys.exit(1)
print(f"ok: the {len(run)} crates of the run build have the test build's features")
PY
