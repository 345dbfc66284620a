//! Me, ListUsers and DeactivateUser.

use std::collections::BTreeSet;

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{Query, parse_uuid};
use super::projects::SORT_DIRECTION;
use super::{AppState, list_json, opt_ts};
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::state::{User, Workspace};

/// `GET /v1/users/me`: the token's user and workspace.
pub(crate) async fn me(State(shared): State<AppState>) -> ApiResult<AxumJson<Value>> {
    let ws = shared.read();
    let me = ws
        .user(&ws.me)
        .ok_or_else(|| ApiError::not_found("User", ws.me))?;
    Ok(AxumJson(json!({
        "id": me.id,
        "name": me.name,
        "role": me.role.as_str(),
        "email": me.email,
        "org": {"id": ws.org_id},
        "token": {"exp": null},
    })))
}

#[derive(Clone, Copy)]
enum SortBy {
    Name,
    Email,
}

/// `GET /v1/users`: active users, optionally only a group's members or only given ids; limit up
/// to 500.
pub(crate) async fn list(
    State(shared): State<AppState>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let page_request = query.page(500)?;
    let sort_by = query.choice(
        "sortBy",
        &[("NAME", SortBy::Name), ("EMAIL", SortBy::Email)],
        SortBy::Name,
    )?;
    let descending = query.choice("sortDirection", SORT_DIRECTION, false)?;
    let group_id = query.uuid("groupId")?;
    // `userIds`: only these users (comma-separated), as the digest documents.
    let only: Vec<Uuid> = query
        .list("userIds")
        .iter()
        .map(|id| parse_uuid("userIds", id))
        .collect::<Result<_, _>>()?;
    let ws = shared.read();
    let members = match group_id {
        Some(id) => Some(
            &ws.group(&id)
                .ok_or_else(|| ApiError::not_found("Group", id))?
                .members,
        ),
        None => None,
    };
    let (scope, key): (&str, fn(&User) -> String) = match sort_by {
        SortBy::Name => ("users:NAME", |u| u.name.to_lowercase()),
        SortBy::Email => ("users:EMAIL", |u| u.email.to_lowercase()),
    };
    let index: BTreeSet<(String, Uuid)> = ws
        .users
        .iter()
        .filter(|u| !u.deactivated)
        .filter(|u| members.is_none_or(|m| m.contains(&u.id)))
        .filter(|u| only.is_empty() || only.contains(&u.id))
        .map(|u| (key(u), u.id))
        .collect();
    let page = paginate(&index, scope, descending, &page_request, |_| true)?;
    let values = page
        .ids()
        .filter_map(|id| ws.user(id))
        .map(user_json)
        .collect();
    Ok(AxumJson(list_json(values, page.pagination_json())))
}

/// `POST /v1/users/{userId}/deactivate`: 200 with no content.
pub(crate) async fn deactivate(
    State(shared): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_uuid("userId", &user_id)?;
    let mut ws = shared.write();
    check_deactivation(&ws, &id)?;
    let user = ws
        .users
        .iter_mut()
        .find(|u| u.id == id)
        .ok_or_else(|| ApiError::not_found("User", id))?;
    user.deactivated = true;
    // 200 `{user}` (endpoints.md §14).
    Ok(axum::Json(json!({"user": user_json(user)})).into_response())
}

fn check_deactivation(ws: &Workspace, id: &Uuid) -> ApiResult<()> {
    ws.user(id).ok_or_else(|| ApiError::not_found("User", id))?;
    if *id == ws.me {
        return Err(ApiError::bad_request("You cannot deactivate your own user"));
    }
    Ok(())
}

/// UserApiResource.
fn user_json(user: &User) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "role": user.role.as_str(),
        "email": user.email,
        "lastLoginDate": opt_ts(user.last_login),
    })
}
