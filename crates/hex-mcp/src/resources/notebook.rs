//! `hex://projects/{id}/cells`: a project's draft as one readable Markdown text — every page of
//! ListCells, cells in notebook order with their type, label, data connection and source in
//! fences. ListCells is paced at 30 requests a minute (100 cells each), so a walk stops at the
//! server's search caps, or when the text is already very long, and says where it stopped.

use std::fmt::Write;

use hex_client::api::cells::{Cell, CellType, ListCellsParams};
use hex_client::{HexError, SkippedItem, StopReason};

use crate::{context::ToolContext, errors::ToolError, input::HexId, output::sanitise_text};

/// The longest text rendered, in bytes; the cells after it are counted, not shown.
const MAX_TEXT_BYTES: usize = 1 << 20;

pub async fn render(ctx: &ToolContext, project: &HexId) -> Result<String, ToolError> {
    let mut pages = ctx.hex()?.cells().pages(
        ListCellsParams::new(project.as_str()),
        ctx.limits().search_caps(),
    );
    let mut text = String::new();
    let mut shown = 0usize;
    let mut not_shown = 0usize;
    let mut unreadable = 0usize;
    let mut stopped = None;
    while let Some(page) = pages.next_page().await {
        let page = match page {
            Ok(page) => page,
            // Paced out mid-way: what was read is worth showing, with where it stopped.
            Err(error @ HexError::RateLimited { .. }) if shown > 0 => {
                stopped = Some(format!("{error}"));
                break;
            }
            Err(error) => return Err(error.into()),
        };
        unreadable += page.skipped.len();
        for entry in in_notebook_order(page.values, page.skipped) {
            if text.len() < MAX_TEXT_BYTES {
                shown += 1;
                match entry {
                    Entry::Cell(cell) => write_cell(&mut text, shown, &cell),
                    Entry::Unreadable(item) => write_unreadable(&mut text, shown, &item),
                }
            } else {
                not_shown += 1;
            }
        }
        if ctx.is_cancelled() {
            break;
        }
    }
    if stopped.is_none() {
        stopped = pages
            .stop_reason()
            .filter(|reason| reason.is_partial() && *reason != StopReason::Error)
            .map(|reason| format!("{reason:?} (this server's page and time limits for a walk)"));
    }
    let mut out = format!("# Cells of project {project} (draft)\n\n");
    if shown == 0 && stopped.is_none() {
        out.push_str("The project has no cells.\n");
    }
    out.push_str(&text);
    if unreadable > 0 {
        let _ = writeln!(
            out,
            "\n…{unreadable} of these cells could not be read (each says why in its place); get_hex_cell reads one by id."
        );
    }
    if not_shown > 0 {
        let _ = writeln!(
            out,
            "\n…{not_shown} more cells are not shown: the text reached {} KiB. list_hex_cells reads them page by page.",
            MAX_TEXT_BYTES / 1024
        );
    }
    if let Some(stopped) = stopped {
        let cursor = pages.next_cursor().unwrap_or_default();
        let _ = writeln!(
            out,
            "\n…stopped after {shown} cells: {stopped}. list_hex_cells with after=\"{cursor}\" reads on."
        );
    }
    Ok(out)
}

/// A page's cells and the items of it that did not read, in Hex's order.
enum Entry {
    Cell(Box<Cell>),
    Unreadable(SkippedItem),
}

fn in_notebook_order(cells: Vec<Cell>, mut skipped: Vec<SkippedItem>) -> Vec<Entry> {
    skipped.sort_by_key(|item| item.index);
    let mut skipped = skipped.into_iter().peekable();
    let mut entries = Vec::with_capacity(cells.len() + skipped.len());
    for cell in cells {
        while let Some(item) = skipped.next_if(|item| item.index <= entries.len()) {
            entries.push(Entry::Unreadable(item));
        }
        entries.push(Entry::Cell(Box::new(cell)));
    }
    entries.extend(skipped.map(Entry::Unreadable));
    entries
}

/// `## 3. (could not be read)`, with the cell's id when Hex gave one and what did not match.
fn write_unreadable(out: &mut String, number: usize, item: &SkippedItem) {
    let _ = write!(out, "## {number}. (could not be read)\n\n");
    if let Some(id) = &item.id {
        let _ = write!(out, "Cell id {}: ", sanitise_text(id));
    }
    let _ = writeln!(out, "{}\n", sanitise_text(&item.reason));
}

/// `## 3. SQL · revenue (connection <id>)` and the source in a fence that none of its own
/// backtick runs can close.
fn write_cell(out: &mut String, number: usize, cell: &Cell) {
    let _ = write!(out, "## {number}. {}", cell.cell_type.as_str());
    if let Some(label) = cell
        .label
        .as_deref()
        .filter(|label| !label.trim().is_empty())
    {
        let _ = write!(out, " · {}", sanitise_text(label.trim()));
    }
    if let Some(connection) = &cell.data_connection_id {
        let _ = write!(out, " (connection {connection})");
    }
    let _ = writeln!(out, "\n");
    match cell.source() {
        Some(source) => {
            let source = sanitise_text(source);
            let fence = "`".repeat(longest_backtick_run(&source).max(2) + 1);
            let language = match cell.cell_type {
                CellType::Sql => "sql",
                CellType::Code => "python",
                CellType::Markdown => "markdown",
                _ => "",
            };
            let _ = writeln!(out, "{fence}{language}\n{}\n{fence}\n", source.trim_end());
        }
        None => {
            let _ = writeln!(out, "(no source: cell id {})\n", cell.id);
        }
    }
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(value: serde_json::Value) -> Cell {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_cell_shows_its_type_label_connection_and_fenced_source() {
        let mut out = String::new();
        write_cell(
            &mut out,
            2,
            &cell(serde_json::json!({
                "id": "c1", "staticId": "s1", "cellType": "SQL", "label": "revenue",
                "dataConnectionId": "dc1", "projectId": "p1",
                "contents": {"sqlCell": {"source": "select 1 -- ```"}},
            })),
        );
        assert_eq!(
            out,
            "## 2. SQL · revenue (connection dc1)\n\n````sql\nselect 1 -- ```\n````\n\n"
        );
    }

    #[test]
    fn cells_that_did_not_read_keep_their_place_in_the_notebook() {
        let sql = |id: &str| {
            cell(serde_json::json!({
                "id": id, "staticId": id, "cellType": "SQL", "projectId": "p1",
            }))
        };
        let unreadable = |index: usize, id: &str| SkippedItem {
            list: None,
            index,
            id: Some(id.to_string()),
            reason: "cellType: invalid type: integer".to_string(),
        };
        // Hex sent c1, bad, c3, c4, bad: positions 1 and 4 did not read.
        let entries = in_notebook_order(
            vec![sql("c1"), sql("c3"), sql("c4")],
            vec![unreadable(4, "b5"), unreadable(1, "b2")],
        );
        let order: Vec<String> = entries
            .iter()
            .map(|entry| match entry {
                Entry::Cell(cell) => cell.id.clone(),
                Entry::Unreadable(item) => format!("?{}", item.index),
            })
            .collect();
        assert_eq!(order, ["c1", "?1", "c3", "c4", "?4"]);
        let mut out = String::new();
        write_unreadable(&mut out, 2, &unreadable(1, "b2"));
        assert_eq!(
            out,
            "## 2. (could not be read)\n\nCell id b2: cellType: invalid type: integer\n\n"
        );
    }

    #[test]
    fn a_cell_without_source_says_so() {
        let mut out = String::new();
        write_cell(
            &mut out,
            1,
            &cell(serde_json::json!({
                "id": "c9", "staticId": "s9", "cellType": "CHART", "projectId": "p1",
            })),
        );
        assert_eq!(out, "## 1. CHART\n\n(no source: cell id c9)\n\n");
    }
}
