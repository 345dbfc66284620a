//! ListGroups, GetGroup, CreateGroup, EditGroup and DeleteGroup. Membership is real state:
//! ListUsers?groupId=… reads it.

use std::collections::BTreeSet;

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{Json, Query, parse_uuid};
use super::projects::SORT_DIRECTION;
use super::{AppState, created, list_json, ts};
use crate::errors::{ApiError, ApiResult};
use crate::pagination::{Page, PageRequest, paginate};
use crate::state::{Group, Workspace, now_ms};

/// At most 100 users per members list.
const MAX_MEMBERS: usize = 100;

#[derive(Clone, Copy)]
enum SortBy {
    CreatedAt,
    Name,
}

/// `GET /v1/groups`: limit up to 500.
pub(crate) async fn list(
    State(shared): State<AppState>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let page_request = query.page(500)?;
    let sort_by = query.choice(
        "sortBy",
        &[("CREATED_AT", SortBy::CreatedAt), ("NAME", SortBy::Name)],
        SortBy::Name,
    )?;
    let descending = query.choice("sortDirection", SORT_DIRECTION, false)?;
    let ws = shared.read();
    let (ids, pagination) = match sort_by {
        SortBy::Name => {
            let index: BTreeSet<(String, Uuid)> = ws
                .groups
                .iter()
                .map(|g| (g.name.to_lowercase(), g.id))
                .collect();
            page_ids(paginate(
                &index,
                "groups:NAME",
                descending,
                &page_request,
                |_| true,
            )?)
        }
        SortBy::CreatedAt => created_page(&ws, descending, &page_request)?,
    };
    let values = ids
        .iter()
        .filter_map(|id| ws.group(id))
        .map(group_json)
        .collect();
    Ok(AxumJson(list_json(values, pagination)))
}

fn created_page(
    ws: &Workspace,
    descending: bool,
    request: &PageRequest,
) -> ApiResult<(Vec<Uuid>, Value)> {
    let index: BTreeSet<(i64, Uuid)> = ws.groups.iter().map(|g| (g.created_at, g.id)).collect();
    Ok(page_ids(paginate(
        &index,
        "groups:CREATED_AT",
        descending,
        request,
        |_| true,
    )?))
}

fn page_ids<K>(page: Page<K>) -> (Vec<Uuid>, Value) {
    (page.ids().copied().collect(), page.pagination_json())
}

/// `GET /v1/groups/{groupId}`
pub(crate) async fn get(
    State(shared): State<AppState>,
    Path(group_id): Path<String>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("groupId", &group_id)?;
    let ws = shared.read();
    Ok(AxumJson(group_json(find(&ws, &id)?)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Members {
    #[serde(default)]
    users: Vec<MemberRef>,
}

#[derive(Deserialize)]
struct MemberRef {
    id: String,
}

#[derive(Deserialize)]
pub(crate) struct CreateBody {
    name: String,
    #[serde(default)]
    members: Option<Members>,
}

/// `POST /v1/groups`: 201 `{id, name, members}` (not the Group shape).
pub(crate) async fn create(
    State(shared): State<AppState>,
    Json(body): Json<CreateBody>,
) -> ApiResult<Response> {
    check_name(&body.name)?;
    let mut ws = shared.write();
    let members = member_ids(&ws, &body.members.unwrap_or_default(), "members.users")?;
    let mut group = Group {
        id: Uuid::new_v4(),
        name: body.name,
        created_at: now_ms(),
        members: Vec::new(),
    };
    for id in members {
        if !group.members.contains(&id) {
            group.members.push(id);
        }
    }
    let answer = json!({
        "id": group.id,
        "name": group.name,
        "members": {"users": group.members.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()},
    });
    ws.groups.push(group);
    Ok(created(answer))
}

#[derive(Deserialize, Default)]
struct MemberChanges {
    #[serde(default)]
    add: Option<Members>,
    #[serde(default)]
    remove: Option<Members>,
}

#[derive(Deserialize)]
pub(crate) struct EditBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    members: Option<MemberChanges>,
}

/// `PATCH /v1/groups/{groupId}`: rename, add and remove members.
pub(crate) async fn edit(
    State(shared): State<AppState>,
    Path(group_id): Path<String>,
    Json(body): Json<EditBody>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("groupId", &group_id)?;
    if let Some(name) = &body.name {
        check_name(name)?;
    }
    let mut ws = shared.write();
    find(&ws, &id)?;
    let changes = body.members.unwrap_or_default();
    let add = member_ids(&ws, &changes.add.unwrap_or_default(), "members.add.users")?;
    let remove = member_ids(
        &ws,
        &changes.remove.unwrap_or_default(),
        "members.remove.users",
    )?;
    let group = ws
        .group_mut(&id)
        .ok_or_else(|| ApiError::not_found("Group", id))?;
    if let Some(name) = body.name {
        group.name = name;
    }
    for user in add {
        if !group.members.contains(&user) {
            group.members.push(user);
        }
    }
    group.members.retain(|user| !remove.contains(user));
    Ok(AxumJson(group_json(group)))
}

/// `DELETE /v1/groups/{groupId}`: 204; the group also leaves every sharing list.
pub(crate) async fn delete(
    State(shared): State<AppState>,
    Path(group_id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_uuid("groupId", &group_id)?;
    if shared.write().remove_group(&id) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("Group", id))
    }
}

fn check_name(name: &str) -> ApiResult<()> {
    if name.is_empty() {
        Err(ApiError::bad_request(
            "Invalid request body: `name` must not be empty",
        ))
    } else {
        Ok(())
    }
}

/// The ids of a members list: at most 100, each an existing user.
fn member_ids(ws: &Workspace, members: &Members, field: &str) -> ApiResult<Vec<Uuid>> {
    if members.users.len() > MAX_MEMBERS {
        return Err(ApiError::bad_request(format!(
            "Invalid request body: `{field}` has {} items; at most {MAX_MEMBERS} are allowed",
            members.users.len()
        )));
    }
    members
        .users
        .iter()
        .enumerate()
        .map(|(i, member)| {
            let id = parse_uuid(&format!("{field}[{i}].id"), &member.id)?;
            ws.user(&id)
                .map(|u| u.id)
                .ok_or_else(|| ApiError::bad_request(format!("User not found: {id}")))
        })
        .collect()
}

fn find<'a>(ws: &'a Workspace, id: &Uuid) -> ApiResult<&'a Group> {
    ws.group(id).ok_or_else(|| ApiError::not_found("Group", id))
}

/// GroupApiResource.
fn group_json(group: &Group) -> Value {
    json!({"id": group.id, "name": group.name, "createdAt": ts(group.created_at)})
}
