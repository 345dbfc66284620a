//! The measurements. Each returns its section of the results, its target checks and its
//! headline figures; a measurement that fails is reported as not measured and the others go on.

use std::path::PathBuf;

use crate::{
    report::{Check, Headline, Section},
    sandbox::SandboxProcess,
    session::ServerSpec,
};

pub mod binary;
pub mod bulk;
pub mod context;
pub mod memory;
pub mod scale;
pub mod startup;
pub mod throughput;

/// What the measurements run.
#[derive(Debug, Clone)]
pub struct Bench {
    /// Our release binary: the clean build's, or `target/release/hex-mcp`.
    pub hex_mcp: PathBuf,
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
