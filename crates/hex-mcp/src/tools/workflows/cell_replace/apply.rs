//! Carrying out a replace's plan, cell by cell: read the cell as it is now, write it only if it
//! is still as planned, and record each cell's outcome in the plan, so that calling again
//! applies only what is left (failures are retried, cells changed meanwhile are never written).
//!
//! Hex has no conditional write (no version or ETag on a cell), so "still as planned" is checked
//! by reading the cell at most [`FRESH_FOR`] before writing it: one GetCell per cell, or one
//! ListCells walk of its project when that takes fewer requests.

use std::{collections::HashMap, sync::Arc, time::Duration};

use hex_client::{
    HexClient, HexError,
    api::cells::{
        Cell, CellType, ListCellsParams, NewSource, UpdateCellContents, UpdateCellRequest,
        UpdateSqlCell,
    },
};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::{
    plan::{PlannedCell, ReplacePlan, Status},
    rule::{Change, Rule, current_state},
};
use crate::{
    context::ToolContext,
    errors::ToolError,
    registry::ToolResult,
    tools::{
        vocab::MAX_PAGE_SIZE,
        workflows::cell_search::budget::{self, Budget, Halt},
    },
};

/// The longest a cell's state is trusted before it is written.
const FRESH_FOR: Duration = Duration::from_secs(10);

/// Transient failures in a row (Hex down, the network gone) after which the rest waits for
/// the next call instead of failing one by one.
const MAX_FAILURES_IN_A_ROW: usize = 3;

/// What became of one cell in this call.
enum Attempt {
    Applied,
    /// Found already as planned (an earlier attempt's answer was lost, or someone made it).
    AlreadyDone,
    Stale(String),
    Failed(HexError),
    /// The call's budget ended before the cell was done; it stays as it was in the plan.
    Halted(Halt),
}

/// This call's outcomes.
#[derive(Default)]
struct Report {
    applied: Vec<String>,
    already: Vec<String>,
    failed: Vec<(String, String, HexError)>,
    stopped: Option<Halt>,
    /// Stopped after [`MAX_FAILURES_IN_A_ROW`] transient failures.
    gave_up: bool,
}

/// Applies what is left of `plan`, recording each cell's outcome in it.
pub async fn apply(ctx: &ToolContext, plan_id: &str, plan: &mut ReplacePlan) -> ToolResult {
    let hex = ctx.hex()?;
    let mut budget = Budget::of(ctx);
    let mut reader = Reader {
        hex,
        fresh: HashMap::new(),
    };
    let ReplacePlan {
        rule, cells, pages, ..
    } = plan;
    let todo: Vec<usize> = (0..cells.len())
        .filter(|index| {
            cells
                .get(*index)
                .is_some_and(|cell| matches!(cell.status, Status::Pending | Status::Failed(_)))
        })
        .collect();
    announce(ctx, &todo, hex).await;
    let mut report = Report::default();
    let mut in_a_row = 0;
    for (done, index) in todo.iter().enumerate() {
        let left = left_in_project(cells, todo.get(done..).unwrap_or_default(), *index);
        let Some(cell) = cells.get_mut(*index) else {
            continue;
        };
        let pages = pages.get(&cell.project_id).copied().unwrap_or(1);
        match attempt(&mut budget, &mut reader, rule, cell, left, pages).await {
            Attempt::Applied => {
                cell.status = Status::Applied;
                report.applied.push(cell.cell_id.clone());
                in_a_row = 0;
            }
            Attempt::AlreadyDone => {
                cell.status = Status::Applied;
                report.already.push(cell.cell_id.clone());
            }
            Attempt::Stale(why) => cell.status = Status::Stale(why),
            Attempt::Failed(error) => {
                cell.status = Status::Failed(error.to_string());
                in_a_row = if error.is_transient() {
                    in_a_row + 1
                } else {
                    0
                };
                report
                    .failed
                    .push((cell.cell_id.clone(), cell.project_id.clone(), error));
                if in_a_row >= MAX_FAILURES_IN_A_ROW {
                    report.gave_up = true;
                    break;
                }
            }
            Attempt::Halted(halt) => {
                report.stopped = Some(halt);
                break;
            }
        }
        let total = todo.len();
        ctx.progress(
            (done + 1) as f64,
            Some(total as f64),
            format!("worked through {} of {total} cells", done + 1),
        )
        .await;
    }
    answer(ctx, plan_id, plan, report)
}

/// Says up front how long applying takes.
async fn announce(ctx: &ToolContext, todo: &[usize], hex: &HexClient) {
    let limits = hex.rate_limits();
    let cells = todo.len();
    let message = match budget::seconds_for(limits, 2 * cells) {
        Some(seconds) => format!(
            "applying {cells} cells: at most {} cell requests at Hex's {}, up to {seconds} s",
            2 * cells,
            budget::cell_rate(limits)
        ),
        None => format!("applying {cells} cells"),
    };
    ctx.progress(0.0, Some(cells as f64), message).await;
}

/// Cells of `index`'s project still to do, `index` included.
fn left_in_project(cells: &[PlannedCell], todo: &[usize], index: usize) -> usize {
    let project = cells.get(index).map(|cell| cell.project_id.as_str());
    todo.iter()
        .filter(|other| cells.get(**other).map(|cell| cell.project_id.as_str()) == project)
        .count()
}

async fn attempt(
    budget: &mut Budget<'_>,
    reader: &mut Reader<'_>,
    rule: &Arc<Rule>,
    cell: &PlannedCell,
    left: usize,
    pages: u32,
) -> Attempt {
    let current = match reader.current(budget, cell, left, pages).await {
        Ok(Some(current)) => current,
        Ok(None) => return Attempt::Stale("deleted since the plan was made".into()),
        Err(Halt::Failed(error)) => return Attempt::Failed(error),
        Err(halt) => return Attempt::Halted(halt),
    };
    let state = current_state(&current);
    if state == cell.after {
        return Attempt::AlreadyDone;
    }
    if state != cell.before {
        return Attempt::Stale("changed since the plan was made".into());
    }
    // The cell is as planned, so the rule gives the planned change; worked out off the I/O
    // threads like the plan's (a source can be large).
    let rule = rule.clone();
    let change = tokio::task::spawn_blocking(move || rule.change(&current))
        .await
        .ok()
        .flatten()
        .filter(|change| change.after == cell.after);
    let Some(change) = change else {
        return Attempt::Stale("would now change differently than planned".into());
    };
    let request = update_request(&cell.cell_type, change);
    let hex = reader.hex;
    let written = budget
        .send(|| async { hex.cells().update(&cell.cell_id, &request).await })
        .await;
    reader.forget(&cell.cell_id);
    match written {
        Ok(_) => Attempt::Applied,
        Err(Halt::Failed(error)) if error.status() == Some(404) => {
            Attempt::Stale("deleted since the plan was made".into())
        }
        Err(Halt::Failed(error)) => Attempt::Failed(error),
        Err(halt) => Attempt::Halted(halt),
    }
}

fn update_request(cell_type: &CellType, change: Change) -> UpdateCellRequest {
    let contents = change.source.map(|source| match cell_type {
        CellType::Sql => UpdateCellContents {
            sql_cell: Some(UpdateSqlCell {
                source,
                output_dataframe: None,
            }),
            ..UpdateCellContents::default()
        },
        CellType::Code => UpdateCellContents {
            code_cell: Some(NewSource { source }),
            ..UpdateCellContents::default()
        },
        _ => UpdateCellContents {
            markdown_cell: Some(NewSource { source }),
            ..UpdateCellContents::default()
        },
    });
    UpdateCellRequest {
        contents,
        data_connection_id: change.connection.map(Some),
    }
}

/// Reads cells as they are now, by the cheaper way, and remembers what it read for
/// [`FRESH_FOR`].
struct Reader<'a> {
    hex: &'a HexClient,
    /// Cell id → (the cell, when read, the plan's project of it).
    fresh: HashMap<String, (Cell, Instant, String)>,
}

impl Reader<'_> {
    /// The cell now; `None` when it no longer exists.
    async fn current(
        &mut self,
        budget: &mut Budget<'_>,
        cell: &PlannedCell,
        left_in_project: usize,
        pages: u32,
    ) -> Result<Option<Cell>, Halt> {
        if let Some((found, at, _)) = self.fresh.get(&cell.cell_id)
            && at.elapsed() < FRESH_FOR
        {
            return Ok(Some(found.clone()));
        }
        if left_in_project > pages as usize {
            self.read_project(budget, &cell.project_id).await?;
            return Ok(self
                .fresh
                .get(&cell.cell_id)
                .map(|(found, ..)| found.clone()));
        }
        let hex = self.hex;
        match budget
            .send(|| async { hex.cells().get(&cell.cell_id).await })
            .await
        {
            Ok(found) => Ok(Some(found)),
            Err(Halt::Failed(error)) if error.status() == Some(404) => Ok(None),
            Err(halt) => Err(halt),
        }
    }

    /// Reads every cell of a project again (what was read of it before is forgotten, so a
    /// deleted cell is not taken for present).
    async fn read_project(&mut self, budget: &mut Budget<'_>, project: &str) -> Result<(), Halt> {
        self.fresh.retain(|_, (.., of)| of.as_str() != project);
        let mut after = None;
        loop {
            let params = ListCellsParams {
                limit: Some(MAX_PAGE_SIZE),
                after: after.clone(),
                ..ListCellsParams::new(project)
            };
            let hex = self.hex;
            let page = budget
                .send(|| async { hex.cells().list(&params).await })
                .await?;
            let now = Instant::now();
            for cell in page.values {
                self.fresh
                    .insert(cell.id.clone(), (cell, now, project.to_string()));
            }
            match page.pagination.after {
                Some(next) => after = Some(next),
                None => return Ok(()),
            }
        }
    }

    fn forget(&mut self, cell_id: &str) {
        self.fresh.remove(cell_id);
    }
}

/// The most cells of one kind (failed, stale) an answer lists one by one.
const MAX_LISTED: usize = 100;

/// The report; an error when this call changed nothing and failed (Hex's error says why).
fn answer(ctx: &ToolContext, plan_id: &str, plan: &ReplacePlan, report: Report) -> ToolResult {
    let Report {
        applied,
        already,
        mut failed,
        stopped,
        gave_up,
    } = report;
    let nothing_done = applied.is_empty() && already.is_empty();
    if nothing_done && !failed.is_empty() {
        let (cell, _, error) = failed.swap_remove(0);
        return Err(ToolError::from(error).about("cell", cell, "search_hex_cells"));
    }
    if let (true, Some(Halt::RateLimit { wait })) = (nothing_done, &stopped) {
        return Err(ToolError::from(HexError::RateLimited {
            retry_after: Some(*wait),
            source: hex_client::RateLimitSource::ClientPacing {
                group: hex_client::RateGroup::HexApi30Rpm,
            },
        }));
    }
    let count = |wanted: fn(&Status) -> bool| {
        plan.cells
            .iter()
            .filter(|cell| wanted(&cell.status))
            .count()
    };
    let applied_total = count(|status| *status == Status::Applied);
    let retry = count(|status| matches!(status, Status::Failed(_)));
    let pending = count(|status| *status == Status::Pending);
    let stale: Vec<Value> = plan
        .cells
        .iter()
        .filter_map(|cell| match &cell.status {
            Status::Stale(why) => {
                Some(json!({"cell_id": cell.cell_id, "project_id": cell.project_id, "why": why}))
            }
            _ => None,
        })
        .collect();
    let failed: Vec<Value> = failed
        .iter()
        .map(|(cell, project, error)| json!({"cell_id": cell, "project_id": project, "error": error.to_string()}))
        .collect();
    let mut answer = Map::new();
    answer.insert("plan_id".into(), json!(plan_id));
    answer.insert("applied".into(), json!(applied));
    if !already.is_empty() {
        answer.insert("already_as_planned".into(), json!(already));
    }
    answer.insert(
        "applied_before".into(),
        json!(applied_total - applied.len() - already.len()),
    );
    insert_listed(&mut answer, "failed", failed);
    insert_listed(&mut answer, "stale", stale.clone());
    answer.insert("not_reached".into(), json!(pending));
    answer.insert("complete".into(), json!(pending == 0 && retry == 0));
    if gave_up {
        answer.insert(
            "stopped_early".into(),
            json!(format!("{MAX_FAILURES_IN_A_ROW} cells in a row failed on errors that may pass: the rest waits for the next call")),
        );
    }
    if let Some(halt) = &stopped {
        answer.insert("stopped_early".into(), json!(halt.why()));
        if let Some(wait) = halt.retry_in() {
            answer.insert("retry_in_seconds".into(), json!(wait.as_secs().max(1)));
        }
    }
    answer.insert(
        "next".into(),
        json!(next_step(ctx, retry, pending, stale.len())),
    );
    Ok(Value::Object(answer))
}

fn insert_listed(answer: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if items.is_empty() {
        return;
    }
    let total = items.len();
    let shown: Vec<Value> = items.into_iter().take(MAX_LISTED).collect();
    if total > shown.len() {
        answer.insert(format!("{key}_total"), json!(total));
    }
    answer.insert(key.into(), json!(shown));
}

fn next_step(ctx: &ToolContext, retry: usize, pending: usize, stale: usize) -> String {
    let mut steps = Vec::new();
    if retry + pending > 0 {
        let seconds = ctx
            .hex()
            .ok()
            .and_then(|hex| budget::seconds_for(hex.rate_limits(), 2 * (retry + pending)))
            .map(|seconds| format!(" (up to {seconds} s of Hex's cell budget)"))
            .unwrap_or_default();
        steps.push(format!(
            "call again with the same arguments and plan_id to apply the {} cells left ({retry} failed, {pending} not reached){seconds}; applied cells are not written again",
            retry + pending
        ));
    }
    if stale > 0 {
        steps.push(format!(
            "{stale} cells changed after the plan was made and were left alone: call without plan_id for a new plan that covers them"
        ));
    }
    if steps.is_empty() {
        return "every cell of the plan is changed as planned".into();
    }
    steps.join("; ")
}
