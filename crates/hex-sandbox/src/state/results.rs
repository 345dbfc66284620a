//! Query results and charts: the latest output of SQL cells in each project's draft notebook
//! session, and the images of chart cells.
//!
//! Outputs are not stored: a SQL cell's preview is drawn from its current source (as if the
//! notebook had run it since its last edit), seeded by the cell, so it is the same on every read
//! and changes when the query does. What is stored is which cells the session never ran and which
//! runs failed. A chart reads the nearest SQL cell above it and draws its first rows as bars.

mod chart;
mod font;
mod table;

use std::collections::HashSet;

use uuid::Uuid;

use super::{
    CELL_ORDER_GAP, Cell, CellType, Millis, Outcome, Project, ProjectType, Run, RunStatus,
    RunTrigger, SandboxState, Workspace, now_ms,
};
use crate::seed::Rng;

pub(crate) use chart::DEFAULT_SIZE;
pub(crate) use table::{ROW_LIMIT, Table, tables_in};

/// The seeded workspace's "now" (2026-06-01T00:00:00Z), as the main seed counts time.
const SEED_NOW: Millis = 1_780_272_000_000;
const HOUR: Millis = 3_600_000;

/// How many seeded projects get a chart cell that draws, and (after them) one whose chart fails.
const CHART_PROJECTS: usize = 8;

/// A source containing this marker fails when the notebook runs it (for tests of errors).
pub(crate) const ERROR_MARKER: &str = "[sandbox:error]";

/// The workspace's results.
#[derive(Default)]
pub(crate) struct ResultStore {
    /// SQL cells the draft session has never run: they have no output.
    pub(crate) not_run: HashSet<Uuid>,
    /// Cells whose latest run in the draft session failed.
    pub(crate) failing: HashSet<Uuid>,
}

/// A SQL cell's latest output in the draft session.
pub(crate) enum Output {
    NotRun,
    Table(Table),
    Error { message: String },
}

/// The cell named by its id or, failing that, its static id.
pub(crate) fn cell_by_any_id<'a>(ws: &'a Workspace, id: &Uuid) -> Option<&'a Cell> {
    ws.cells
        .get(id)
        .or_else(|| ws.cells.values().find(|cell| cell.static_id == *id))
}

/// The id of a project's draft notebook session run (stable for the project).
pub(crate) fn session_run_id(project_id: &Uuid) -> Uuid {
    let mut rng = Rng::new(fnv(project_id.as_bytes()) ^ 0x5345_5353);
    rng.uuid()
}

/// The output of a SQL cell as the draft session last ran it.
pub(crate) fn sql_output(ws: &Workspace, cell: &Cell) -> Output {
    if ws.results.not_run.contains(&cell.id) {
        return Output::NotRun;
    }
    if ws.results.failing.contains(&cell.id) || cell.source.contains(ERROR_MARKER) {
        return Output::Error {
            message: failure_message(cell),
        };
    }
    let warehouse = cell
        .data_connection
        .and_then(|id| ws.connection(&id))
        .map(|c| c.kind);
    let mut seed = cell.static_id.as_bytes().to_vec();
    seed.extend_from_slice(cell.source.as_bytes());
    Output::Table(table::preview(&cell.source, warehouse, fnv(&seed)))
}

/// What a warehouse says about the first table a failing query reads.
fn failure_message(cell: &Cell) -> String {
    match tables_in(&cell.source).first() {
        Some(table) => format!(
            "SQL compilation error: Object '{}' does not exist or not authorized.",
            table.to_ascii_uppercase()
        ),
        None => "SQL compilation error: syntax error line 1 at position 0.".to_owned(),
    }
}

/// The SQL cell a chart draws: the nearest SQL cell above it in the notebook.
pub(crate) fn chart_source<'a>(ws: &'a Workspace, chart: &Cell) -> Option<&'a Cell> {
    ws.cell_order
        .get(&chart.project_id)?
        .range(..(chart.order, chart.id))
        .rev()
        .filter_map(|(_, id)| ws.cells.get(id))
        .find(|cell| cell.kind == CellType::Sql)
}

pub(crate) fn is_chart(cell: &Cell) -> bool {
    matches!(cell.kind, CellType::Chart | CellType::VegaChart)
}

/// The values a chart draws, or why it did not run without error.
pub(crate) fn chart_values(ws: &Workspace, chart: &Cell) -> Result<Vec<f64>, String> {
    if ws.results.failing.contains(&chart.id) {
        return Err(format!("chart cell {} failed when it last ran", chart.id));
    }
    let Some(source) = chart_source(ws, chart) else {
        return Err(format!(
            "chart cell {} has no SQL cell above it to draw",
            chart.id
        ));
    };
    match sql_output(ws, source) {
        Output::Table(table) => Ok(bars(&table)),
        Output::NotRun => Err(format!(
            "chart cell {} has not run: the SQL cell it draws ({}) has no output",
            chart.id, source.id
        )),
        Output::Error { .. } => Err(format!(
            "chart cell {} did not run without error: the SQL cell it draws ({}) failed",
            chart.id, source.id
        )),
    }
}

/// The first numeric column of the first rows; with no numeric column, the count of rows per
/// value of the first column.
fn bars(table: &Table) -> Vec<f64> {
    let numeric = table
        .columns
        .iter()
        .position(|(_, _, kind)| matches!(kind, table::Kind::Integer | table::Kind::Decimal));
    let Some(column) = numeric else {
        let mut seen: Vec<(Option<&str>, f64)> = Vec::new();
        for row in &table.rows {
            let key = row.first().and_then(|v| v.as_deref());
            if let Some((_, count)) = seen.iter_mut().find(|(k, _)| *k == key) {
                *count += 1.0;
            } else if seen.len() < chart::MAX_BARS {
                seen.push((key, 1.0));
            }
        }
        return seen.into_iter().map(|(_, count)| count).collect();
    };
    table
        .rows
        .iter()
        .take(chart::MAX_BARS)
        .map(|row| {
            row.get(column)
                .and_then(|v| v.as_deref())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0)
        })
        .collect()
}

/// A chart cell as a PNG of `size`, with its label drawn when `title` is set.
pub(crate) fn chart_png(
    ws: &Workspace,
    chart: &Cell,
    size: (u32, u32),
    title: bool,
) -> Result<Vec<u8>, String> {
    let values = chart_values(ws, chart)?;
    let label = chart.label.as_deref().unwrap_or("Chart");
    chart::bar_chart(&values, title.then_some(label), size)
        .map_err(|error| format!("the chart could not be encoded: {error}"))
}

/// FNV-1a: a stable hash (the same on every platform and Rust version) for seeding outputs.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Seeds this area after the rest of the workspace, from its own random stream (so the ids of
/// everything seeded before stay the same): a few SQL cells failed or never ran, and a chart
/// cell (with a completed run to draw it from) at the end of a few of the oldest projects.
pub(crate) fn seed(ws: &mut Workspace, rng: &mut Rng) {
    let oldest_first: Vec<Uuid> = ws.project_index.created.iter().map(|(_, id)| *id).collect();
    for project in &oldest_first {
        for cell in sql_cells(ws, project) {
            if rng.chance(3) {
                ws.results.failing.insert(cell);
            } else if rng.chance(3) {
                ws.results.not_run.insert(cell);
            }
        }
    }
    let eligible: Vec<Uuid> = oldest_first
        .iter()
        .filter(|id| ws.projects.get(id).is_some_and(can_hold_a_chart))
        .filter(|id| !sql_cells(ws, id).is_empty())
        .take(CHART_PROJECTS + 1)
        .copied()
        .collect();
    for (i, project) in eligible.iter().enumerate() {
        add_chart(ws, rng, project, i < CHART_PROJECTS);
    }
}

/// Published, active projects whose runs complete.
fn can_hold_a_chart(project: &Project) -> bool {
    project.last_published_at.is_some()
        && project.archived_at.is_none()
        && project.trashed_at.is_none()
        && !project.runs_fail
        && project.kind == ProjectType::Project
}

/// A project's SQL cells on a data connection, in notebook order.
fn sql_cells(ws: &Workspace, project: &Uuid) -> Vec<Uuid> {
    ws.cell_order
        .get(project)
        .into_iter()
        .flatten()
        .filter_map(|(_, id)| ws.cells.get(id))
        .filter(|cell| cell.kind == CellType::Sql && cell.data_connection.is_some())
        .map(|cell| cell.id)
        .collect()
}

/// Appends a chart of the project's last SQL cell (which draws when `works`, fails otherwise)
/// and a completed API run to draw it from.
fn add_chart(ws: &mut Workspace, rng: &mut Rng, project_id: &Uuid, works: bool) {
    let Some(source) = sql_cells(ws, project_id).last().copied() else {
        return;
    };
    if works {
        ws.results.failing.remove(&source);
        ws.results.not_run.remove(&source);
    } else {
        ws.results.not_run.remove(&source);
        ws.results.failing.insert(source);
    }
    let label = ws
        .cells
        .get(&source)
        .and_then(|cell| cell.label.clone())
        .unwrap_or_else(|| "Query".to_owned());
    let last = ws
        .cell_order
        .get(project_id)
        .and_then(|order| order.last())
        .map_or(0, |(order, _)| *order);
    ws.insert_cell(Cell {
        id: rng.uuid(),
        static_id: rng.uuid(),
        project_id: *project_id,
        kind: CellType::Chart,
        label: Some(format!("{label} chart")),
        data_connection: None,
        source: std::borrow::Cow::Borrowed(""),
        output_dataframe: None,
        order: last + CELL_ORDER_GAP,
    });
    let version = ws
        .projects
        .get(project_id)
        .map_or(1, |p| p.published_version.max(1));
    ws.insert_run(Run {
        id: rng.uuid(),
        project_id: *project_id,
        project_version: version,
        trigger: RunTrigger::Api,
        // After every seeded run (they all end before the seed's "now").
        created_at: SEED_NOW + HOUR,
        pending_ms: 1_500,
        running_ms: 40_000,
        outcome: Outcome::Completed,
        killed_at: None,
        notifications: Vec::new(),
        flag_config_override: None,
    });
}

/// Test assertions about outputs and charts. Lists are newest project first.
impl SandboxState {
    /// Chart cells that draw: (project id, cell id, static id).
    pub fn chart_cells(&self) -> Vec<(String, String, String)> {
        self.charts(true)
    }

    /// Chart cells that did not run without error: (project id, cell id, static id).
    pub fn failing_chart_cells(&self) -> Vec<(String, String, String)> {
        self.charts(false)
    }

    /// SQL cells whose output is a table of at least `min_rows` rows (the first ten).
    pub fn sql_cells_with_rows(&self, min_rows: usize) -> Vec<String> {
        let ws = self.shared.read();
        self.sql_cells_where(
            &ws,
            |output| matches!(output, Output::Table(table) if table.rows.len() >= min_rows),
        )
    }

    /// SQL cells whose latest run failed (the first ten).
    pub fn failing_sql_cells(&self) -> Vec<String> {
        let ws = self.shared.read();
        self.sql_cells_where(&ws, |output| matches!(output, Output::Error { .. }))
    }

    /// SQL cells the draft session never ran (the first ten).
    pub fn sql_cells_without_output(&self) -> Vec<String> {
        let ws = self.shared.read();
        self.sql_cells_where(&ws, |output| matches!(output, Output::NotRun))
    }

    /// A project's runs that are COMPLETED now, oldest first.
    pub fn completed_run_ids(&self, project_id: &str) -> Vec<String> {
        let ws = self.shared.read();
        let now = now_ms();
        Uuid::try_parse(project_id)
            .ok()
            .and_then(|id| ws.project_runs.get(&id))
            .into_iter()
            .flatten()
            .filter_map(|id| ws.runs.get(id))
            .filter(|run| run.state_at(now).status == RunStatus::Completed)
            .map(|run| run.id.to_string())
            .collect()
    }

    fn charts(&self, drawing: bool) -> Vec<(String, String, String)> {
        let ws = self.shared.read();
        newest_cells(&ws)
            .filter(|cell| is_chart(cell) && chart_values(&ws, cell).is_ok() == drawing)
            .map(|cell| {
                let ids = (cell.project_id, cell.id, cell.static_id);
                (ids.0.to_string(), ids.1.to_string(), ids.2.to_string())
            })
            .collect()
    }

    fn sql_cells_where(&self, ws: &Workspace, keep: impl Fn(&Output) -> bool) -> Vec<String> {
        newest_cells(ws)
            .filter(|cell| cell.kind == CellType::Sql && keep(&sql_output(ws, cell)))
            .take(10)
            .map(|cell| cell.id.to_string())
            .collect()
    }
}

/// Every cell, newest project first, each notebook in order.
fn newest_cells(ws: &Workspace) -> impl Iterator<Item = &Cell> {
    ws.project_index
        .created
        .iter()
        .rev()
        .filter_map(|(_, project)| ws.cell_order.get(project))
        .flatten()
        .filter_map(|(_, id)| ws.cells.get(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_run_ids_are_stable_per_project() {
        let a = Uuid::from_u128(1);
        assert_eq!(session_run_id(&a), session_run_id(&a));
        assert_ne!(session_run_id(&a), session_run_id(&Uuid::from_u128(2)));
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
    }
}
