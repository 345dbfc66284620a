//! GetQueriedTables: the warehouse tables a project's SQL cells read.

use std::collections::BTreeSet;

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::AppState;
use super::super::extract::{Query, parse_uuid};
use super::find;
use crate::errors::{ApiResult, trace_id};
use crate::pagination::paginate;
use crate::state::results::tables_in;
use crate::state::{CellType, Workspace};

/// `GET /v1/projects/{projectId}/queriedTables`: each (table, connection) pair once, sorted by
/// table name, from the project's SQL cells that query a data connection (dataframe SQL reads
/// no warehouse table). Legacy list: `{values, pagination, traceId}`.
pub(crate) async fn queried_tables(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("projectId", &project_id)?;
    let page_request = query.page(100)?;
    let ws = shared.read();
    find(&ws, &id)?;
    let index = table_index(&ws, &id);
    let scope = format!("queriedTables:{id}");
    let page = paginate(&index, &scope, false, &page_request, |_| true)?;
    let values: Vec<Value> = page
        .items
        .iter()
        .map(|(table, connection)| {
            let name = ws.connection(connection).map(|c| c.name.as_str());
            json!({"dataConnectionId": connection, "dataConnectionName": name, "tableName": table})
        })
        .collect();
    Ok(AxumJson(json!({
        "values": values,
        "pagination": page.pagination_json(),
        "traceId": trace_id(),
    })))
}

/// (table name, connection id) of every table the project's SQL cells read on a known connection.
fn table_index(ws: &Workspace, project: &Uuid) -> BTreeSet<(String, Uuid)> {
    ws.cell_order
        .get(project)
        .into_iter()
        .flatten()
        .filter_map(|(_, id)| ws.cells.get(id))
        .filter(|cell| cell.kind == CellType::Sql)
        .filter_map(|cell| {
            let connection = cell
                .data_connection
                .filter(|c| ws.connection(c).is_some())?;
            Some(
                tables_in(&cell.source)
                    .into_iter()
                    .map(move |t| (t, connection)),
            )
        })
        .flatten()
        .collect()
}
