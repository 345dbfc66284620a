//! ExportProject: the project and its notebook as `*.hex.yaml` text.

use axum::Json as AxumJson;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::AppState;
use super::super::extract::{Json, parse_uuid};
use super::find;
use crate::errors::{ApiError, ApiResult};
use crate::state::{Cell, CellType, Project, Workspace};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExportBody {
    project_id: String,
    #[serde(default)]
    version: Option<Value>,
}

/// Which version was asked for, resolved against the project.
enum Version {
    Draft,
    Published(u32),
}

/// `POST /v1/projects/export`: `version` is `draft` (default), `latest` or a published version
/// number from 1 up to the project's latest. The sandbox keeps no history of cells, so every
/// version exports the notebook as it is now, labelled with the version asked for.
pub(crate) async fn export(
    State(shared): State<AppState>,
    Json(body): Json<ExportBody>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("projectId", &body.project_id)?;
    let ws = shared.read();
    let project = find(&ws, &id)?;
    let version = resolve(project, body.version.as_ref())?;
    let document = document(&ws, project, &version);
    let content = yaml_serde::to_string(&document).map_err(|error| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("The export could not be written: {error}"),
        )
    })?;
    Ok(AxumJson(json!({
        "filename": format!("{}.hex.yaml", file_stem(&project.title)),
        "content": content,
    })))
}

fn resolve(project: &Project, version: Option<&Value>) -> ApiResult<Version> {
    let published = project.published_version;
    let none_published = || {
        ApiError::bad_request(format!(
            "Project {} has no published version to export: export the draft instead",
            project.id
        ))
    };
    match version {
        None | Some(Value::Null) => Ok(Version::Draft),
        Some(Value::String(word)) if word == "draft" => Ok(Version::Draft),
        Some(Value::String(word)) if word == "latest" => match published {
            0 => Err(none_published()),
            n => Ok(Version::Published(n)),
        },
        Some(Value::Number(number)) => match number.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if n >= 1 && n <= published => Ok(Version::Published(n)),
            Some(n) if n >= 1 => Err(ApiError::bad_request(format!(
                "Project {} has no published version {n} (latest: {})",
                project.id,
                if published == 0 {
                    "none".to_owned()
                } else {
                    published.to_string()
                }
            ))),
            _ => Err(version_error()),
        },
        Some(_) => Err(version_error()),
    }
}

fn version_error() -> ApiError {
    ApiError::bad_request(
        "Invalid request body: `version` must be \"draft\", \"latest\" or an integer from 1",
    )
}

/// `Revenue / Q3 dashboard` → `Revenue - Q3 dashboard`: no path separators or control characters.
fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    match stem.trim() {
        "" => "project".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

/// The `*.hex.yaml` document: metadata, the data connections the SQL cells use, and the cells in
/// notebook order.
fn document(ws: &Workspace, project: &Project, version: &Version) -> Value {
    let cells: Vec<&Cell> = ws
        .cell_order
        .get(&project.id)
        .into_iter()
        .flatten()
        .filter_map(|(_, id)| ws.cells.get(id))
        .collect();
    let mut connections: Vec<Uuid> = Vec::new();
    for id in cells.iter().filter_map(|cell| cell.data_connection) {
        if !connections.contains(&id) {
            connections.push(id);
        }
    }
    let version = match version {
        Version::Draft => json!("draft"),
        Version::Published(n) => json!(n),
    };
    json!({
        "schemaVersion": 1,
        "meta": {
            "projectId": project.id,
            "title": project.title,
            "description": project.description,
            "version": version,
        },
        "hexType": project.kind.as_str(),
        "status": project.status,
        "categories": project.categories.iter().map(|c| c.name).collect::<Vec<_>>(),
        "projectAssets": {
            "dataConnections": connections.iter().filter_map(|id| ws.connection(id)).map(|c| json!({
                "dataConnectionId": c.id, "name": c.name, "type": c.kind.as_str(),
            })).collect::<Vec<_>>(),
        },
        "cells": cells.iter().map(|cell| cell_json(cell)).collect::<Vec<_>>(),
    })
}

fn cell_json(cell: &Cell) -> Value {
    let config = match cell.kind {
        CellType::Sql => json!({
            "source": cell.source,
            "dataConnectionId": cell.data_connection,
            "resultVariableName": cell.output_dataframe,
        }),
        CellType::Code | CellType::Markdown => json!({"source": cell.source}),
        _ => json!({}),
    };
    json!({
        "cellType": cell.kind.as_str(),
        "cellId": cell.static_id,
        "cellLabel": cell.label,
        "config": config,
    })
}
