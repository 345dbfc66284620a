"""Runs every command of the README's "## Install" section as a user without Rust would, and
fails on the first that does not work. What it does to make that possible here:

- builds the wheel with maturin into dist/ (debug profile, from the build the tests already
  made; scripts/release builds the release wheel), so `pip install dist/...whl` has its file;
- runs pip, uvx and hex-mcp in a fresh virtual environment with an empty HOME and a PATH with
  no cargo or rustc on it;
- runs `cargo install --locked ...` with `--debug --root <tmp>` added and the target directory
  the tests used ($CARGO_TARGET_DIR, else target/), so it reuses the test build instead of a
  5-minute release build (the same lockfile and resolution: `--locked` fails if Cargo.lock
  would change);
- runs a `hex-mcp run ...` command as an MCP client would (initialize, tools/list over stdio);
- does not run `docker` commands: there is no container runtime here (hadolint checks the
  Dockerfile; see README "Container").

Usage: python3 scripts/install-check.py PY_TOOLS_BIN"""
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".tools" / "install-check"


def readme_install_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def run(argv, env, **kwargs):
    print("$ " + " ".join(shlex.quote(a) for a in argv), flush=True)
    result = subprocess.run(argv, env=env, cwd=ROOT, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"install-check: failed with exit code {result.returncode}: {argv}")


def main() -> int:
    py_tools = Path(sys.argv[1])
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "home").mkdir(parents=True)
    dist = ROOT / "dist"
    for old in dist.glob("hex_mcp_rs-*.whl"):
        old.unlink()
    with open(WORK / "maturin.log", "w") as log:
        build = subprocess.run([str(py_tools / "maturin"), "build", "--locked", "--profile", "dev",
                                "--out", str(dist)], cwd=ROOT, stdout=log, stderr=log)
    if build.returncode != 0:
        print((WORK / "maturin.log").read_text()[-3000:], file=sys.stderr)
        return 1
    wheel = next(dist.glob("hex_mcp_rs-*.whl"))
    print(f"wheel: {wheel.name} ({wheel.stat().st_size // 1024} KiB, debug profile)")
    venv = WORK / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bare = {"HOME": str(WORK / "home"), "PATH": f"{venv / 'bin'}:{py_tools}:/usr/bin:/bin",
            "UV_CACHE_DIR": str(WORK / "uv-cache"), "UV_TOOL_DIR": str(WORK / "uv-tools"),
            "UV_OFFLINE": "1", "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for tool in ("cargo", "rustc"):
        if shutil.which(tool, path=bare["PATH"]):
            raise SystemExit(f"install-check: {tool} is on the bare PATH")
    commands = readme_install_commands()
    if not commands:
        raise SystemExit("install-check: no commands found in the README's Install section")
    for command in commands:
        argv = [str(wheel) if "hex_mcp_rs-" in arg and arg.endswith(".whl") else arg
                for arg in shlex.split(command)]
        if argv[0] == "docker":
            print(f"not run (no container runtime here): {command}")
        elif argv[0] == "cargo":
            target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
            env = dict(os.environ, CARGO_TARGET_DIR=target)
            run(argv + ["--debug", "--root", str(WORK / "cargo-root")], env)
            run([str(WORK / "cargo-root" / "bin" / "hex-mcp"), "--version"], bare)
        elif argv[0] == "hex-mcp" and argv[1:2] == ["run"] or "run" in argv and argv[0] == "uvx":
            run([sys.executable, str(ROOT / "scripts" / "mcp-stdio-check.py"), *argv], bare)
        else:
            run(argv, bare)
    print(f"install-check: all {len(commands)} commands of the README's Install section work")
    return 0


if __name__ == "__main__":
    sys.exit(main())
