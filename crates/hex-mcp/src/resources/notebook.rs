//! `hex://projects/{id}/cells`: a project's draft as one readable Markdown text — every page of
//! ListCells, cells in notebook order with their type, label, data connection and source in
//! fences. ListCells is paced at 30 requests a minute (100 cells each), so a walk stops at the
//! server's search caps, or when the text is already very long, and says where it stopped.

use std::fmt::Write;

use hex_client::api::cells::{Cell, CellType, ListCellsParams};
use hex_client::{HexError, StopReason};

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
        for cell in page.values {
            if text.len() < MAX_TEXT_BYTES {
                shown += 1;
                write_cell(&mut text, shown, &cell);
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
