//! The facts at the top of the results: machine, software, commit, date, load, total time.

use std::{path::Path, process::Command, time::Duration};

use crate::{measure::Bench, proc, report::code};

/// One command's trimmed stdout, if it ran and succeeded.
fn output(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}

pub fn collect(
    bench: &Bench,
    quick: bool,
    load_before: Option<String>,
    total: Option<Duration>,
) -> Vec<(String, String)> {
    let mut facts = Vec::new();
    let mut fact = |name: &str, value: String| facts.push((name.to_string(), value));
    fact(
        "Date (UTC)",
        output("date", &["-u", "+%Y-%m-%d %H:%M"]).unwrap_or_else(|| "unknown".into()),
    );
    fact("CPU", proc::cpu_model());
    fact(
        "Cores (nproc)",
        output("nproc", &[]).unwrap_or_else(|| "unknown".into()),
    );
    if let Some(kib) = proc::mem_total_kib() {
        fact(
            "Memory",
            format!("{:.1} GiB", kib as f64 / (1024.0 * 1024.0)),
        );
    }
    fact(
        "Kernel",
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|text| text.trim().to_string())
            .unwrap_or_else(|_| "unknown".into()),
    );
    fact("Commit", commit());
    fact(
        "Rust",
        output("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
    );
    fact("Peer", peer(bench));
    fact(
        "Load average (1 min) before / after",
        format!(
            "{} / {}",
            load_before.unwrap_or_else(|| "?".into()),
            proc::load_average().unwrap_or_else(|| "?".into())
        ),
    );
    if let Some(total) = total {
        fact(
            "Harness wall time",
            format!(
                "{:.0} s ({:.1} min), from the command's start to this file",
                total.as_secs_f64(),
                total.as_secs_f64() / 60.0
            ),
        );
    }
    if quick {
        fact(
            "Mode",
            "**--quick** (fewer runs; not for comparison)".into(),
        );
    }
    facts
}

fn commit() -> String {
    let Some(head) = output("git", &["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown".into();
    };
    let changed = output("git", &["status", "--porcelain", "--untracked-files=no"])
        .map_or(0, |status| status.lines().count());
    if changed == 0 {
        head
    } else {
        format!("{head} plus uncommitted changes in {changed} tracked file(s)")
    }
}

fn peer(bench: &Bench) -> String {
    let Some(script) = &bench.peer else {
        return format!(
            "not set up: {}",
            bench.peer_problem.as_deref().unwrap_or("no reason given")
        );
    };
    let python = script.parent().map(|bin| bin.join("python"));
    let versions = python.as_deref().and_then(|python: &Path| {
        output(
            python,
            &[
                "-c",
                "import importlib.metadata as m, sys; \
                 print(f\"hex-mcp {m.version('hex-mcp')}, mcp {m.version('mcp')}, \
                 pydantic {m.version('pydantic')}, Python {sys.version.split()[0]}\")",
            ],
        )
    });
    format!(
        "{} at {}",
        versions.unwrap_or_else(|| "versions unknown".into()),
        code(&script.display().to_string())
    )
}
