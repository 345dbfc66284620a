//! Scale: `search_hex_projects` over workspaces of growing size, and reading every cell of a
//! 20,000-cell workspace; wall time and peak RSS at each size.

use std::time::Instant;

use serde_json::{Value, json};

use super::{Bench, Outcome, ms, progress, project_ids};
use crate::{
    error::BenchError,
    report::{Check, Section, Table, cells, code, mib},
    sandbox::SandboxProcess,
    session::{ServerSpec, Session},
    stats::Summary,
};

pub const TARGETS: &[&str] = &[
    "Search cost linear in workspace size (time per project at 50,000 ≤ 1.25× at 10,000)",
    "Search memory flat (peak RSS at 50,000 projects ≤ at 1,000 + 2 MiB)",
];

const SEARCH_SIZES: &[usize] = &[1_000, 10_000, 50_000];
/// Matches one title at most (only the first project of each topic has no suffix), so every
/// page is read.
const PATTERN: &str = "^Finance - ARR bridge$";
const CELL_SIZES: &[usize] = &[800, 4_000];
const CELLS_PER_PROJECT: usize = 5;

struct Point {
    size: usize,
    command: String,
    time_ms: Summary,
    rss_mib: Summary,
    /// What the run covered: projects searched or cells read.
    covered: usize,
}

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let runs = bench.runs(5, 1);
    let mut searches = Vec::new();
    for &size in SEARCH_SIZES {
        progress(format!("scale: search over {size} projects, {runs} runs"));
        searches.push(search_point(bench, size, runs)?);
    }
    let mut walks = Vec::new();
    for &size in CELL_SIZES {
        progress(format!(
            "scale: reading every cell of {size} projects × {CELLS_PER_PROJECT}, {runs} runs"
        ));
        walks.push(cells_point(bench, size, runs)?);
    }
    Ok(report(&searches, &walks))
}

fn summarize(samples: &[(f64, f64)]) -> Result<(Summary, Summary), BenchError> {
    let times: Vec<f64> = samples.iter().map(|(time, _)| *time).collect();
    let rss: Vec<f64> = samples.iter().map(|(_, rss)| *rss).collect();
    match (Summary::of(&times), Summary::of(&rss)) {
        (Some(time), Some(rss)) => Ok((time, rss.map(mib))),
        _ => Err(BenchError::new("no scale samples")),
    }
}

fn search_point(bench: &Bench, size: usize, runs: usize) -> Result<Point, BenchError> {
    let projects = size.to_string();
    let sandbox = SandboxProcess::start(
        &bench.hex_mcp,
        &["--projects", &projects, "--rate-limits", "off"],
    )?;
    let spec = bench.ours(&sandbox, &[]);
    let mut samples = Vec::new();
    let mut covered = 0;
    for _ in 0..runs {
        let mut session = Session::spawn(&spec)?;
        session.initialize()?;
        let start = Instant::now();
        let answer = session.call_ok(
            "search_hex_projects",
            json!({"search_pattern": PATTERN, "limit": 100, "include_archived": true,
                   "include_trashed": true, "include_components": true}),
        )?;
        let elapsed = start.elapsed();
        let rss = session.peak_rss_kib()?;
        session.close()?;
        covered = answer
            .get("total_searched")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        if answer.get("stopped_early").is_some() {
            return Err(BenchError::new(format!(
                "the search over {size} projects stopped early: {answer}"
            )));
        }
        samples.push((ms(elapsed), rss as f64));
    }
    let (time_ms, rss_mib) = summarize(&samples)?;
    Ok(Point {
        size,
        command: command(&sandbox, &spec, &format!("search_hex_projects {PATTERN}")),
        time_ms,
        rss_mib,
        covered,
    })
}

fn cells_point(bench: &Bench, size: usize, runs: usize) -> Result<Point, BenchError> {
    let projects = size.to_string();
    let per_project = CELLS_PER_PROJECT.to_string();
    let sandbox = SandboxProcess::start(
        &bench.hex_mcp,
        &[
            "--projects",
            &projects,
            "--cells-per-project",
            &per_project,
            "--rate-limits",
            "off",
        ],
    )?;
    let spec = bench.ours(&sandbox, &[]);
    let mut samples = Vec::new();
    let mut covered = 0;
    for _ in 0..runs {
        let mut session = Session::spawn(&spec)?;
        session.initialize()?;
        let start = Instant::now();
        let (ids, _) = project_ids(&mut session, usize::MAX)?;
        let mut cells = 0;
        for id in &ids {
            let page =
                session.call_ok("list_hex_cells", json!({"project_id": id, "limit": 100}))?;
            cells += page
                .get("values")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
        }
        let elapsed = start.elapsed();
        let rss = session.peak_rss_kib()?;
        session.close()?;
        covered = cells;
        samples.push((ms(elapsed), rss as f64));
    }
    let (time_ms, rss_mib) = summarize(&samples)?;
    Ok(Point {
        size,
        command: command(
            &sandbox,
            &spec,
            "list_hex_projects (all pages), then list_hex_cells of each project",
        ),
        time_ms,
        rss_mib,
        covered,
    })
}

fn command(sandbox: &SandboxProcess, spec: &ServerSpec, calls: &str) -> String {
    format!(
        "{}; {}; {}",
        code(&sandbox.command_line()),
        code(&spec.command_line()),
        calls
    )
}

fn report(searches: &[Point], walks: &[Point]) -> Outcome {
    let mut section = Section::new("5. Scale");
    section.intro.push(format!(
        "`search_hex_projects` with the pattern {} (at most one title matches, so every page \
         of the workspace is read, archived and trashed projects and components included), `limit` 100, in a \
         fresh session per run; time of the `tools/call` round trip and the server's peak RSS \
         after it. Then every cell of a workspace: all pages of `list_hex_projects`, then \
         `list_hex_cells` of each project, one session per run.",
        code(PATTERN)
    ));
    let mut search = Table::new(&[
        "Workspace (projects)",
        "Searched",
        "Time median (ms)",
        "Min",
        "Max",
        "µs per project",
        "Peak RSS median (MiB)",
        "Min",
        "Max",
        "Runs",
        "Command",
    ]);
    for point in searches {
        search.row(point_row(point, 1_000.0 / point.covered.max(1) as f64));
    }
    section.tables.push(search);
    let mut walk = Table::new(&[
        "Workspace (projects × cells)",
        "Cells read",
        "Time median (ms)",
        "Min",
        "Max",
        "µs per cell",
        "Peak RSS median (MiB)",
        "Min",
        "Max",
        "Runs",
        "Command",
    ]);
    for point in walks {
        let mut row = point_row(point, 1_000.0 / point.covered.max(1) as f64);
        if let Some(first) = row.first_mut() {
            *first = format!("{} × {CELLS_PER_PROJECT}", point.size);
        }
        walk.row(row);
    }
    section.tables.push(walk);
    let mut outcome = Outcome::new(section);
    let per_project = |point: &Point| point.time_ms.median / point.covered.max(1) as f64 * 1_000.0;
    let (small, middle, large) = (searches.first(), searches.get(1), searches.last());
    outcome.check(match (middle, large) {
        (Some(middle), Some(large)) => Check::new(
            TARGETS.first().copied().unwrap_or_default(),
            format!(
                "{:.1} µs per project at {}, {:.1} at {} ({:.0} ms, {:.0} ms)",
                per_project(large),
                large.size,
                per_project(middle),
                middle.size,
                large.time_ms.median,
                middle.time_ms.median
            ),
            Some(per_project(large) <= 1.25 * per_project(middle)),
        ),
        _ => Check::unmeasured(TARGETS.first().copied().unwrap_or_default()),
    });
    outcome.check(match (small, large) {
        (Some(small), Some(large)) => Check::new(
            TARGETS.get(1).copied().unwrap_or_default(),
            format!(
                "{:.1} MiB at {}, {:.1} MiB at {}",
                large.rss_mib.median, large.size, small.rss_mib.median, small.size
            ),
            Some(large.rss_mib.median <= small.rss_mib.median + 2.0),
        ),
        _ => Check::unmeasured(TARGETS.get(1).copied().unwrap_or_default()),
    });
    if let Some(large) = large {
        let mut figure = format!(
            "{:.0} ms over {} projects, peak RSS {:.1} MiB",
            large.time_ms.median, large.covered, large.rss_mib.median
        );
        if let Some(walk) = walks.last() {
            figure.push_str(&format!(
                "; every cell of {} projects ({} cells) in {:.1} s, peak RSS {:.1} MiB",
                walk.size,
                walk.covered,
                walk.time_ms.median / 1_000.0,
                walk.rss_mib.median
            ));
        }
        outcome.headline("Scale: search and reading every cell", figure);
    }
    outcome
}

fn point_row(point: &Point, per_thousand_to_micro: f64) -> Vec<String> {
    let mut row = vec![point.size.to_string(), point.covered.to_string()];
    row.extend(cells(point.time_ms, 1));
    row.push(format!(
        "{:.1}",
        point.time_ms.median * per_thousand_to_micro
    ));
    row.extend(cells(point.rss_mib, 1));
    row.push(point.time_ms.runs.to_string());
    row.push(point.command.clone());
    row
}
