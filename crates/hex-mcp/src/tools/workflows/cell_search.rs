//! `search_hex_cells`: the SQL, Python and Markdown cells whose source matches a text or a
//! pattern, in one project, a collection or the whole workspace, with the matching lines.
//! The walk reads every page of every notebook, paced inside Hex's cell limit (30 requests a
//! minute), says up front how long it takes, and stops with a cursor at the call's limits.

use std::sync::Arc;

use hex_client::{
    Operation,
    api::cells::{Cell, CellType},
};
use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::{
    context::ToolContext,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub(super) mod budget;
pub(super) mod cursor;
pub(super) mod selection;
pub(super) mod walk;

use selection::CellSelection;
use walk::{Found, Walked};

pub fn tools() -> Vec<RegisteredTool> {
    vec![RegisteredTool::of::<SearchCells>()]
}

/// Matching lines shown per cell; the rest are counted.
const MAX_LINES_PER_CELL: usize = 10;
/// Characters of a matching line shown.
const MAX_LINE_CHARS: usize = 200;
/// Cells one answer holds by default, and at most.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

pub struct SearchCells;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchCellsInput {
    /// Text, or a regex if regex
    pattern: String,
    #[serde(flatten)]
    selection: CellSelection,
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    limit: Option<u32>,
    /// continue_with.after
    after: Option<String>,
}

impl HexTool for SearchCells {
    type Input = SearchCellsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "search_hex_cells",
        title: "Search cells",
        description: "SQL, Python and Markdown cells whose source matches, with the lines, in a project, collection or the workspace; paced, may stop with continue_with.",
        toolset: Toolset::Workflows,
        effect: Effect::READ,
        operations: &[Operation::ListCells, Operation::ListProjects],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let selection = input.selection.compile(&input.pattern).await?;
        let search = input.selection.fingerprint(&input.pattern, &[]);
        let start = match &input.after {
            Some(after) => cursor::decode(&search, after)?,
            None => cursor::Position::default(),
        };
        let limit = input.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize;
        let pattern = selection.pattern.clone();
        let examine: walk::Examine<Lines> =
            Arc::new(move |cell: &Cell| matching_lines(&pattern, cell.source()?));
        let walked = walk::walk(&ctx, &selection, start, limit, examine).await?;
        Ok(answer(&ctx, &search, walked))
    }
}

/// The lines of a cell where a match starts.
struct Lines {
    /// (1-based line number, the line, cut).
    shown: Vec<(usize, String)>,
    total: usize,
}

/// The lines `pattern` matches in `source` (`None`: no match).
fn matching_lines(pattern: &Regex, source: &str) -> Option<Lines> {
    let mut lines = Lines {
        shown: Vec::new(),
        total: 0,
    };
    let mut line = 1;
    let mut counted_to = 0;
    let mut last = 0;
    for found in pattern.find_iter(source) {
        let start = found.start();
        line += source
            .get(counted_to..start)
            .map_or(0, |text| text.matches('\n').count());
        counted_to = start;
        if line == last {
            continue;
        }
        last = line;
        lines.total += 1;
        if lines.shown.len() < MAX_LINES_PER_CELL {
            lines.shown.push((line, line_at(source, start)));
        }
    }
    (lines.total > 0).then_some(lines)
}

/// The line around byte `at`, without its line break, cut to [`MAX_LINE_CHARS`].
fn line_at(source: &str, at: usize) -> String {
    let before = source.get(..at).unwrap_or_default();
    let after = source.get(at..).unwrap_or_default();
    let begin = before.rfind('\n').map_or(0, |newline| newline + 1);
    let end = at + after.find('\n').unwrap_or(after.len());
    let text = source
        .get(begin..end)
        .unwrap_or_default()
        .trim_end_matches('\r');
    if text.chars().count() <= MAX_LINE_CHARS {
        return text.to_string();
    }
    let kept: String = text.chars().take(MAX_LINE_CHARS).collect();
    format!("{kept}…")
}

#[derive(Serialize)]
struct MatchedLine {
    n: usize,
    text: String,
}

/// The answer: matches grouped by project, how far the walk went, and how to go on.
fn answer(ctx: &ToolContext, search: &str, mut walked: Walked<Lines>) -> Value {
    let found = std::mem::take(&mut walked.found);
    let total = found.len();
    let projects = by_project(found, |item: Lines| {
        let lines: Vec<MatchedLine> = item
            .shown
            .into_iter()
            .map(|(n, text)| MatchedLine { n, text })
            .collect();
        let more = item.total - lines.len();
        json!({"lines": lines, "more_lines": (more > 0).then_some(more)})
    });
    let mut answer = Map::new();
    answer.insert("projects".into(), json!(projects));
    answer.insert("total_matched".into(), json!(total));
    answer.insert(
        "searched".into(),
        json!({"projects": walked.projects_done, "cells": walked.cells_examined}),
    );
    add_walk(ctx, &mut answer, &walked);
    add_continuation(&mut answer, search, &walked);
    Value::Object(answer)
}

/// Found cells grouped by project, in walk order: `[{id, title, cells: [{id, label, type,
/// …shape(item)}]}]`.
pub(super) fn by_project<T>(found: Vec<Found<T>>, mut shape: impl FnMut(T) -> Value) -> Vec<Value> {
    let mut projects: Vec<(Arc<walk::ProjectRef>, Vec<Value>)> = Vec::new();
    for found in found {
        let mut cell = json!({
            "id": found.cell_id,
            "label": found.label,
            "type": cell_type_name(&found.cell_type),
        });
        if let (Some(cell), Value::Object(extra)) = (cell.as_object_mut(), shape(found.item)) {
            cell.extend(extra);
        }
        match projects.last_mut() {
            Some((project, cells)) if Arc::ptr_eq(project, &found.project) => cells.push(cell),
            _ => projects.push((found.project, vec![cell])),
        }
    }
    projects
        .into_iter()
        .map(|(project, cells)| json!({"id": project.id, "title": project.title, "cells": cells}))
        .collect()
}

fn cell_type_name(cell_type: &CellType) -> String {
    cell_type.to_string()
}

/// `walk`: how many projects the walk covers from where it started and how long Hex's limit
/// makes it take; `unreadable`: projects Hex refused to show; `skipped`: cells Hex sent that
/// could not be read (so were not searched).
pub(super) fn add_walk<T>(ctx: &ToolContext, answer: &mut Map<String, Value>, walked: &Walked<T>) {
    let limits = ctx.hex().ok().map(|hex| hex.rate_limits().clone());
    let seconds = limits
        .as_ref()
        .and_then(|limits| budget::seconds_for(limits, walked.projects_listed));
    answer.insert(
        "walk".into(),
        json!({
            "projects": walked.projects_listed,
            "at_least": (!walked.listing_complete).then_some(true),
            "estimated_seconds": seconds,
            "cell_rate": limits.as_ref().map(budget::cell_rate),
        }),
    );
    if !walked.unreadable.is_empty() {
        let unreadable: Vec<Value> = walked
            .unreadable
            .iter()
            .map(|(project, error)| json!({"project_id": project, "error": error}))
            .collect();
        answer.insert("unreadable".into(), json!(unreadable));
        answer.insert("unreadable_total".into(), json!(walked.unreadable_total));
    }
    if !walked.skipped.is_empty() {
        let skipped: Vec<Value> = walked
            .skipped
            .iter()
            .map(|(project, item)| {
                let mut item = json!(item);
                if let Some(item) = item.as_object_mut() {
                    item.insert("project_id".into(), json!(project));
                }
                item
            })
            .collect();
        answer.insert("skipped".into(), json!(skipped));
        answer.insert("skipped_total".into(), json!(walked.skipped_total));
    }
}

/// `has_more`, and when the walk stopped early: why, when to go on and the cursor.
pub(super) fn add_continuation<T>(
    answer: &mut Map<String, Value>,
    search: &str,
    walked: &Walked<T>,
) {
    let Some(stopped) = &walked.stopped else {
        answer.insert("has_more".into(), json!(false));
        return;
    };
    answer.insert("has_more".into(), json!(true));
    if !stopped.full {
        answer.insert("stopped_early".into(), json!(stopped.why));
    }
    if let Some(wait) = stopped.retry_in {
        answer.insert("retry_in_seconds".into(), json!(wait.as_secs().max(1)));
    }
    answer.insert(
        "continue_with".into(),
        json!({"after": cursor::encode(search, &stopped.next)}),
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lines_are_numbered_once_each_and_cut() {
        let pattern = Regex::new("dev\\.").unwrap();
        let source = "select 1\nfrom dev.a join dev.b\r\n-- none\nfrom dev.c";
        let lines = matching_lines(&pattern, source).unwrap();
        assert_eq!(lines.total, 2);
        assert_eq!(
            lines.shown,
            vec![
                (2, "from dev.a join dev.b".to_string()),
                (4, "from dev.c".to_string())
            ]
        );
        assert!(matching_lines(&pattern, "prod.a").is_none());
        let long = format!("{}dev.x", "y".repeat(500));
        let lines = matching_lines(&pattern, &long).unwrap();
        assert_eq!(lines.shown[0].1.chars().count(), MAX_LINE_CHARS + 1);
        let many = "dev.\n".repeat(30);
        let lines = matching_lines(&pattern, &many).unwrap();
        assert_eq!((lines.total, lines.shown.len()), (30, MAX_LINES_PER_CELL));
        assert_eq!(lines.shown[9].0, 10);
    }
}
