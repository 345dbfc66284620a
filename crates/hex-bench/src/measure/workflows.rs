//! Workflows at the limit Hex allows (issue 12, item 8): a 200-cell replace and a 500-project
//! sharing change, each bound by Hex's rate limits rather than by hex-mcp. The sandbox enforces
//! Hex's documented limits on a clock 60× faster (`--rate-time-scale 60`: a minute of Hex's
//! budget takes a second) and the server paces to the same figures (`HEX_MCP_RATE_LIMITS`). The
//! floor is what those limits allow for the requests the job sent, read from the sandbox's own
//! request log; beside each job, the same change made the way an agent with single-step tools
//! makes it, one `tools/call` per step.

use std::{collections::BTreeMap, time::Instant};

use serde_json::{Value, json};

use super::{Bench, Outcome, ms, progress, project_ids};
use crate::{
    error::BenchError,
    report::{Check, Section, Table, code},
    sandbox::SandboxProcess,
    session::{ServerSpec, Session},
    stats::Summary,
};

pub const TARGETS: &[&str] = &[
    "200-cell replace within 10 % of the floor Hex's limits set, no 429",
    "500-project sharing change within 10 % of the floor Hex's limits set, no 429",
];

/// How much faster the sandbox's rate-limit clock runs than Hex's.
const TIME_SCALE: f64 = 60.0;
/// Hex's documented quotas (endpoints.md §1.4) on the same 60× clock: per minute becomes per
/// second, per hour per minute.
const PACING: &str = "hex-api=30/s+1800/min,hex-api-30rpm=30/s,hex-chart-image=20/s";
/// Cells per seeded project: the seed's pattern makes 200 of 996 cells SQL (cells 2 and 4, then
/// every fifth from cell 6).
const CELLS_PER_PROJECT: &str = "996";
const REPLACED_CELLS: usize = 200;
const SHARED_PROJECTS: usize = 500;

/// One timed job and what the sandbox saw of it.
struct Job {
    wall_ms: f64,
    /// `tools/call` requests the job took.
    calls: usize,
    /// Bytes of tool results the caller had to read (what an agent's context pays).
    result_bytes: usize,
    /// Requests per rate-limit group, and 429s.
    log: LogSummary,
    /// Cells or projects the job changed, as the sandbox's log counts its writes.
    writes: usize,
    /// What the preview said needed changing ([`Tally::needed`]).
    needed: Option<usize>,
    tool_errors: usize,
}

#[derive(Default)]
struct LogSummary {
    by_group: BTreeMap<&'static str, usize>,
    too_many: usize,
}

impl LogSummary {
    /// The least time Hex's limits allow for these requests: a sliding window of `max` per
    /// `window` lets `max` through at once and `max` more each window after.
    fn floor_ms(&self) -> f64 {
        self.by_group
            .iter()
            .filter_map(|(group, count)| {
                let (per_minute, per_hour) = quotas(group)?;
                let windows = |max: usize| (count.saturating_sub(1) / max) as f64;
                let minute_ms = 60_000.0 / TIME_SCALE;
                Some(
                    (windows(per_minute) * minute_ms)
                        .max(per_hour.map_or(0.0, |max| windows(max) * 60.0 * minute_ms)),
                )
            })
            .fold(0.0, f64::max)
    }

    fn describe(&self) -> String {
        let groups: Vec<String> = self
            .by_group
            .iter()
            .map(|(group, count)| format!("{count} {group}"))
            .collect();
        groups.join(", ")
    }
}

/// Hex's documented per-minute and per-hour figures for a group (endpoints.md §1.4).
fn quotas(group: &str) -> Option<(usize, Option<usize>)> {
    match group {
        "hex-api" => Some((30, Some(1800))),
        "hex-api-30rpm" => Some((30, None)),
        _ => None,
    }
}

/// The group of one of the requests these jobs send (the sandbox's own table, for them).
fn group_of(method: &str, path: &str) -> &'static str {
    let path = path.trim_start_matches("/api/v1");
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        (_, ["cells", ..]) => "hex-api-30rpm",
        ("PATCH", ["projects", _, "sharing", "users"]) => "hex-api-30rpm",
        ("PATCH", ["projects", _, "sharing", "collections"]) => "none",
        ("PATCH", ["projects", _, "sharing", _]) => "hex-api",
        ("GET", ["projects"]) => "none",
        (_, ["projects", _]) | ("GET", ["projects", _, "runs"]) => "hex-api",
        (_, ["users", ..]) => "hex-api-30rpm",
        _ => "none",
    }
}

/// Reads the sandbox's request log over its admin route.
fn read_log(sandbox: &SandboxProcess) -> Result<Vec<Value>, BenchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| BenchError::new(format!("cannot start a runtime: {error}")))?;
    let root = sandbox.base_url.trim_end_matches("/api/v1").to_string();
    let client = crate::http_mcp::http_client()?;
    runtime.block_on(async {
        let response = client
            .get(format!("{root}/_sandbox/requests"))
            .bearer_auth(crate::sandbox::TOKEN)
            .send()
            .await
            .map_err(|error| BenchError::new(format!("cannot read the request log: {error}")))?;
        response
            .json::<Vec<Value>>()
            .await
            .map_err(|error| BenchError::new(format!("the request log is not JSON: {error}")))
    })
}

/// Requests per group and 429s; `writes` counts the requests `is_write` picks.
fn summarize(log: &[Value], is_write: impl Fn(&str, &str) -> bool) -> (LogSummary, usize) {
    let mut summary = LogSummary::default();
    let mut writes = 0;
    for request in log {
        let method = request.get("method").and_then(Value::as_str).unwrap_or("");
        let path = request.get("path").and_then(Value::as_str).unwrap_or("");
        if path.contains("/_sandbox/") {
            continue;
        }
        *summary.by_group.entry(group_of(method, path)).or_default() += 1;
        let status = request.get("status").and_then(Value::as_u64).unwrap_or(0);
        summary.too_many += usize::from(status == 429);
        writes += usize::from(is_write(method, path) && (200..300).contains(&status));
    }
    (summary, writes)
}

/// A fresh sandbox (a clean budget and request log for each job).
fn sandbox(bench: &Bench, projects: &str) -> Result<SandboxProcess, BenchError> {
    SandboxProcess::start(
        &bench.hex_mcp,
        &[
            "--projects",
            projects,
            "--cells-per-project",
            CELLS_PER_PROJECT,
            "--rate-limits",
            "documented",
            "--rate-time-scale",
            "60",
        ],
    )
}

/// Our server with every toolset, pacing to Hex's figures on the 60× clock.
fn server(bench: &Bench, sandbox: &SandboxProcess) -> ServerSpec {
    let mut spec = bench.ours(sandbox, &["--toolsets", "all"]);
    spec.env.retain(|(name, _)| name != "HEX_MCP_RATE_LIMITS");
    spec.env.push(("HEX_MCP_RATE_LIMITS".into(), PACING.into()));
    spec
}

/// What a job's calls cost its caller: `tools/call` requests, result bytes, tool errors.
#[derive(Default)]
struct Tally {
    calls: usize,
    bytes: usize,
    errors: usize,
    /// How many items the workflow tool's preview said needed changing (the others already
    /// were as asked); `None` for the one-step jobs, which change every item.
    needed: Option<usize>,
}

impl Tally {
    /// Calls a tool and counts it; returns its structured result.
    fn call(
        &mut self,
        session: &mut Session,
        name: &str,
        arguments: Value,
    ) -> Result<Value, BenchError> {
        let result = session.call_tool(name, arguments)?;
        self.calls += 1;
        self.bytes += result.to_string().len();
        self.errors += usize::from(crate::session::is_tool_error(&result));
        Ok(result.get("structuredContent").cloned().unwrap_or(result))
    }

    /// A workflow tool's two steps: the preview, then the same arguments plus the `key` (plan
    /// id, apply token) the preview gave. `needed` names the preview's count of items to change.
    fn preview_then_apply(
        &mut self,
        session: &mut Session,
        tool: &str,
        arguments: Value,
        key: &str,
        needed: &str,
    ) -> Result<(), BenchError> {
        let preview = self.call(session, tool, arguments.clone())?;
        let count = preview.get(needed).and_then(Value::as_u64);
        self.needed = Some(
            count
                .and_then(|count| usize::try_from(count).ok())
                .ok_or_else(|| BenchError::new(format!("{tool}'s preview gave no {needed}")))?,
        );
        let value = preview
            .get(key)
            .ok_or_else(|| BenchError::new(format!("{tool}'s preview gave no {key}")))?;
        let mut apply = arguments;
        if let Some(object) = apply.as_object_mut() {
            object.insert(key.into(), value.clone());
        }
        self.call(session, tool, apply)?;
        Ok(())
    }
}

/// A sandbox, a session on it, and where the job's requests begin in the sandbox's log.
struct Stage {
    sandbox: SandboxProcess,
    session: Session,
    logged_before: usize,
}

impl Stage {
    fn new(bench: &Bench, projects: &str) -> Result<Stage, BenchError> {
        let sandbox = sandbox(bench, projects)?;
        let mut session = Session::spawn(&server(bench, &sandbox))?;
        session.initialize()?;
        Ok(Stage {
            sandbox,
            session,
            logged_before: 0,
        })
    }

    /// The first id a list tool answers.
    fn first_id(&mut self, tool: &str) -> Result<String, BenchError> {
        self.session
            .call_ok(tool, json!({"limit": 1}))?
            .pointer("/values/0/id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| BenchError::new(format!("{tool} listed nothing")))
    }

    /// Marks where the timed job begins in the request log.
    fn begin(&mut self) -> Result<Instant, BenchError> {
        self.logged_before = read_log(&self.sandbox)?.len();
        Ok(Instant::now())
    }

    /// Ends the job: its time, its tally and what the sandbox saw of it.
    fn finish(
        self,
        started: Instant,
        tally: Tally,
        is_write: impl Fn(&str, &str) -> bool,
    ) -> Result<Job, BenchError> {
        let wall_ms = ms(started.elapsed());
        self.session.close()?;
        let log = read_log(&self.sandbox)?;
        let (log, writes) = summarize(log.get(self.logged_before..).unwrap_or_default(), is_write);
        Ok(Job {
            wall_ms,
            calls: tally.calls,
            result_bytes: tally.bytes,
            log,
            writes,
            needed: tally.needed,
            tool_errors: tally.errors,
        })
    }
}

// --- the 200-cell replace -------------------------------------------------------------------

const FIND: &str = "SELECT ";
const REPLACE: &str = "SELECT /* reviewed */ ";

fn replace_job(bench: &Bench, one_step: bool) -> Result<Job, BenchError> {
    let mut stage = Stage::new(bench, "3")?;
    let project = stage.first_id("list_hex_projects")?;
    let mut tally = Tally::default();
    let started = stage.begin()?;
    if one_step {
        replace_one_step(&mut stage.session, &project, &mut tally)?;
    } else {
        let arguments = json!({"pattern": FIND, "replacement": REPLACE, "project_id": project,
                               "cell_types": ["SQL"]});
        tally.preview_then_apply(
            &mut stage.session,
            "replace_in_hex_cells",
            arguments,
            "plan_id",
            "cells_to_change",
        )?;
    }
    stage.finish(started, tally, |method, path| {
        method == "PATCH" && path.contains("/cells/")
    })
}

/// Every page of list_hex_cells, then update_hex_cell for each SQL cell: one call per step.
fn replace_one_step(
    session: &mut Session,
    project: &str,
    tally: &mut Tally,
) -> Result<(), BenchError> {
    let mut after: Option<String> = None;
    let mut sql_cells = Vec::new();
    loop {
        let mut arguments = json!({"project_id": project, "limit": 100});
        if let (Some(cursor), Some(object)) = (&after, arguments.as_object_mut()) {
            object.insert("after".into(), json!(cursor));
        }
        let page = tally.call(session, "list_hex_cells", arguments)?;
        for cell in page
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let source = cell
                .pointer("/contents/sqlCell/source")
                .and_then(Value::as_str);
            if let (Some(id), Some(source)) = (cell.get("id").and_then(Value::as_str), source) {
                sql_cells.push((id.to_string(), source.replace(FIND, REPLACE)));
            }
        }
        after = page
            .pointer("/pagination/after")
            .and_then(Value::as_str)
            .map(str::to_string);
        if after.is_none() {
            break;
        }
    }
    for (id, source) in sql_cells {
        tally.call(
            session,
            "update_hex_cell",
            json!({"cell_id": id, "sql_source": source}),
        )?;
    }
    Ok(())
}

// --- the 500-project sharing change ---------------------------------------------------------

fn sharing_job(bench: &Bench, one_step: bool) -> Result<Job, BenchError> {
    let mut stage = Stage::new(bench, "520")?;
    let (projects, _) = project_ids(&mut stage.session, SHARED_PROJECTS)?;
    let group = stage.first_id("list_hex_groups")?;
    let mut tally = Tally::default();
    let started = stage.begin()?;
    if one_step {
        for project in &projects {
            let arguments = json!({"project_id": project,
                "group_permissions": [{"group_id": group, "access": "CAN_VIEW"}]});
            tally.call(
                &mut stage.session,
                "update_hex_project_group_sharing",
                arguments,
            )?;
        }
    } else {
        let arguments =
            json!({"access": "CAN_VIEW", "group_ids": [group], "project_ids": projects});
        tally.preview_then_apply(
            &mut stage.session,
            "update_hex_sharing_bulk",
            arguments,
            "apply_token",
            "to_change",
        )?;
    }
    stage.finish(started, tally, |method, path| {
        method == "PATCH" && path.ends_with("/sharing/groups")
    })
}

/// A job: `(bench, one call per step?)` → its measurement.
type JobFn = fn(&Bench, bool) -> Result<Job, BenchError>;

// --- the section -----------------------------------------------------------------------------

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let runs = bench.runs(3, 1);
    let mut section = Section::new("10. Workflows at Hex's limits (60× clock)");
    section.intro.push(format!(
        "Each job against a fresh sandbox that enforces Hex's documented rate limits on a clock \
         {TIME_SCALE}× faster ({}; a minute of Hex's budget takes a second), with our server \
         pacing to the same figures (`HEX_MCP_RATE_LIMITS={PACING}`). The replace puts a comment \
         after `SELECT` in every SQL cell of one {CELLS_PER_PROJECT}-cell project \
         ({REPLACED_CELLS} cells): `replace_in_hex_cells` plans, then applies with the plan's \
         id. The sharing change gives one group CAN_VIEW on {SHARED_PROJECTS} projects: \
         `update_hex_sharing_bulk` previews, then applies with the preview's token. The floor is \
         the least time Hex's limits allow for the requests the job sent (counted per group in \
         the sandbox's log: n requests at 30 per window take ⌊(n−1)/30⌋ windows). The \
         one-step rows make the same change as an agent with single-step tools does, one \
         `tools/call` per step with no time between steps (a model's own time per step comes \
         on top): every page of `list_hex_cells`, then `update_hex_cell` per SQL cell; \
         `update_hex_project_group_sharing` per project. Times are wall time from the first \
         call to the last reply; on Hex's own clock they are {TIME_SCALE}× longer. Written \
         counts the sandbox's successful writes: the workflow tools leave out the items already \
         as asked (their preview counts them; some of the sandbox's projects already give the \
         group CAN_VIEW), the one-step jobs write every item.",
        code(&format!(
            "hex-mcp sandbox --bind 127.0.0.1:PORT --projects N --cells-per-project {CELLS_PER_PROJECT} --rate-limits documented --rate-time-scale 60"
        ))
    ));
    let mut table = Table::new(&[
        "Job",
        "How",
        "Wall time median (s)",
        "Min",
        "Max",
        "Runs",
        "Floor (s)",
        "Median / floor",
        "Requests to Hex",
        "429s",
        "Written",
        "Tool calls",
        "Result bytes",
        "Tool errors",
    ]);
    let mut outcome_checks = Vec::new();
    let jobs: [(&str, JobFn, usize); 2] = [
        ("200-cell replace", replace_job, REPLACED_CELLS),
        ("500-project sharing change", sharing_job, SHARED_PROJECTS),
    ];
    for (index, (name, job, expected)) in jobs.into_iter().enumerate() {
        for one_step in [false, true] {
            let how = if one_step {
                "one call per step"
            } else {
                "workflow tool"
            };
            let mut done = Vec::new();
            for run in 1..=runs {
                progress(format!("workflows: {name}, {how}, run {run}/{runs}"));
                done.push(job(bench, one_step)?);
            }
            let row = row(name, how, &done)?;
            if !one_step {
                let target = TARGETS.get(index).copied().unwrap_or_default();
                outcome_checks.push(check(target, &done, expected, &row)?);
            }
            table.row(row.cells);
        }
    }
    section.tables.push(table);
    let mut outcome = Outcome::new(section);
    for check in outcome_checks {
        outcome.check(check);
    }
    Ok(outcome)
}

struct Row {
    cells: Vec<String>,
    median_s: f64,
    floor_s: f64,
}

fn row(name: &str, how: &str, done: &[Job]) -> Result<Row, BenchError> {
    let walls: Vec<f64> = done.iter().map(|job| job.wall_ms / 1_000.0).collect();
    let wall = Summary::of(&walls).ok_or_else(|| BenchError::new("no workflow runs"))?;
    let last = done
        .last()
        .ok_or_else(|| BenchError::new("no workflow runs"))?;
    let floor_s = last.log.floor_ms() / 1_000.0;
    let too_many: usize = done.iter().map(|job| job.log.too_many).sum();
    let errors: usize = done.iter().map(|job| job.tool_errors).sum();
    Ok(Row {
        cells: vec![
            name.to_string(),
            how.to_string(),
            format!("{:.2}", wall.median),
            format!("{:.2}", wall.min),
            format!("{:.2}", wall.max),
            wall.runs.to_string(),
            format!("{floor_s:.2}"),
            format!("{:.2}", wall.median / floor_s.max(0.001)),
            last.log.describe(),
            too_many.to_string(),
            last.writes.to_string(),
            last.calls.to_string(),
            last.result_bytes.to_string(),
            errors.to_string(),
        ],
        median_s: wall.median,
        floor_s,
    })
}

/// Within 10 % of the floor, no 429, and every selected item that needed the change got it
/// (the preview lists those already as asked; they need no request).
fn check(target: &str, done: &[Job], selected: usize, row: &Row) -> Result<Check, BenchError> {
    let too_many: usize = done.iter().map(|job| job.log.too_many).sum();
    let last = done.last();
    let writes = last.map_or(0, |job| job.writes);
    let needed = last.and_then(|job| job.needed).unwrap_or(selected);
    let already = selected.saturating_sub(needed);
    let ratio = row.median_s / row.floor_s.max(0.001);
    Ok(Check::new(
        target,
        format!(
            "{:.2} s vs floor {:.2} s ({:.0} % over); {too_many} × 429; {writes} of the {needed} \
             needing it written ({already} of {selected} already as asked)",
            row.median_s,
            row.floor_s,
            (ratio - 1.0) * 100.0
        ),
        Some(ratio <= 1.1 && too_many == 0 && writes == needed && needed <= selected),
    ))
}
