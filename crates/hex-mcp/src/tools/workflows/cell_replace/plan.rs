//! Making a replace's plan: walk the selection, work out each cell's change and its diff, keep
//! the plan (what each cell must look like before, and will look like after) under a new id, and
//! show the diffs. Nothing is written.

use std::{collections::HashMap, sync::Arc};

use hex_client::api::cells::{Cell, CellType};
use serde_json::{Map, Value, json};

use super::{
    diff,
    rule::{Change, Rule, StateDigest},
};
use crate::{
    context::ToolContext,
    errors::ToolError,
    plans::Ticket,
    tools::workflows::cell_search::{
        add_continuation, add_walk, budget, by_project,
        cursor::Position,
        selection::Selection,
        walk::{self, Found},
    },
};

/// The most cells one plan covers; a larger selection is planned in parts (continue_with).
pub const MAX_PLAN_CELLS: usize = 500;

/// Characters of diff one answer shows in all; past it, cells are listed without their diff.
const DIFF_BUDGET: usize = 40_000;

/// A cell's place in a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Pending,
    Applied,
    /// The last attempt failed (why); the next call tries again.
    Failed(String),
    /// Changed (or deleted) since the plan was made: never written by this plan.
    Stale(String),
}

/// One cell to change.
pub struct PlannedCell {
    pub project_id: String,
    pub cell_id: String,
    pub cell_type: CellType,
    pub before: StateDigest,
    pub after: StateDigest,
    pub status: Status,
}

/// What the plan store keeps between the previewing call and the applying ones.
pub struct ReplacePlan {
    /// The digest of the arguments that made it: applying takes the same ones.
    pub arguments: String,
    pub rule: Arc<Rule>,
    pub cells: Vec<PlannedCell>,
    /// ListCells pages per project when planned: the cost of reading a project again.
    pub pages: HashMap<String, u32>,
}

/// A selected cell's change, with its diff.
struct Planned {
    change: Change,
    diff: Option<String>,
    connection_from: Option<String>,
}

/// What [`make`] needs besides the walk.
pub struct Request<'a> {
    pub selection: &'a Selection,
    pub rule: Arc<Rule>,
    /// The digest of the selection and rule, for continuation cursors.
    pub search: &'a str,
    /// The digest of every argument, to bind the plan to.
    pub arguments: String,
    pub start: Position,
    /// The target connection's name, to show beside its id.
    pub connection_name: Option<String>,
}

/// Walks the selection and answers with the plan (kept under a new `plan_id`) or with "no
/// cell would change".
pub async fn make(
    ctx: &ToolContext,
    tool: &'static str,
    request: Request<'_>,
) -> Result<Value, ToolError> {
    let max_chars = ctx.limits().list_text_chars;
    let rule = request.rule.clone();
    let examine: walk::Examine<Planned> =
        Arc::new(move |cell: &Cell| planned(&rule, cell, max_chars));
    let walked = walk::walk(
        ctx,
        request.selection,
        request.start,
        MAX_PLAN_CELLS,
        examine,
    )
    .await?;
    let cells: Vec<PlannedCell> = walked
        .found
        .iter()
        .map(|found| PlannedCell {
            project_id: found.project.id.clone(),
            cell_id: found.cell_id.clone(),
            cell_type: found.cell_type.clone(),
            before: found.item.change.before,
            after: found.item.change.after,
            status: Status::Pending,
        })
        .collect();
    let requests = apply_requests(&cells, &walked.pages);
    let mut answer = Map::new();
    if !cells.is_empty() {
        let plan = ReplacePlan {
            arguments: request.arguments,
            rule: request.rule.clone(),
            cells,
            pages: walked.pages.clone(),
        };
        let ticket = ctx
            .plans()
            .save(tool, ctx.plan_owner()?, plan)
            .map_err(|error| ToolError::refused(error.explain()))?;
        add_plan(
            ctx,
            &mut answer,
            &ticket,
            tool,
            requests,
            walked.found.len(),
        );
    }
    let mut walked = walked;
    let found = std::mem::take(&mut walked.found);
    describe(&mut answer, found, request.connection_name.as_deref());
    add_walk(ctx, &mut answer, &walked);
    add_continuation(&mut answer, request.search, &walked);
    Ok(Value::Object(answer))
}

fn planned(rule: &Rule, cell: &Cell, max_chars: usize) -> Option<Planned> {
    let change = rule.change(cell)?;
    let diff = change.source.as_deref().map(|after| {
        let before = cell.source().unwrap_or_default();
        diff::unified(before, after, max_chars, &cell.id)
    });
    Some(Planned {
        diff,
        connection_from: cell.data_connection_id.clone(),
        change,
    })
}

/// Requests applying takes: a write per cell, and a read per cell or per page of its project,
/// whichever is fewer.
fn apply_requests(cells: &[PlannedCell], pages: &HashMap<String, u32>) -> usize {
    let mut per_project: HashMap<&str, usize> = HashMap::new();
    for cell in cells {
        *per_project.entry(cell.project_id.as_str()).or_default() += 1;
    }
    let reads: usize = per_project
        .iter()
        .map(|(project, count)| {
            let pages = pages.get(*project).copied().unwrap_or(1) as usize;
            pages.min(*count)
        })
        .sum();
    cells.len() + reads
}

fn add_plan(
    ctx: &ToolContext,
    answer: &mut Map<String, Value>,
    ticket: &Ticket,
    tool: &str,
    requests: usize,
    count: usize,
) {
    answer.insert("plan_id".into(), json!(ticket.id));
    answer.insert(
        "expires_in_seconds".into(),
        json!(ticket.expires_in.as_secs()),
    );
    answer.insert("cells_to_change".into(), json!(count));
    let seconds = ctx
        .hex()
        .ok()
        .and_then(|hex| budget::seconds_for(hex.rate_limits(), requests));
    answer.insert(
        "apply_takes".into(),
        json!({"requests": requests, "estimated_seconds": seconds}),
    );
    answer.insert(
        "next".into(),
        json!(format!(
            "Nothing was changed. Show these diffs to the user; only if they agree, call {tool} again with the same arguments plus plan_id. Cells edited meanwhile are left alone and listed."
        )),
    );
}

/// The changes by project, with diffs within [`DIFF_BUDGET`].
fn describe(
    answer: &mut Map<String, Value>,
    found: Vec<Found<Planned>>,
    connection_name: Option<&str>,
) {
    if found.is_empty() {
        answer.insert("cells_to_change".into(), json!(0));
        answer.insert(
            "message".into(),
            json!("no selected cell would change: nothing to plan"),
        );
    }
    let mut budget_left = DIFF_BUDGET;
    let mut cut = 0;
    let projects = by_project(found, |planned: Planned| {
        let mut cell = Map::new();
        if let Some(diff) = planned.diff {
            if diff.len() <= budget_left {
                budget_left -= diff.len();
                cell.insert("diff".into(), json!(diff));
            } else {
                cut += 1;
                cell.insert("diff_cut".into(), json!(true));
            }
        }
        if let Some(to) = planned.change.connection {
            cell.insert(
                "data_connection".into(),
                json!({"from": planned.connection_from, "to": to, "to_name": connection_name}),
            );
        }
        Value::Object(cell)
    });
    answer.insert("projects".into(), json!(projects));
    if cut > 0 {
        answer.insert(
            "diffs_cut".into(),
            json!(format!(
                "the diffs of {cut} cells are not shown to keep this answer short: a plan for fewer cells (project_id, cell_types) shows them all, and get_hex_cell shows a cell's source"
            )),
        );
    }
}
