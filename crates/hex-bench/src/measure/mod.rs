//! The measurements. Each returns its section of the results, its target checks and its
//! headline figures; a measurement that fails is reported as not measured and the others go on.

use std::path::{Path, PathBuf};

use crate::{
    error::BenchError,
    report::{Check, Headline, Section},
    sandbox::SandboxProcess,
    session::ServerSpec,
};

pub mod binary;
pub mod bulk;
pub mod context;
pub mod http_load;
pub mod memory;
pub mod scale;
pub mod soak;
pub mod startup;
pub mod throughput;
pub mod workflows;

/// What the measurements run.
#[derive(Debug, Clone)]
pub struct Bench {
    /// Our release binary as a user runs it: a copy of `built` under `<work>/install/bin`.
    pub hex_mcp: PathBuf,
    /// The build's own output: the clean build's, `target/release/hex-mcp`, or `--hex-mcp`.
    pub built: PathBuf,
    /// The clean release build, when the binary measurement was asked for (it runs first).
    pub clean_build: Option<Result<binary::CleanBuild, String>>,
    /// The Python server's `hex-mcp` script in its venv, when it could be set up.
    pub peer: Option<PathBuf>,
    /// Why the peer is absent.
    pub peer_problem: Option<String>,
    /// Fewer runs, for trying the harness out (never for the committed results).
    pub quick: bool,
}

pub const OURS: &str = "hex-mcp (Rust)";
pub const PEER: &str = "hex-mcp 0.1.10 (Python)";

/// Copies the built binary to `<work>/install/bin/hex-mcp`, as `cargo install` and a wheel's
/// installer do, and returns the copy. Users never run the linker's output in place, and on this
/// kind of machine that file starts measurably slower than any copy of it: LLD writes it through
/// a shared memory map, and until the page cache is refreshed the kernel maps it with more, costlier
/// page faults (the start-up section measures both).
pub fn install(built: &Path, work: &Path) -> Result<PathBuf, BenchError> {
    let dir = work.join("install").join("bin");
    std::fs::create_dir_all(&dir)
        .map_err(|error| BenchError::new(format!("cannot create {}: {error}", dir.display())))?;
    let installed = dir.join("hex-mcp");
    // A new file, never an overwrite of pages a previous run left in the page cache.
    if installed.exists() {
        std::fs::remove_file(&installed).map_err(|error| {
            BenchError::new(format!("cannot remove {}: {error}", installed.display()))
        })?;
    }
    std::fs::copy(built, &installed).map_err(|error| {
        BenchError::new(format!(
            "cannot copy {} to {}: {error}",
            built.display(),
            installed.display()
        ))
    })?;
    Ok(installed)
}

impl Bench {
    /// Our server, `run` plus `extra`, pointed at `sandbox`.
    pub fn ours(&self, sandbox: &SandboxProcess, extra: &[&str]) -> ServerSpec {
        let mut args = vec!["run".to_string()];
        args.extend(extra.iter().map(|arg| (*arg).to_string()));
        // The sandboxes of the measurements enforce no rate limit, so client pacing is off too:
        // the figures are hex-mcp's own cost, not Hex's quotas (30 a minute would be the floor).
        let mut env = sandbox.env();
        env.push(("HEX_MCP_RATE_LIMITS".into(), "off".into()));
        ServerSpec {
            label: OURS.into(),
            program: self.hex_mcp.clone(),
            args,
            env,
        }
    }

    /// The peer, pointed at `sandbox`, if it is set up.
    pub fn peer(&self, sandbox: &SandboxProcess) -> Option<ServerSpec> {
        self.peer.as_ref().map(|program| ServerSpec {
            label: PEER.into(),
            program: program.clone(),
            args: vec!["run".into()],
            env: sandbox.env(),
        })
    }

    /// A line that says why the peer is missing from a table.
    pub fn peer_missing_note(&self) -> Option<String> {
        if self.peer.is_some() {
            return None;
        }
        Some(format!(
            "The Python peer could not be set up ({}); only ours is reported.",
            self.peer_problem.as_deref().unwrap_or("no reason given")
        ))
    }

    /// `full` runs normally, `quick` when trying the harness out.
    pub fn runs(&self, full: usize, quick: usize) -> usize {
        if self.quick { quick } else { full }
    }
}

/// One measurement's contribution to the results.
#[derive(Debug, Default)]
pub struct Outcome {
    pub section: Section,
    pub checks: Vec<Check>,
    pub headlines: Vec<Headline>,
}

impl Outcome {
    pub fn new(section: Section) -> Outcome {
        Outcome {
            section,
            ..Outcome::default()
        }
    }

    pub fn check(&mut self, check: Check) {
        self.checks.push(check);
    }

    pub fn headline(&mut self, what: &str, figure: String) {
        self.headlines.push(Headline {
            what: what.to_string(),
            figure,
        });
    }
}

/// Progress on stderr (stdout stays free).
pub fn progress(message: impl std::fmt::Display) {
    eprintln!("hex-bench: {message}");
}

/// Milliseconds in a duration, as a float.
pub fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Up to `want` project ids (all of them for `usize::MAX`), archived and trashed included,
/// paging `list_hex_projects` through our server. Also returns the pages read.
pub fn project_ids(
    session: &mut crate::session::Session,
    want: usize,
) -> Result<(Vec<String>, usize), crate::error::BenchError> {
    use serde_json::{Value, json};
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    while ids.len() < want {
        let mut arguments = json!({"limit": 100, "include_archived": true, "include_trashed": true,
                                "include_components": true});
        if let (Some(cursor), Some(object)) = (&after, arguments.as_object_mut()) {
            object.insert("after".into(), Value::String(cursor.clone()));
        }
        let page = session.call_ok("list_hex_projects", arguments)?;
        pages += 1;
        let values = page.get("values").and_then(Value::as_array);
        ids.extend(
            values
                .into_iter()
                .flatten()
                .filter_map(|project| project.get("id").and_then(Value::as_str))
                .map(str::to_string),
        );
        after = page
            .pointer("/pagination/after")
            .and_then(Value::as_str)
            .map(str::to_string);
        if after.is_none() || values.is_none_or(Vec::is_empty) {
            break;
        }
    }
    ids.truncate(want);
    Ok((ids, pages))
}
