//! Bulk: one sharing change on each of 500 projects against a sandbox that adds 50 ms to every
//! request and enforces Hex's documented limits, with several `tools/call` requests in flight
//! on one MCP session. The change puts each project in a collection: EditProjectSharingCollections
//! is one of the operations Hex states no rate limit for (user sharing is `hex-api-30rpm`, so 500
//! of those take at least 17 minutes against Hex whatever the client does).

use std::{collections::HashSet, time::Instant};

use serde_json::{Value, json};

use super::{Bench, Outcome, ms, progress, project_ids};
use crate::{
    error::BenchError,
    report::{Check, Section, Table, cells, code},
    sandbox::SandboxProcess,
    session::{ServerSpec, Session},
    stats::Summary,
};

pub const TARGETS: &[&str] =
    &["500-project sharing change within 20 % of the floor (≤ 4 s; no documented limit)"];

const PROJECTS: usize = 500;
const LATENCY_MS: u64 = 50;
/// Requests in flight on the session.
const CONCURRENCY: usize = 10;
/// Changes timed one at a time (scaled to [`PROJECTS`]; all 500 would add 25 s to the harness).
const SEQUENTIAL_SAMPLE: usize = 50;

struct Run {
    wall_ms: f64,
    failures: usize,
}

/// Sends `update_hex_project_collection_sharing` for every project, keeping `in_flight` requests
/// outstanding, and times the whole batch.
fn one_run(
    spec: &ServerSpec,
    projects: &[String],
    collection: &str,
    in_flight: usize,
) -> Result<Run, BenchError> {
    let mut session = Session::spawn(spec)?;
    session.initialize()?;
    let mut next = projects.iter();
    let mut outstanding = HashSet::new();
    let mut failures = 0;
    let start = Instant::now();
    loop {
        while outstanding.len() < in_flight.max(1) {
            let Some(project) = next.next() else { break };
            let id = session.send_request(
                "tools/call",
                json!({"name": "update_hex_project_collection_sharing", "arguments": {
                    "project_id": project,
                    "collection_permissions": [{"collection_id": collection, "access": "CAN_VIEW"}],
                }}),
            )?;
            outstanding.insert(id);
        }
        if outstanding.is_empty() {
            break;
        }
        let response = session.next_response()?;
        if outstanding.remove(&response.id) {
            let previewed = response
                .outcome
                .as_ref()
                .ok()
                .and_then(|result| result.pointer("/structuredContent/confirmationRequired"))
                .is_some();
            failures += usize::from(response.failed() || previewed);
        }
    }
    let wall_ms = ms(start.elapsed());
    session.close()?;
    Ok(Run { wall_ms, failures })
}

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let latency = LATENCY_MS.to_string();
    let seeded = (PROJECTS + 20).to_string();
    let sandbox = SandboxProcess::start(
        &bench.hex_mcp,
        &[
            "--projects",
            &seeded,
            "--latency-ms",
            &latency,
            "--rate-limits",
            "documented",
        ],
    )?;
    let (projects, collection) = setup(bench, &sandbox)?;
    // With the client's own pacing, as users run it: nothing here may trip a limit.
    let mut spec = bench.ours(&sandbox, &[]);
    spec.env.retain(|(name, _)| name != "HEX_MCP_RATE_LIMITS");
    let mut concurrent = Vec::new();
    let runs = bench.runs(3, 1);
    for run in 1..=runs {
        progress(format!(
            "bulk: {PROJECTS} sharing changes, {CONCURRENCY} in flight, run {run}/{runs}"
        ));
        concurrent.push(one_run(&spec, &projects, &collection, CONCURRENCY)?);
    }
    progress(format!(
        "bulk: {SEQUENTIAL_SAMPLE} sharing changes one at a time"
    ));
    let sample = projects.get(..SEQUENTIAL_SAMPLE).unwrap_or(&projects);
    let mut sequential = one_run(&spec, sample, &collection, 1)?;
    sequential.wall_ms *= PROJECTS as f64 / sample.len().max(1) as f64;
    report(&sandbox, &spec, &concurrent, &sequential)
}

/// 500 project ids and a collection id, read through our server.
fn setup(bench: &Bench, sandbox: &SandboxProcess) -> Result<(Vec<String>, String), BenchError> {
    let mut session = Session::spawn(&bench.ours(sandbox, &["--toolsets", "all"]))?;
    session.initialize()?;
    let (projects, _) = project_ids(&mut session, PROJECTS)?;
    let collections = session.call_ok("list_hex_collections", json!({"limit": 5}))?;
    session.close()?;
    let collection = collections
        .pointer("/values/0/id")
        .and_then(Value::as_str)
        .ok_or_else(|| BenchError::new("the sandbox listed no collections"))?
        .to_string();
    if projects.len() < PROJECTS {
        return Err(BenchError::new(format!(
            "the sandbox listed {} projects, {PROJECTS} needed",
            projects.len()
        )));
    }
    Ok((projects, collection))
}

fn report(
    sandbox: &SandboxProcess,
    spec: &ServerSpec,
    concurrent: &[Run],
    sequential: &Run,
) -> Result<Outcome, BenchError> {
    let floor_ms = (LATENCY_MS as usize * PROJECTS / CONCURRENCY) as f64;
    let sequential_ms = (LATENCY_MS as usize * PROJECTS) as f64;
    let mut section = Section::new("6. Bulk sharing change (500 projects)");
    section.intro.push(format!(
        "`update_hex_project_collection_sharing` putting each of {PROJECTS} projects in one \
         collection with CAN_VIEW (no confirmation involved), with the client's default pacing, \
         against a sandbox that adds {LATENCY_MS} ms to every request and enforces Hex's \
         documented rate limits ({}). One MCP session; {CONCURRENCY} `tools/call` requests in \
         flight (a new one is sent as each reply arrives). Time from the first request to the \
         last reply. EditProjectSharingCollections has no documented limit, so the floor is {LATENCY_MS} ms × {PROJECTS} / {CONCURRENCY} = {:.1} s; one at a time it is \
         {LATENCY_MS} ms × {PROJECTS} = {:.0} s (the last row times {SEQUENTIAL_SAMPLE} \
         changes one at a time and scales the time to {PROJECTS}).",
        code(&sandbox.command_line()),
        floor_ms / 1_000.0,
        sequential_ms / 1_000.0
    ));
    let mut table = Table::new(&[
        "Requests in flight",
        "Wall time median (s)",
        "Min",
        "Max",
        "Runs",
        "Failed or previewed",
        "Floor (s)",
        "Median / floor",
        "Command",
    ]);
    let walls: Vec<f64> = concurrent.iter().map(|run| run.wall_ms / 1_000.0).collect();
    let wall = Summary::of(&walls).ok_or_else(|| BenchError::new("no bulk runs"))?;
    let failures: usize = concurrent.iter().map(|run| run.failures).sum();
    let command = code(&spec.command_line());
    let mut row = vec![CONCURRENCY.to_string()];
    row.extend(cells(wall, 2));
    row.extend([
        wall.runs.to_string(),
        failures.to_string(),
        format!("{:.2}", floor_ms / 1_000.0),
        format!("{:.2}", wall.median * 1_000.0 / floor_ms),
        command.clone(),
    ]);
    table.row(row);
    let seconds = sequential.wall_ms / 1_000.0;
    table.row(vec![
        format!(
            "1 ({SEQUENTIAL_SAMPLE} changes, time × {})",
            PROJECTS / SEQUENTIAL_SAMPLE
        ),
        format!("{seconds:.2}"),
        format!("{seconds:.2}"),
        format!("{seconds:.2}"),
        "1".into(),
        sequential.failures.to_string(),
        format!("{:.2}", sequential_ms / 1_000.0),
        format!("{:.2}", sequential.wall_ms / sequential_ms),
        command,
    ]);
    section.tables.push(table);
    let mut outcome = Outcome::new(section);
    let ratio = wall.median * 1_000.0 / floor_ms;
    outcome.check(Check::new(
        TARGETS.first().copied().unwrap_or_default(),
        format!(
            "{:.2} s vs floor {:.2} s ({:.0} % over; {failures} failed)",
            wall.median,
            floor_ms / 1_000.0,
            (ratio - 1.0) * 100.0
        ),
        Some(ratio <= 1.2 && wall.median <= 4.0 && failures == 0),
    ));
    outcome.headline(
        "500-project sharing change, 50 ms per request",
        format!(
            "{:.2} s ({:.2}–{:.2}) with {CONCURRENCY} in flight; floor {:.2} s; one at a time \
             {:.1} s (floor {:.0} s)",
            wall.median,
            wall.min,
            wall.max,
            floor_ms / 1_000.0,
            sequential.wall_ms / 1_000.0,
            sequential_ms / 1_000.0
        ),
    );
    Ok(outcome)
}
