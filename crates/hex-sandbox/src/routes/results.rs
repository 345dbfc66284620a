//! GetCellOutput, GetChartImageFromLogic and GetChartImageFromRun (data in `state::results`).

use axum::Json as AxumJson;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use base64::Engine;
use serde_json::{Value, json};
use uuid::Uuid;

use super::AppState;
use super::extract::{Query, parse_uuid};
use super::projects::find;
use crate::errors::{ApiError, ApiResult};
use crate::state::results::{
    DEFAULT_SIZE, Output, ROW_LIMIT, Table, cell_by_any_id, chart_png, is_chart, session_run_id,
    sql_output,
};
use crate::state::{Cell, CellType, RunStatus, Workspace, now_ms};

/// This area's routes, merged into the API router (behind the same pipeline).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cells/{cell_id}/output", get(output))
        .route("/api/v1/cells/{cell_id}/image", get(cell_image))
        .route(
            "/api/v1/projects/{project_id}/runs/{run_id}/cells/{static_id}/image",
            get(run_image),
        )
}

/// `GET /v1/cells/{cellId}/output`: by id or static id; SQL cells only.
async fn output(
    State(shared): State<AppState>,
    Path(cell_id): Path<String>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("cellId", &cell_id)?;
    let ws = shared.read();
    let cell = cell_by_any_id(&ws, &id).ok_or_else(|| ApiError::not_found("Cell", id))?;
    if cell.kind != CellType::Sql {
        return Err(ApiError::bad_request(format!(
            "Cell {id} is a {} cell: only SQL cells have an output preview",
            cell.kind.as_str()
        )));
    }
    let result = match sql_output(&ws, cell) {
        Output::NotRun => {
            return Err(ApiError::not_found("Cell output", id).with_details(
                "The cell has no output in the active notebook session: run it in the notebook first",
            ));
        }
        Output::Error { message } => {
            json!({"type": "cell_run_error", "message": message, "traceback": null})
        }
        Output::Table(table) => table_json(&table),
    };
    Ok(AxumJson(json!({
        "projectId": cell.project_id,
        "runId": session_run_id(&cell.project_id),
        "cell": {"id": cell.id, "staticId": cell.static_id, "cellType": cell.kind.as_str()},
        "result": result,
    })))
}

/// `result` of type `table`: every value a string (or null), rows keyed by column name.
fn table_json(table: &Table) -> Value {
    let columns: Vec<Value> = table
        .columns
        .iter()
        .map(|(name, kind, _)| json!({"name": name, "type": kind}))
        .collect();
    let rows: Vec<Value> = table
        .rows
        .iter()
        .map(|row| {
            let object: serde_json::Map<String, Value> = table
                .columns
                .iter()
                .zip(row)
                .map(|((name, _, _), value)| (name.clone(), json!(value)))
                .collect();
            Value::Object(object)
        })
        .collect();
    json!({
        "type": "table",
        "rowLimit": ROW_LIMIT,
        "rowsReturned": rows.len(),
        "totalRows": table.total_rows,
        "totalRowsKind": table.total_rows_kind,
        "truncated": table.truncated,
        "columns": columns,
        "rows": rows,
    })
}

/// `width`, `height` (used only when both are given, 100..=2000) and `includeTitle`.
fn image_options(query: &Query) -> ApiResult<((u32, u32), bool)> {
    let width = query.int("width", 100, 2000, 0)?;
    let height = query.int("height", 100, 2000, 0)?;
    let size = match (u32::try_from(width), u32::try_from(height)) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => (w, h),
        _ => DEFAULT_SIZE,
    };
    Ok((size, query.bool("includeTitle")?))
}

/// A chart cell's PNG, base64, or a 400 saying why it has none.
fn chart_base64(ws: &Workspace, cell: &Cell, query: &Query) -> ApiResult<String> {
    if !is_chart(cell) {
        return Err(ApiError::bad_request(format!(
            "Cell {} is a {} cell: only chart cells have an image",
            cell.id,
            cell.kind.as_str()
        )));
    }
    let (size, title) = image_options(query)?;
    let png = chart_png(ws, cell, size, title).map_err(ApiError::bad_request)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(png))
}

/// `GET /v1/cells/{cellId}/image`: the chart as the draft notebook renders it.
async fn cell_image(
    State(shared): State<AppState>,
    Path(cell_id): Path<String>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("cellId", &cell_id)?;
    let ws = shared.read();
    let cell = cell_by_any_id(&ws, &id).ok_or_else(|| ApiError::not_found("Cell", id))?;
    let image = chart_base64(&ws, cell, &query)?;
    Ok(AxumJson(json!({
        "cellId": cell.id,
        "imageBase64": image,
        "mimeType": "image/png",
    })))
}

/// `GET /v1/projects/{projectId}/runs/{runId}/cells/{staticId}/image`: a chart of a completed run
/// (the sandbox keeps no history of cells, so it draws the chart as the draft has it).
async fn run_image(
    State(shared): State<AppState>,
    Path((project_id, run_id, static_id)): Path<(String, String, String)>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let project = parse_uuid("projectId", &project_id)?;
    let run_id = parse_uuid("runId", &run_id)?;
    let static_id = parse_uuid("staticId", &static_id)?;
    let ws = shared.read();
    find(&ws, &project)?;
    let run = ws
        .runs
        .get(&run_id)
        .filter(|run| run.project_id == project)
        .ok_or_else(|| ApiError::not_found("Run", run_id))?;
    let status = run.state_at(now_ms()).status;
    if status != RunStatus::Completed {
        return Err(ApiError::bad_request(format!(
            "Run {run_id} is {}: chart images exist only for COMPLETED runs",
            status.as_str()
        )));
    }
    let cell = static_cell(&ws, &project, &static_id)
        .ok_or_else(|| ApiError::not_found("Cell with static id", static_id))?;
    let image = chart_base64(&ws, cell, &query)?;
    Ok(AxumJson(json!({
        "projectId": project,
        "runId": run_id,
        "staticId": static_id,
        "imageBase64": image,
        "mimeType": "image/png",
    })))
}

fn static_cell<'a>(ws: &'a Workspace, project: &Uuid, static_id: &Uuid) -> Option<&'a Cell> {
    ws.cell_order
        .get(project)?
        .iter()
        .filter_map(|(_, id)| ws.cells.get(id))
        .find(|cell| cell.static_id == *static_id)
}
