#!/usr/bin/env bash
# The benchmark harness, in one command:
#
#   bash bench/run.sh              # everything; rewrites bench/RESULTS.md and README's headline
#   bash bench/run.sh --quick      # fewer runs, to try it out: bench/.work/RESULTS-partial.md
#   bash bench/run.sh --only startup,throughput   # some measurements: the same file
#
# Downloads the crates, builds hex-bench (release, the repository's target/), sets up the Python
# hex-mcp 0.1.10 in a venv under bench/.work/peer (reused while its versions are right), then runs
# target/release/hex-bench. hex-bench first makes a timed clean release build of hex-mcp under
# bench/.work/clean-build, installs a copy of it under bench/.work/install/bin (as `cargo install`
# does: users never run the linker's output in place), runs every measurement on that copy and
# writes the results.
# Arguments are passed to hex-bench (`target/release/hex-bench --help`). Never part of `cargo test`.
set -euo pipefail

started=$(date +%s.%N)
cd "$(dirname "$0")/.."
work=bench/.work
mkdir -p "$work"
# The harness measures the repository's own release build.
unset CARGO_TARGET_DIR

say() { echo "bench: $*" >&2; }

busy=$(pgrep -c -x 'rustc|cargo' || true)
if [ "${busy:-0}" -gt 0 ]; then
    say "warning: $busy cargo/rustc process(es) already running; timings will be noisy"
fi

# Downloads stay out of the clean build's time.
cargo fetch --locked
say "building hex-bench (release, target/)"
cargo build --release --locked -p hex-bench

# The peer: hex-mcp 0.1.10 from PyPI needs mcp 1.9.4 (later mcp releases break it) and a pydantic
# that mcp 1.9.4 works with. Python 3.12 preferred, any 3.10+ accepted.
PEER_VERSIONS="hex-mcp 0.1.10, mcp 1.9.4, pydantic 2.11.7"
peer_venv="$work/peer"
peer_problem=""

find_python() {
    local candidate
    for candidate in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3 python3; do
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 10))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

peer_ready() {
    [ -x "$peer_venv/bin/hex-mcp" ] && "$peer_venv/bin/python" - <<'EOF' 2>/dev/null
import importlib.metadata as m, sys
wanted = {"hex-mcp": "0.1.10", "mcp": "1.9.4", "pydantic": "2.11.7"}
sys.exit(any(m.version(name) != version for name, version in wanted.items()))
EOF
}

if peer_ready; then
    say "Python peer already set up in $peer_venv ($PEER_VERSIONS)"
elif python=$(find_python); then
    say "setting up the Python peer in $peer_venv with $python ($PEER_VERSIONS)"
    rm -rf "$peer_venv"
    if ! log=$("$python" -m venv "$peer_venv" 2>&1 &&
        "$peer_venv/bin/pip" install --quiet --disable-pip-version-check \
            hex-mcp==0.1.10 mcp==1.9.4 pydantic==2.11.7 2>&1); then
        peer_problem="setting up the venv failed: $(echo "$log" | tail -n 1)"
    elif ! peer_ready; then
        peer_problem="the venv was created but does not hold $PEER_VERSIONS"
    fi
else
    peer_problem="no Python 3.10+ found (looked for python3.12, ~/.pyenv/versions/3.12*, python3)"
fi

peer_args=()
if [ -z "$peer_problem" ]; then
    peer_args=(--peer "$peer_venv/bin/hex-mcp")
else
    say "the Python peer is not available: $peer_problem"
    peer_args=(--peer-problem "$peer_problem")
fi

say "running the measurements"
exec target/release/hex-bench \
    --readme README.md \
    --started-at "$started" \
    "${peer_args[@]}" \
    "$@"
