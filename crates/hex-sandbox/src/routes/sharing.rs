//! The four project-sharing PATCHes. Each answers 200 `{project, errors}`: items that cannot be
//! applied are listed in `errors` while the others are applied (Hex's partial failure).

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use uuid::Uuid;

use super::AppState;
use super::extract::{Json, parse_uuid};
use super::projects::{find, project_json};
use crate::errors::{ApiError, ApiResult};
use crate::state::{Access, Workspace};

/// At most 25 principals per call.
const MAX_ITEMS: usize = 25;

/// Which principal list a PATCH edits.
#[derive(Clone, Copy)]
enum Kind {
    Users,
    Groups,
    Collections,
}

impl Kind {
    /// (list key, item key, error id key, name for messages)
    fn words(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Kind::Users => ("users", "user", "userIds", "User"),
            Kind::Groups => ("groups", "group", "groupIds", "Group"),
            Kind::Collections => ("collections", "collection", "collectionIds", "Collection"),
        }
    }

    /// Why an id cannot be shared with, if it cannot.
    fn refusal(self, ws: &Workspace, id: &Uuid) -> Option<&'static str> {
        match self {
            Kind::Users => match ws.user(id) {
                None => Some("User not found"),
                Some(user) if user.deactivated => Some("User is deactivated"),
                Some(_) => None,
            },
            Kind::Groups => ws.group(id).is_none().then_some("Group not found"),
            Kind::Collections => ws
                .collection(id)
                .is_none()
                .then_some("Collection not found"),
        }
    }
}

/// `PATCH /v1/projects/{projectId}/sharing/users`
pub(crate) async fn users(
    state: State<AppState>,
    path: Path<String>,
    body: Json<Value>,
) -> ApiResult<AxumJson<Value>> {
    upsert(state, path, body, Kind::Users).await
}

/// `PATCH /v1/projects/{projectId}/sharing/groups`
pub(crate) async fn groups(
    state: State<AppState>,
    path: Path<String>,
    body: Json<Value>,
) -> ApiResult<AxumJson<Value>> {
    upsert(state, path, body, Kind::Groups).await
}

/// `PATCH /v1/projects/{projectId}/sharing/collections`
pub(crate) async fn collections(
    state: State<AppState>,
    path: Path<String>,
    body: Json<Value>,
) -> ApiResult<AxumJson<Value>> {
    upsert(state, path, body, Kind::Collections).await
}

async fn upsert(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    Json(body): Json<Value>,
    kind: Kind,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("projectId", &project_id)?;
    let items = read_items(&body, kind)?;
    let mut ws = shared.write();
    find(&ws, &id)?;
    let mut failures: Vec<(&'static str, Uuid)> = Vec::new();
    let mut accepted = Vec::new();
    for (principal, access) in items {
        match kind.refusal(&ws, &principal) {
            Some(reason) => failures.push((reason, principal)),
            None => accepted.push((principal, access)),
        }
    }
    if let Some(project) = ws.projects.get_mut(&id) {
        let list = match kind {
            Kind::Users => &mut project.sharing.users,
            Kind::Groups => &mut project.sharing.groups,
            Kind::Collections => &mut project.sharing.collections,
        };
        for (principal, access) in accepted {
            apply(list, principal, access);
        }
    }
    let errors = group_failures(&failures, kind.words().2);
    let project = find(&ws, &id)?;
    Ok(AxumJson(
        json!({"project": project_json(&ws, project, true), "errors": errors}),
    ))
}

/// Access NONE removes the principal; any other value adds or replaces it.
fn apply(list: &mut Vec<(Uuid, Access)>, principal: Uuid, access: Access) {
    let existing = list.iter().position(|(id, _)| *id == principal);
    match (existing, access) {
        (Some(i), Access::None) => {
            list.remove(i);
        }
        (Some(i), access) => {
            if let Some(entry) = list.get_mut(i) {
                entry.1 = access;
            }
        }
        (None, Access::None) => {}
        (None, access) => list.push((principal, access)),
    }
}

/// One error item per reason, listing every id refused for it.
fn group_failures(failures: &[(&'static str, Uuid)], ids_key: &str) -> Vec<Value> {
    let mut reasons: Vec<&str> = Vec::new();
    for (reason, _) in failures {
        if !reasons.contains(reason) {
            reasons.push(reason);
        }
    }
    reasons
        .into_iter()
        .map(|reason| {
            let ids: Vec<String> = failures
                .iter()
                .filter(|(r, _)| *r == reason)
                .map(|(_, id)| id.to_string())
                .collect();
            json!({ids_key: ids, "reason": reason})
        })
        .collect()
}

/// `{sharing: {upsert: {<list>: [{access, <item>: {id}}]}}}`, validated as Hex's schema does.
fn read_items(body: &Value, kind: Kind) -> ApiResult<Vec<(Uuid, Access)>> {
    let (list_key, item_key, _, _) = kind.words();
    let field = format!("sharing.upsert.{list_key}");
    let items = body
        .pointer(&format!("/sharing/upsert/{list_key}"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ApiError::bad_request(format!("Invalid request body: `{field}` must be an array"))
        })?;
    if items.len() > MAX_ITEMS {
        return Err(ApiError::bad_request(format!(
            "Invalid request body: `{field}` has {} items; at most {MAX_ITEMS} are allowed per call",
            items.len()
        )));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let access = read_access(item.get("access"), &format!("{field}[{i}].access"))?;
            let id_field = format!("{field}[{i}].{item_key}.id");
            let id = item
                .get(item_key)
                .and_then(|p| p.get("id"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::bad_request(format!("Invalid request body: `{id_field}` is required"))
                })?;
            Ok((parse_uuid(&id_field, id)?, access))
        })
        .collect()
}

fn read_access(value: Option<&Value>, field: &str) -> ApiResult<Access> {
    value
        .and_then(Value::as_str)
        .and_then(Access::parse)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid request body: `{field}` must be one of {}",
                Access::expected()
            ))
        })
}

/// Public web can show the app or let people explore it; editing rights cannot go public.
fn public_web_refusal(access: Access) -> Option<&'static str> {
    matches!(access, Access::CanEdit | Access::FullAccess)
        .then_some("Public web access cannot be higher than CAN_VIEW")
}

/// `PATCH /v1/projects/{projectId}/sharing/workspaceAndPublic`: flat values, not `{access}`.
pub(crate) async fn workspace_and_public(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("projectId", &project_id)?;
    let sharing = body
        .get("sharing")
        .filter(|s| s.is_object())
        .ok_or_else(|| ApiError::bad_request("Invalid request body: `sharing` is required"))?;
    let workspace = sharing
        .get("workspace")
        .map(|v| read_access(Some(v), "sharing.workspace"))
        .transpose()?;
    let public_web = sharing
        .get("publicWeb")
        .map(|v| read_access(Some(v), "sharing.publicWeb"))
        .transpose()?;
    let mut ws = shared.write();
    find(&ws, &id)?;
    let mut errors = Vec::new();
    if let Some(project) = ws.projects.get_mut(&id) {
        if let Some(access) = workspace {
            project.sharing.workspace = access;
        }
        match public_web.map(|a| (a, public_web_refusal(a))) {
            Some((_, Some(reason))) => errors.push(json!({"type": "publicWeb", "reason": reason})),
            Some((access, None)) => project.sharing.public_web = access,
            None => {}
        }
    }
    let project = find(&ws, &id)?;
    Ok(AxumJson(
        json!({"project": project_json(&ws, project, true), "errors": errors}),
    ))
}
