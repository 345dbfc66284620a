//! Memory under work: peak RSS of one session over 1,000 mixed tool calls.

use serde_json::{Value, json};

use super::{Bench, Outcome, progress, project_ids};
use crate::{
    error::BenchError,
    report::{Check, Section, Table, cells, code, mib, with_range},
    sandbox::SandboxProcess,
    session::{ServerSpec, Session, is_tool_error},
    stats::Summary,
};

pub const TARGETS: &[&str] = &["Peak RSS ≤ 20 MiB after 1,000 mixed calls"];

const CALLS: usize = 1_000;

/// The tools [`ours_call`] calls, for the results.
pub(super) const MIX_TEXT: &str = "list_hex_projects, get_hex_project (with sharing), \
    search_hex_projects, list_hex_cells, get_hex_cell, get_hex_project_runs, \
    list_hex_collections, list_hex_groups, list_hex_users, update_hex_project_user_sharing \
    (CAN_VIEW), in equal shares, interleaved";

/// Ids the calls refer to.
pub(super) struct Workspace {
    projects: Vec<String>,
    cells: Vec<String>,
    user: String,
}

fn pick(values: &[String], index: usize) -> String {
    values
        .get(index % values.len().max(1))
        .cloned()
        .unwrap_or_default()
}

/// The `index`th call of our mix: ten kinds of call in turn, reads and a sharing change.
pub(super) fn ours_call(workspace: &Workspace, index: usize) -> (&'static str, Value) {
    let project = pick(&workspace.projects, index / 10);
    match index % 10 {
        0 => ("list_hex_projects", json!({"limit": 25})),
        1 => (
            "get_hex_project",
            json!({"project_id": project, "include_sharing": true}),
        ),
        2 => (
            "search_hex_projects",
            json!({"search_pattern": "revenue|funnel", "limit": 20}),
        ),
        3 => ("list_hex_cells", json!({"project_id": project})),
        4 => (
            "get_hex_cell",
            json!({"cell_id": pick(&workspace.cells, index / 10)}),
        ),
        5 => ("get_hex_project_runs", json!({"project_id": project})),
        6 => ("list_hex_collections", json!({})),
        7 => ("list_hex_groups", json!({})),
        8 => ("list_hex_users", json!({"limit": 50})),
        _ => (
            "update_hex_project_user_sharing",
            json!({"project_id": project,
                   "user_permissions": [{"user_id": workspace.user, "access": "CAN_VIEW"}]}),
        ),
    }
}

pub(super) fn workspace(bench: &Bench, sandbox: &SandboxProcess) -> Result<Workspace, BenchError> {
    let mut session = Session::spawn(&bench.ours(sandbox, &["--toolsets", "all"]))?;
    session.initialize()?;
    let (projects, _) = project_ids(&mut session, 100)?;
    let mut cells = Vec::new();
    for project in projects.iter().take(20) {
        let page = session.call_ok("list_hex_cells", json!({"project_id": project}))?;
        cells.extend(ids_in(&page));
    }
    let users = session.call_ok("list_hex_users", json!({"limit": 5}))?;
    let user = ids_in(&users)
        .into_iter()
        .next()
        .ok_or_else(|| BenchError::new("the sandbox listed no users"))?;
    session.close()?;
    if projects.is_empty() || cells.is_empty() {
        return Err(BenchError::new("the sandbox listed no projects or cells"));
    }
    Ok(Workspace {
        projects,
        cells,
        user,
    })
}

fn ids_in(page: &Value) -> Vec<String> {
    page.get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|value| value.get("id").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

struct Run {
    rss_kib: f64,
    errors: usize,
}

fn one_run(
    spec: &ServerSpec,
    workspace: &Workspace,
    mix: fn(&Workspace, usize) -> (&'static str, Value),
) -> Result<Run, BenchError> {
    let mut session = Session::spawn(spec)?;
    session.initialize()?;
    let mut errors = 0;
    for index in 0..CALLS {
        let (tool, arguments) = mix(workspace, index);
        let result = session.call_tool(tool, arguments)?;
        errors += usize::from(is_tool_error(&result));
    }
    let rss_kib = session.peak_rss_kib()? as f64;
    session.close()?;
    Ok(Run { rss_kib, errors })
}

struct Contender {
    name: String,
    spec: ServerSpec,
    mix: fn(&Workspace, usize) -> (&'static str, Value),
    mix_text: &'static str,
    runs: Vec<Run>,
}

pub fn measure(bench: &Bench) -> Result<Outcome, BenchError> {
    let sandbox = SandboxProcess::start(&bench.hex_mcp, &["--rate-limits", "off"])?;
    let workspace = workspace(bench, &sandbox)?;
    let mut contenders = vec![Contender {
        name: super::OURS.into(),
        spec: bench.ours(&sandbox, &["--toolsets", "all"]),
        mix: ours_call,
        mix_text: MIX_TEXT,
        runs: Vec::new(),
    }];
    let runs = bench.runs(5, 1);
    for run in 1..=runs {
        for contender in &mut contenders {
            progress(format!(
                "memory: {} run {run}/{runs} ({CALLS} mixed calls)",
                contender.name
            ));
            let result = one_run(&contender.spec, &workspace, contender.mix)
                .map_err(|error| error.context(&contender.name))?;
            contender.runs.push(result);
        }
    }
    report(&sandbox, &contenders)
}

fn report(sandbox: &SandboxProcess, contenders: &[Contender]) -> Result<Outcome, BenchError> {
    let mut section = Section::new("4. Memory under work (1,000 mixed calls)");
    section.intro.push(format!(
        "Peak RSS (`VmHWM`) of one session after {CALLS} sequential tool calls against a \
         standalone sandbox ({}).",
        code(&sandbox.command_line())
    ));
    let mut table = Table::new(&[
        "Server",
        "Calls",
        "Peak RSS median (MiB)",
        "Min",
        "Max",
        "Runs",
        "Tool errors",
        "Command",
    ]);
    let mut figures = Vec::new();
    for contender in contenders {
        let values: Vec<f64> = contender.runs.iter().map(|run| run.rss_kib).collect();
        let rss = Summary::of(&values)
            .ok_or_else(|| BenchError::new("no memory runs"))?
            .map(mib);
        let errors: usize = contender.runs.iter().map(|run| run.errors).sum();
        let mut row = vec![contender.name.clone(), contender.mix_text.to_string()];
        row.extend(cells(rss, 1));
        row.push(rss.runs.to_string());
        row.push(errors.to_string());
        row.push(code(&contender.spec.command_line()));
        table.row(row);
        figures.push((rss, errors));
    }
    section.tables.push(table);
    section.notes.push(
        "The Python peer is not run here: at its ~60 ms per call (section 3) 1,000 calls take \
         a minute per run; its idle peak RSS is in section 1."
            .into(),
    );
    let mut outcome = Outcome::new(section);
    let Some(&(rss, errors)) = figures.first() else {
        return Err(BenchError::new("no memory results"));
    };
    outcome.check(Check::new(
        TARGETS.first().copied().unwrap_or_default(),
        format!("{:.1} MiB ({errors} tool errors)", rss.median),
        Some(rss.median <= 20.0 && errors == 0),
    ));
    outcome.headline(
        "Peak RSS after 1,000 mixed calls",
        with_range(rss, "MiB", 1),
    );
    Ok(outcome)
}
