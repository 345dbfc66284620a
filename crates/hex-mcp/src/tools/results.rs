//! Query results and charts (toolset `results`): a SQL cell's latest output as a compact table,
//! and chart cells as images.

use hex_client::Operation;
use hex_client::api::cells::{CellOutput, CellResult, TableResult};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{
    context::ToolContext,
    errors::ToolError,
    input::HexId,
    output::{cut_text, to_output},
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

mod chart;

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<GetCellOutput>(),
        RegisteredTool::of::<chart::GetChartImage>(),
    ]
}

/// Default and largest number of rows shown.
pub const DEFAULT_ROWS: usize = 50;
pub const MAX_ROWS: usize = 500;
/// Default and largest number of columns shown.
pub const DEFAULT_COLUMNS: usize = 20;
pub const MAX_COLUMNS: usize = 100;
/// Longest value shown; longer ones are cut with a marker.
const MAX_VALUE_CHARS: usize = 300;
/// Longest traceback shown.
const MAX_TRACEBACK_CHARS: usize = 4_000;

pub struct GetCellOutput;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCellOutputInput {
    /// Id or static id.
    cell_id: HexId,
    #[schemars(range(min = 1, max = 500))]
    max_rows: Option<u32>,
    #[schemars(range(min = 1, max = 100))]
    max_columns: Option<u32>,
    row_offset: Option<u32>,
}

impl HexTool for GetCellOutput {
    type Input = GetCellOutputInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_cell_output",
        title: "Read a SQL cell's result",
        description: "A SQL cell's latest draft result as a capped table, 50×20 by default (Hex marks this endpoint unstable).",
        toolset: Toolset::Results,
        effect: Effect::READ,
        operations: &[Operation::GetCellOutput],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let window = Window {
            offset: input.row_offset.unwrap_or(0) as usize,
            rows: bounded("max_rows", input.max_rows, DEFAULT_ROWS, MAX_ROWS)?,
            columns: bounded(
                "max_columns",
                input.max_columns,
                DEFAULT_COLUMNS,
                MAX_COLUMNS,
            )?,
        };
        let output = ctx
            .hex()?
            .cells()
            .output(input.cell_id.as_str())
            .await
            .map_err(|error| {
                ToolError::from(error).about("cell", &input.cell_id, "list_hex_cells")
            })?;
        output_answer(output, &window)
    }
}

/// The value, within 1..=max, or the default.
fn bounded(
    field: &str,
    value: Option<u32>,
    default: usize,
    max: usize,
) -> Result<usize, ToolError> {
    match value.map(|v| v as usize) {
        None => Ok(default),
        Some(v) if (1..=max).contains(&v) => Ok(v),
        Some(_) => Err(ToolError::input(
            field,
            format!("must be between 1 and {max}"),
        )),
    }
}

/// Which part of the preview to show.
struct Window {
    offset: usize,
    rows: usize,
    columns: usize,
}

fn output_answer(output: CellOutput, window: &Window) -> ToolResult {
    let mut answer = Map::new();
    answer.insert("projectId".into(), json!(output.project_id));
    answer.insert("runId".into(), json!(output.run_id));
    answer.insert("cell".into(), to_output(&output.cell)?);
    match output.result {
        CellResult::Table(table) => table_answer(&mut answer, table, window),
        CellResult::Error(error) => {
            answer.insert("result".into(), json!("cell_run_error"));
            answer.insert("message".into(), json!(error.message));
            let traceback = error.traceback.map(|text| {
                cut_text(
                    &text,
                    MAX_TRACEBACK_CHARS,
                    "the start of the traceback is shown",
                )
            });
            answer.insert("traceback".into(), json!(traceback));
        }
        CellResult::Unknown(value) => {
            answer.insert("result".into(), value);
            answer.insert(
                "note".into(),
                json!("a kind of result this server does not know, shown as Hex sent it"),
            );
        }
    }
    Ok(Value::Object(answer))
}

/// Columns and the window's rows as arrays in column order, every value a string or null (as
/// Hex sends them: read them with the column types), with the totals and how to see more.
fn table_answer(answer: &mut Map<String, Value>, table: TableResult, window: &Window) {
    let all_columns = table.columns.len();
    let columns: Vec<_> = table.columns.iter().take(window.columns).collect();
    let rows: Vec<Value> = table
        .rows
        .iter()
        .skip(window.offset)
        .take(window.rows)
        .map(|row| {
            let values: Vec<Value> = columns
                .iter()
                .map(|column| json!(row.get(&column.name).cloned().flatten().map(|v| short(&v))))
                .collect();
            Value::Array(values)
        })
        .collect();
    let shown = rows.len();
    answer.insert("result".into(), json!("table"));
    answer.insert(
        "columns".into(),
        json!(
            columns
                .iter()
                .map(|c| json!({"name": c.name, "type": c.kind}))
                .collect::<Vec<_>>()
        ),
    );
    answer.insert("rows".into(), Value::Array(rows));
    answer.insert(
        "shown".into(),
        json!({"rowOffset": window.offset, "rows": shown, "columns": columns.len()}),
    );
    let returned = number(table.rows_returned).unwrap_or_else(|| json!(table.rows.len()));
    for (key, value) in [
        ("rowsReturned", returned),
        ("totalRows", json!(number(table.total_rows))),
        ("totalRowsKind", json!(table.total_rows_kind)),
        ("rowLimit", json!(number(table.row_limit))),
        ("truncated", json!(table.truncated)),
    ] {
        answer.insert(key.into(), value);
    }
    if let Some(next) = next_hint(&table, window, shown, all_columns) {
        answer.insert("next".into(), json!(next));
    }
}

/// Hex types these counts as JSON numbers; a whole one reads best as an integer.
fn number(value: Option<f64>) -> Option<Value> {
    value.map(|n| {
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            // The guard keeps the conversion exact.
            json!(n as i64)
        } else {
            json!(n)
        }
    })
}

fn short(value: &str) -> String {
    cut_text(value, MAX_VALUE_CHARS, "value cut")
}

/// What is not shown and how to see it.
fn next_hint(table: &TableResult, window: &Window, shown: usize, columns: usize) -> Option<String> {
    let mut hints = Vec::new();
    let after = window.offset + shown;
    if after < table.rows.len() {
        hints.push(format!(
            "rows {}-{} of the preview are not shown: call again with row_offset {after} (max_rows up to {MAX_ROWS})",
            after + 1,
            table.rows.len()
        ));
    }
    if columns > window.columns {
        hints.push(format!(
            "{} of {columns} columns shown: raise max_columns (up to {MAX_COLUMNS})",
            window.columns
        ));
    }
    if table.truncated == Some(true) {
        hints.push(
            "Hex's preview stops at rowLimit rows: for the rest, aggregate or filter the query (update_hex_cell) and rerun it in the notebook".into(),
        );
    }
    (!hints.is_empty()).then(|| hints.join("; "))
}
