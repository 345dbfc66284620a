//! ListDataConnections, GetDataConnection, CreateDataConnection and EditDataConnection.
//! Secrets are stored but never returned: reads show exactly the type's read fields.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::extract::{Json, Query, nullable, parse_uuid};
use super::projects::SORT_DIRECTION;
use super::{AppState, list_json};
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::state::{Connection, ConnectionType, Workspace, now_ms};

mod details;

pub(crate) use details::split_details;
use details::{details_for, read_fields};

/// `GET /v1/data-connections`: by name ascending unless asked otherwise.
pub(crate) async fn list(
    State(shared): State<AppState>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let page_request = query.page(100)?;
    let by_name = query.choice("sortBy", &[("NAME", true), ("CREATED_AT", false)], true)?;
    let descending = query.choice("sortDirection", SORT_DIRECTION, false)?;
    let ws = shared.read();
    let (values, pagination) = if by_name {
        let index: BTreeSet<(String, Uuid)> = ws
            .connections
            .iter()
            .map(|c| (c.name.to_lowercase(), c.id))
            .collect();
        let page = paginate(
            &index,
            "data-connections:NAME",
            descending,
            &page_request,
            |_| true,
        )?;
        (values(&ws, page.ids()), page.pagination_json())
    } else {
        let index: BTreeSet<(i64, Uuid)> = ws
            .connections
            .iter()
            .map(|c| (c.created_at, c.id))
            .collect();
        let page = paginate(
            &index,
            "data-connections:CREATED_AT",
            descending,
            &page_request,
            |_| true,
        )?;
        (values(&ws, page.ids()), page.pagination_json())
    };
    Ok(AxumJson(list_json(values, pagination)))
}

fn values<'a>(ws: &Workspace, ids: impl Iterator<Item = &'a Uuid>) -> Vec<Value> {
    ids.filter_map(|id| ws.connection(id))
        .map(|c| connection_json(ws, c))
        .collect()
}

/// `GET /v1/data-connections/{dataConnectionId}`
pub(crate) async fn get(
    State(shared): State<AppState>,
    Path(connection_id): Path<String>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("dataConnectionId", &connection_id)?;
    let ws = shared.read();
    let connection = ws
        .connection(&id)
        .ok_or_else(|| ApiError::not_found("Data connection", id))?;
    Ok(AxumJson(connection_json(&ws, connection)))
}

#[derive(Deserialize, Default)]
struct WorkspaceSharing {
    #[serde(default)]
    public: Option<String>,
    #[serde(default)]
    guests: Option<String>,
    #[serde(default)]
    members: Option<String>,
}

#[derive(Deserialize)]
struct GroupGrant {
    access: String,
    group: GroupRef,
}

#[derive(Deserialize)]
struct GroupRef {
    id: String,
}

#[derive(Deserialize, Default)]
struct CreateSharing {
    #[serde(default)]
    workspace: Option<WorkspaceSharing>,
    #[serde(default)]
    groups: Vec<GroupGrant>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateBody {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    connection_details: Map<String, Value>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    connect_via_ssh: Option<bool>,
    #[serde(default)]
    include_magic: Option<bool>,
    #[serde(default)]
    allow_writeback_cells: Option<bool>,
    #[serde(default)]
    schema_filters: Option<Value>,
    #[serde(default)]
    schema_refresh_schedule: Option<Value>,
    #[serde(default)]
    schema_refresh_access: Option<String>,
    #[serde(default)]
    sharing: Option<CreateSharing>,
}

/// `POST /v1/data-connections`: 201 with the stored connection, secrets left out.
pub(crate) async fn create(
    State(shared): State<AppState>,
    Json(body): Json<CreateBody>,
) -> ApiResult<Response> {
    if body.name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "Invalid request body: `name` must not be empty",
        ));
    }
    let kind = ConnectionType::parse(&body.kind).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Invalid request body: `type` must be one of {}",
            ConnectionType::expected()
        ))
    })?;
    let (details, secrets) =
        split_details(kind, details_for(kind, &body.connection_details)?, true)?;
    check_schedule(body.schema_refresh_schedule.as_ref())?;
    check_filters(body.schema_filters.as_ref())?;
    let access = refresh_access(body.schema_refresh_access.as_deref())?.unwrap_or("ADMINS");
    let sharing = body.sharing.unwrap_or_default();
    let mut ws = shared.write();
    let group_sharing = grants(&ws, &sharing.groups, "sharing.groups", Vec::new())?;
    let mut connection = Connection {
        id: Uuid::new_v4(),
        name: body.name,
        kind,
        description: body.description,
        details,
        secrets,
        connect_via_ssh: body.connect_via_ssh.unwrap_or(false),
        include_magic: body.include_magic.unwrap_or(false),
        allow_writeback_cells: body.allow_writeback_cells.unwrap_or(false),
        schema_filters: body.schema_filters,
        schema_refresh_schedule: body.schema_refresh_schedule,
        schema_refresh_access: access.to_owned(),
        workspace_sharing: BTreeMap::from([
            ("members".to_owned(), "NONE".to_owned()),
            ("guests".to_owned(), "NONE".to_owned()),
            ("public".to_owned(), "NONE".to_owned()),
        ]),
        group_sharing,
        created_at: now_ms(),
    };
    apply_workspace(&mut connection, sharing.workspace)?;
    let json = connection_json(&ws, &connection);
    ws.connections.push(connection);
    Ok((StatusCode::CREATED, AxumJson(json)).into_response())
}

#[derive(Deserialize, Default)]
struct GroupUpsert {
    #[serde(default)]
    upsert: Vec<GroupGrant>,
}

#[derive(Deserialize, Default)]
struct EditSharing {
    #[serde(default)]
    workspace: Option<WorkspaceSharing>,
    #[serde(default)]
    groups: Option<GroupUpsert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EditBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    connection_details: Option<Map<String, Value>>,
    #[serde(default)]
    connect_via_ssh: Option<bool>,
    #[serde(default)]
    include_magic: Option<bool>,
    #[serde(default)]
    allow_writeback_cells: Option<bool>,
    #[serde(default)]
    schema_filters: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    schema_refresh_schedule: Option<Option<Value>>,
    #[serde(default)]
    schema_refresh_access: Option<String>,
    #[serde(default)]
    sharing: Option<EditSharing>,
}

/// `PATCH /v1/data-connections/{dataConnectionId}`: answers **201**, as Hex does.
pub(crate) async fn edit(
    State(shared): State<AppState>,
    Path(connection_id): Path<String>,
    Json(body): Json<EditBody>,
) -> ApiResult<Response> {
    let id = parse_uuid("dataConnectionId", &connection_id)?;
    if body.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(ApiError::bad_request(
            "Invalid request body: `name` must not be empty",
        ));
    }
    check_schedule(
        body.schema_refresh_schedule
            .as_ref()
            .and_then(Option::as_ref),
    )?;
    check_filters(body.schema_filters.as_ref())?;
    let access = refresh_access(body.schema_refresh_access.as_deref())?;
    let mut ws = shared.write();
    let current = ws
        .connection(&id)
        .ok_or_else(|| ApiError::not_found("Data connection", id))?;
    let split = match &body.connection_details {
        Some(details) => Some(split_details(
            current.kind,
            details_for(current.kind, details)?,
            false,
        )?),
        None => None,
    };
    let sharing = body.sharing.unwrap_or_default();
    let upserts = sharing.groups.unwrap_or_default().upsert;
    let group_sharing = grants(
        &ws,
        &upserts,
        "sharing.groups.upsert",
        current.group_sharing.clone(),
    )?;
    let connection = ws
        .connections
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found("Data connection", id))?;
    apply_workspace(connection, sharing.workspace)?;
    connection.group_sharing = group_sharing;
    if let Some((details, secrets)) = split {
        connection.details.extend(details);
        connection.secrets.extend(secrets);
    }
    apply_edit(connection, body.name, body.description, access);
    set_if(&mut connection.connect_via_ssh, body.connect_via_ssh);
    set_if(&mut connection.include_magic, body.include_magic);
    set_if(
        &mut connection.allow_writeback_cells,
        body.allow_writeback_cells,
    );
    if let Some(filters) = body.schema_filters {
        connection.schema_filters = Some(filters);
    }
    if let Some(schedule) = body.schema_refresh_schedule {
        connection.schema_refresh_schedule = schedule;
    }
    let connection = ws
        .connection(&id)
        .ok_or_else(|| ApiError::not_found("Data connection", id))?;
    Ok((
        StatusCode::CREATED,
        AxumJson(connection_json(&ws, connection)),
    )
        .into_response())
}

fn apply_edit(
    connection: &mut Connection,
    name: Option<String>,
    description: Option<String>,
    access: Option<&str>,
) {
    if let Some(name) = name {
        connection.name = name;
    }
    if let Some(description) = description {
        connection.description = Some(description);
    }
    if let Some(access) = access {
        connection.schema_refresh_access = access.to_owned();
    }
}

fn set_if(target: &mut bool, value: Option<bool>) {
    if let Some(value) = value {
        *target = value;
    }
}

fn refresh_access(value: Option<&str>) -> ApiResult<Option<&'static str>> {
    match value {
        None => Ok(None),
        Some("ADMINS") => Ok(Some("ADMINS")),
        Some("USERS_WITH_QUERY_ACCESS") => Ok(Some("USERS_WITH_QUERY_ACCESS")),
        Some(other) => Err(ApiError::bad_request(format!(
            "Invalid request body: `schemaRefreshAccess` must be ADMINS or USERS_WITH_QUERY_ACCESS, got {other:?}"
        ))),
    }
}

/// SchemaRefreshScheduleApiResource needs `cadence` and `enabled`.
fn check_schedule(schedule: Option<&Value>) -> ApiResult<()> {
    let Some(schedule) = schedule else {
        return Ok(());
    };
    let cadence_ok = schedule
        .get("cadence")
        .and_then(Value::as_str)
        .is_some_and(|c| matches!(c, "HOURLY" | "DAILY" | "WEEKLY" | "MONTHLY" | "CUSTOM"));
    let enabled_ok = schedule.get("enabled").is_some_and(Value::is_boolean);
    if cadence_ok && enabled_ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "Invalid request body: `schemaRefreshSchedule` needs `cadence` (HOURLY, DAILY, WEEKLY, MONTHLY or CUSTOM) and `enabled`",
        ))
    }
}

fn check_filters(filters: Option<&Value>) -> ApiResult<()> {
    match filters {
        Some(value) if !value.is_object() => Err(ApiError::bad_request(
            "Invalid request body: `schemaFilters` must be an object",
        )),
        _ => Ok(()),
    }
}

const SHARING_ACCESS: &[&str] = &["NONE", "QUERY", "VIEW_RESULTS"];

fn check_access(field: &str, value: &str, allowed: &[&str]) -> ApiResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid request body: `{field}` must be one of {}, got {value:?}",
            allowed.join(", ")
        )))
    }
}

fn apply_workspace(
    connection: &mut Connection,
    sharing: Option<WorkspaceSharing>,
) -> ApiResult<()> {
    let Some(sharing) = sharing else {
        return Ok(());
    };
    let entries = [
        ("public", sharing.public, &["NONE", "VIEW_RESULTS"][..]),
        ("guests", sharing.guests, SHARING_ACCESS),
        ("members", sharing.members, SHARING_ACCESS),
    ];
    for (key, value, allowed) in &entries {
        if let Some(value) = value {
            check_access(&format!("sharing.workspace.{key}"), value, allowed)?;
        }
    }
    for (key, value, _) in entries {
        if let Some(value) = value {
            connection.workspace_sharing.insert(key.to_owned(), value);
        }
    }
    Ok(())
}

/// Upserts group grants (NONE removes); an unknown group is a 404.
fn grants(
    ws: &Workspace,
    items: &[GroupGrant],
    field: &str,
    mut current: Vec<(Uuid, String)>,
) -> ApiResult<Vec<(Uuid, String)>> {
    for (i, item) in items.iter().enumerate() {
        check_access(
            &format!("{field}[{i}].access"),
            &item.access,
            SHARING_ACCESS,
        )?;
        let id = parse_uuid(&format!("{field}[{i}].group.id"), &item.group.id)?;
        ws.group(&id)
            .ok_or_else(|| ApiError::not_found("Group", id))?;
        current.retain(|(g, _)| *g != id);
        if item.access != "NONE" {
            current.push((id, item.access.clone()));
        }
    }
    Ok(current)
}

/// DataConnectionWithSensitiveFieldsApiResource, without secrets.
pub(crate) fn connection_json(ws: &Workspace, c: &Connection) -> Value {
    let mut value = json!({"id": c.id, "name": c.name, "type": c.kind.as_str()});
    let Value::Object(map) = &mut value else {
        return value;
    };
    if let Some(description) = &c.description {
        map.insert("description".to_owned(), json!(description));
    }
    map.insert(
        "connectionDetails".to_owned(),
        json!({c.kind.as_str(): read_fields(c)}),
    );
    map.insert("connectViaSsh".to_owned(), json!(c.connect_via_ssh));
    map.insert("includeMagic".to_owned(), json!(c.include_magic));
    map.insert(
        "allowWritebackCells".to_owned(),
        json!(c.allow_writeback_cells),
    );
    if let Some(filters) = &c.schema_filters {
        map.insert("schemaFilters".to_owned(), filters.clone());
    }
    if let Some(schedule) = &c.schema_refresh_schedule {
        map.insert("schemaRefreshSchedule".to_owned(), schedule.clone());
    }
    map.insert(
        "schemaRefreshAccess".to_owned(),
        json!(c.schema_refresh_access),
    );
    let groups: Vec<Value> = c
        .group_sharing
        .iter()
        .filter_map(|(id, access)| {
            let name = &ws.group(id)?.name;
            Some(json!({"access": access, "group": {"id": id, "name": name}}))
        })
        .collect();
    map.insert(
        "sharing".to_owned(),
        json!({"workspace": c.workspace_sharing, "groups": groups}),
    );
    value
}

/// For in-process tests: a stored secret field of a connection.
pub(crate) fn secret(ws: &Workspace, connection_id: &str, field: &str) -> Option<String> {
    let id = Uuid::try_parse(connection_id).ok()?;
    ws.connection(&id)?.secrets.get(field).map(|s| s.0.clone())
}
