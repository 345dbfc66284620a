//! ListCells, GetCell, CreateCell, UpdateCell and DeleteCell, on a project's draft notebook.

use std::borrow::Cow;

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{Json, Query, nullable, parse_uuid};
use super::projects::find;
use super::{AppState, list_json};
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::state::{CELL_ORDER_GAP, Cell, CellType, Workspace, now_ms};

/// `GET /v1/cells?projectId=…`: the notebook's cells in order.
pub(crate) async fn list(
    State(shared): State<AppState>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let project_id = query
        .uuid("projectId")?
        .ok_or_else(|| ApiError::bad_request("Missing required query parameter `projectId`"))?;
    let page_request = query.page(100)?;
    let ws = shared.read();
    find(&ws, &project_id)?;
    let empty = Default::default();
    let index = ws.cell_order.get(&project_id).unwrap_or(&empty);
    let scope = format!("cells:{project_id}");
    let page = paginate(index, &scope, false, &page_request, |_| true)?;
    let values = page
        .ids()
        .filter_map(|id| ws.cells.get(id))
        .map(cell_json)
        .collect();
    Ok(AxumJson(list_json(values, page.pagination_json())))
}

/// `GET /v1/cells/{cellId}`
pub(crate) async fn get(
    State(shared): State<AppState>,
    Path(cell_id): Path<String>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("cellId", &cell_id)?;
    let ws = shared.read();
    Ok(AxumJson(cell_json(find_cell(&ws, &id)?)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateBody {
    project_id: String,
    cell_type: String,
    contents: Contents,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    location: Option<Location>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Contents {
    #[serde(default)]
    code_cell: Option<Source>,
    #[serde(default)]
    sql_cell: Option<SqlSource>,
    #[serde(default)]
    markdown_cell: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    source: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SqlSource {
    source: String,
    #[serde(default)]
    output_dataframe: Option<String>,
    #[serde(default)]
    data_connection_id: Option<String>,
    #[serde(default)]
    is_dataframe_sql: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(default)]
    insert_after_cell_id: Option<String>,
    #[serde(default)]
    parent_cell_id: Option<String>,
    #[serde(default)]
    child_position: Option<String>,
}

/// `POST /v1/cells`: a CODE, SQL or MARKDOWN cell, appended or placed by `location`.
pub(crate) async fn create(
    State(shared): State<AppState>,
    Json(body): Json<CreateBody>,
) -> ApiResult<Response> {
    let project_id = parse_uuid("projectId", &body.project_id)?;
    let kind = match body.cell_type.as_str() {
        "CODE" => CellType::Code,
        "SQL" => CellType::Sql,
        "MARKDOWN" => CellType::Markdown,
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid `cellType` {other:?}: expected CODE, SQL or MARKDOWN"
            )));
        }
    };
    let mut ws = shared.write();
    find(&ws, &project_id)?;
    let mut cell = Cell {
        id: Uuid::new_v4(),
        static_id: Uuid::new_v4(),
        project_id,
        kind,
        label: body.label,
        data_connection: None,
        source: Cow::Borrowed(""),
        output_dataframe: None,
        order: 0,
    };
    fill_new_contents(&ws, &mut cell, body.contents)?;
    cell.order = place(&mut ws, &project_id, body.location.as_ref())?;
    let json = cell_json(&cell);
    ws.insert_cell(cell);
    ws.touch_project(&project_id, now_ms());
    // 200, not 201: CreateCell is one of the create-like calls Hex answers with 200
    // (endpoints.md §12.2, §14).
    Ok(AxumJson(json).into_response())
}

/// Exactly the contents key that matches the cell type.
fn fill_new_contents(ws: &Workspace, cell: &mut Cell, contents: Contents) -> ApiResult<()> {
    let mismatch = || {
        let key = contents_key(cell.kind);
        ApiError::bad_request(format!(
            "Invalid request body: a {} cell takes exactly `contents.{key}`",
            cell.kind.as_str()
        ))
    };
    match (cell.kind, contents) {
        (
            CellType::Code,
            Contents {
                code_cell: Some(code),
                sql_cell: None,
                markdown_cell: None,
            },
        )
        | (
            CellType::Markdown,
            Contents {
                code_cell: None,
                sql_cell: None,
                markdown_cell: Some(code),
            },
        ) => {
            cell.source = Cow::Owned(code.source);
        }
        (
            CellType::Sql,
            Contents {
                code_cell: None,
                sql_cell: Some(sql),
                markdown_cell: None,
            },
        ) => {
            let connection = sql
                .data_connection_id
                .as_deref()
                .map(|id| known_connection(ws, "contents.sqlCell.dataConnectionId", id))
                .transpose()?;
            if connection.is_some() && sql.is_dataframe_sql == Some(true) {
                return Err(ApiError::bad_request(
                    "`isDataframeSql` cannot be combined with `dataConnectionId`",
                ));
            }
            let sql_cells = ws.cell_order.get(&cell.project_id).map_or(0, |order| {
                order
                    .iter()
                    .filter(|(_, id)| ws.cells.get(id).is_some_and(|c| c.kind == CellType::Sql))
                    .count()
            });
            cell.source = Cow::Owned(sql.source);
            cell.data_connection = connection;
            cell.output_dataframe = Some(
                sql.output_dataframe
                    .unwrap_or_else(|| format!("dataframe_{}", sql_cells + 1)),
            );
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

fn contents_key(kind: CellType) -> &'static str {
    match kind {
        CellType::Sql => "sqlCell",
        CellType::Markdown => "markdownCell",
        _ => "codeCell",
    }
}

fn known_connection(ws: &Workspace, field: &str, id: &str) -> ApiResult<Uuid> {
    let id = parse_uuid(field, id)?;
    ws.connection(&id)
        .map(|c| c.id)
        .ok_or_else(|| ApiError::not_found("Data connection", id))
}

/// The `order` of a new cell: at the end, first, or right after another cell.
fn place(ws: &mut Workspace, project_id: &Uuid, location: Option<&Location>) -> ApiResult<u64> {
    let after = match location {
        None => None,
        Some(location) => resolve_location(ws, project_id, location)?,
    };
    if let Some(order) = free_slot(ws, project_id, after) {
        return Ok(order);
    }
    renumber(ws, project_id);
    // Renumbering moved every cell: look the anchor up again (the virtual first anchor stays).
    let after = after.map(|(order, id)| ws.cells.get(&id).map_or((order, id), |c| (c.order, c.id)));
    free_slot(ws, project_id, after).ok_or_else(|| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Could not place the cell",
        )
    })
}

/// The cell to insert after: `None` appends; `(0, nil)` is a virtual anchor before the first cell.
fn resolve_location(
    ws: &Workspace,
    project_id: &Uuid,
    location: &Location,
) -> ApiResult<Option<(u64, Uuid)>> {
    if let Some(parent) = &location.parent_cell_id {
        let parent = find_cell(ws, &parse_uuid("location.parentCellId", parent)?)?;
        if parent.project_id != *project_id
            || !matches!(parent.kind, CellType::CellGroup | CellType::Collapsible)
        {
            return Err(ApiError::bad_request(
                "`location.parentCellId` must be a section cell (CELL_GROUP or COLLAPSIBLE) of the same project",
            ));
        }
    }
    if let Some(after) = &location.insert_after_cell_id {
        let id = parse_uuid("location.insertAfterCellId", after)?;
        let cell = ws
            .cells
            .get(&id)
            .filter(|c| c.project_id == *project_id)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "`location.insertAfterCellId` {id} is not a cell of this project"
                ))
            })?;
        return Ok(Some((cell.order, cell.id)));
    }
    match location.child_position.as_deref() {
        None | Some("LAST") => Ok(None),
        // Before the first cell: "after" a virtual cell at order 0.
        Some("FIRST") => Ok(Some((0, Uuid::nil()))),
        Some(other) => Err(ApiError::bad_request(format!(
            "Invalid `location.childPosition` {other:?}: expected FIRST or LAST"
        ))),
    }
}

/// An order strictly between `after` and the next cell, if there is room.
fn free_slot(ws: &Workspace, project_id: &Uuid, after: Option<(u64, Uuid)>) -> Option<u64> {
    let order = ws.cell_order.get(project_id);
    let last = order.and_then(|o| o.last()).map_or(0, |(k, _)| *k);
    let Some(after) = after else {
        return last.checked_add(CELL_ORDER_GAP);
    };
    let next = order
        .and_then(|o| {
            o.range((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
                .next()
        })
        .map(|(k, _)| *k);
    match next {
        None => after.0.checked_add(CELL_ORDER_GAP),
        Some(next) if next - after.0 >= 2 => Some(after.0 + (next - after.0) / 2),
        Some(_) => None,
    }
}

/// Spreads a project's cells out again when two neighbours leave no room between them.
fn renumber(ws: &mut Workspace, project_id: &Uuid) {
    let ids: Vec<Uuid> = ws
        .cell_order
        .get(project_id)
        .map(|o| o.iter().map(|(_, id)| *id).collect())
        .unwrap_or_default();
    for (i, id) in ids.iter().enumerate() {
        if let Some(cell) = ws.remove_cell(id) {
            let order = (i as u64 + 1) * CELL_ORDER_GAP;
            ws.insert_cell(Cell { order, ..cell });
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateBody {
    #[serde(default)]
    contents: Option<Contents>,
    #[serde(default, deserialize_with = "nullable")]
    data_connection_id: Option<Option<String>>,
}

/// `PATCH /v1/cells/{cellId}`: source and/or data connection.
pub(crate) async fn update(
    State(shared): State<AppState>,
    Path(cell_id): Path<String>,
    Json(body): Json<UpdateBody>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("cellId", &cell_id)?;
    let mut ws = shared.write();
    let kind = find_cell(&ws, &id)?.kind;
    let connection = match &body.data_connection_id {
        Some(_) if kind != CellType::Sql => {
            return Err(ApiError::bad_request(
                "`dataConnectionId` can only be set on SQL cells",
            ));
        }
        Some(Some(text)) => Some(Some(known_connection(&ws, "dataConnectionId", text)?)),
        Some(None) => Some(None),
        None => None,
    };
    let change = body.contents.map(|c| source_change(kind, c)).transpose()?;
    let Some(cell) = ws.cells.get_mut(&id) else {
        return Err(ApiError::not_found("Cell", id));
    };
    if let Some((source, dataframe)) = change {
        cell.source = Cow::Owned(source);
        if dataframe.is_some() {
            cell.output_dataframe = dataframe;
        }
    }
    if let Some(connection) = connection {
        cell.data_connection = connection;
    }
    let json = cell_json(cell);
    let project_id = cell.project_id;
    ws.touch_project(&project_id, now_ms());
    Ok(AxumJson(json))
}

/// The new source (and output dataframe) from `contents`, which must match the cell's type.
fn source_change(kind: CellType, contents: Contents) -> ApiResult<(String, Option<String>)> {
    match (kind, contents) {
        (
            CellType::Code,
            Contents {
                code_cell: Some(s),
                sql_cell: None,
                markdown_cell: None,
            },
        )
        | (
            CellType::Markdown,
            Contents {
                code_cell: None,
                sql_cell: None,
                markdown_cell: Some(s),
            },
        ) => Ok((s.source, None)),
        (
            CellType::Sql,
            Contents {
                code_cell: None,
                sql_cell: Some(s),
                markdown_cell: None,
            },
        ) => Ok((s.source, s.output_dataframe)),
        (CellType::Code | CellType::Sql | CellType::Markdown, _) => {
            Err(ApiError::bad_request(format!(
                "Invalid request body: a {} cell takes exactly `contents.{}`",
                kind.as_str(),
                contents_key(kind)
            )))
        }
        _ => Err(ApiError::bad_request(format!(
            "The source of a {} cell cannot be changed through the API (only CODE, SQL and MARKDOWN)",
            kind.as_str()
        ))),
    }
}

/// `DELETE /v1/cells/{cellId}`: 204, no body.
pub(crate) async fn delete(
    State(shared): State<AppState>,
    Path(cell_id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_uuid("cellId", &cell_id)?;
    let mut ws = shared.write();
    let cell = ws
        .remove_cell(&id)
        .ok_or_else(|| ApiError::not_found("Cell", id))?;
    ws.touch_project(&cell.project_id, now_ms());
    // 200 `{cellId}` (not 204: endpoints.md §14).
    Ok(axum::Json(json!({"cellId": cell.id})).into_response())
}

fn find_cell<'a>(ws: &'a Workspace, id: &Uuid) -> ApiResult<&'a Cell> {
    ws.cells
        .get(id)
        .ok_or_else(|| ApiError::not_found("Cell", id))
}

/// CellApiResource: the `contents` entry matching the type is filled, the others are null.
pub(crate) fn cell_json(cell: &Cell) -> Value {
    let source = cell.source.as_ref();
    let only = |kind: CellType, body: Value| if cell.kind == kind { body } else { Value::Null };
    json!({
        "id": cell.id,
        "staticId": cell.static_id,
        "cellType": cell.kind.as_str(),
        "label": cell.label,
        "dataConnectionId": cell.data_connection,
        "contents": {
            "markdownCell": only(CellType::Markdown, json!({"source": source})),
            "sqlCell": only(CellType::Sql, json!({"source": source,
                "outputDataframe": cell.output_dataframe.as_deref().unwrap_or("dataframe")})),
            "codeCell": only(CellType::Code, json!({"source": source})),
        },
        "projectId": cell.project_id,
    })
}
