//! ListCollections, GetCollection, CreateCollection and EditCollection.

use std::collections::BTreeSet;

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{Json, Query, parse_uuid};
use super::{AppState, created, list_json};
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::state::{Collection, Workspace};

/// `GET /v1/collections`: by name (the only sort Hex offers, with no direction).
pub(crate) async fn list(
    State(shared): State<AppState>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let page_request = query.page(100)?;
    query.choice("sortBy", &[("NAME", ())], ())?;
    let ws = shared.read();
    let index: BTreeSet<(String, Uuid)> = ws
        .collections
        .iter()
        .map(|c| (c.name.to_lowercase(), c.id))
        .collect();
    let page = paginate(&index, "collections:NAME", false, &page_request, |_| true)?;
    let values = page
        .ids()
        .filter_map(|id| ws.collection(id))
        .map(|c| collection_json(&ws, c))
        .collect();
    Ok(AxumJson(list_json(values, page.pagination_json())))
}

/// `GET /v1/collections/{collectionId}`
pub(crate) async fn get(
    State(shared): State<AppState>,
    Path(collection_id): Path<String>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("collectionId", &collection_id)?;
    let ws = shared.read();
    let collection = ws
        .collection(&id)
        .ok_or_else(|| ApiError::not_found("Collection", id))?;
    Ok(AxumJson(collection_json(&ws, collection)))
}

/// CollectionApiResourceSharing as written in requests.
#[derive(Deserialize, Default)]
struct SharingBody {
    #[serde(default)]
    users: Vec<Grant>,
    #[serde(default)]
    groups: Vec<Grant>,
    #[serde(default)]
    workspace: Option<WorkspaceGrant>,
}

#[derive(Deserialize)]
struct Grant {
    access: String,
    id: String,
}

#[derive(Deserialize)]
struct WorkspaceGrant {
    #[serde(default)]
    members: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct CreateBody {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    sharing: Option<SharingBody>,
}

/// `POST /v1/collections`: 201 with the new collection, created by the token's user.
pub(crate) async fn create(
    State(shared): State<AppState>,
    Json(body): Json<CreateBody>,
) -> ApiResult<Response> {
    if body.name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "Invalid request body: `name` must not be empty",
        ));
    }
    let mut ws = shared.write();
    let mut collection = Collection {
        id: Uuid::new_v4(),
        name: body.name,
        description: body.description,
        creator: ws.me,
        users: Vec::new(),
        groups: Vec::new(),
        workspace_members: None,
    };
    merge_sharing(
        &ws,
        &collection,
        body.sharing.unwrap_or_default(),
        "sharing",
    )?
    .apply(&mut collection);
    let json = collection_json(&ws, &collection);
    ws.collections.push(collection);
    Ok(created(json))
}

#[derive(Deserialize)]
struct EditSharing {
    #[serde(default)]
    upsert: Option<SharingBody>,
}

#[derive(Deserialize)]
pub(crate) struct EditBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    sharing: Option<EditSharing>,
}

/// `PATCH /v1/collections/{collectionId}`: name, description and `sharing.upsert`.
pub(crate) async fn edit(
    State(shared): State<AppState>,
    Path(collection_id): Path<String>,
    Json(body): Json<EditBody>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("collectionId", &collection_id)?;
    if body.name.as_deref().is_some_and(|n| n.is_empty()) {
        return Err(ApiError::bad_request(
            "Invalid request body: `name` must not be empty",
        ));
    }
    let mut ws = shared.write();
    let current = ws
        .collection(&id)
        .ok_or_else(|| ApiError::not_found("Collection", id))?;
    let upsert = body.sharing.and_then(|s| s.upsert).unwrap_or_default();
    let merged = merge_sharing(&ws, current, upsert, "sharing.upsert")?;
    let collection = ws
        .collections
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found("Collection", id))?;
    merged.apply(collection);
    if let Some(name) = body.name {
        collection.name = name;
    }
    if let Some(description) = body.description {
        collection.description = Some(description);
    }
    let collection = ws
        .collection(&id)
        .ok_or_else(|| ApiError::not_found("Collection", id))?;
    Ok(AxumJson(collection_json(&ws, collection)))
}

/// A collection's sharing after an upsert, computed before anything changes.
struct Merged {
    users: Vec<(Uuid, String)>,
    groups: Vec<(Uuid, String)>,
    workspace_members: Option<Option<String>>,
}

impl Merged {
    fn apply(self, collection: &mut Collection) {
        collection.users = self.users;
        collection.groups = self.groups;
        if let Some(members) = self.workspace_members {
            collection.workspace_members = members;
        }
    }
}

/// Upserts grants; an access of `NONE` removes the principal. Unknown principals are a 400.
fn merge_sharing(
    ws: &Workspace,
    current: &Collection,
    sharing: SharingBody,
    field: &str,
) -> ApiResult<Merged> {
    let mut users = current.users.clone();
    for (i, grant) in sharing.users.iter().enumerate() {
        let id = grant_id(grant, &format!("{field}.users[{i}]"))?;
        ws.user(&id)
            .ok_or_else(|| ApiError::bad_request(format!("User not found: {id}")))?;
        upsert(&mut users, id, &grant.access);
    }
    let mut groups = current.groups.clone();
    for (i, grant) in sharing.groups.iter().enumerate() {
        let id = grant_id(grant, &format!("{field}.groups[{i}]"))?;
        ws.group(&id)
            .ok_or_else(|| ApiError::bad_request(format!("Group not found: {id}")))?;
        upsert(&mut groups, id, &grant.access);
    }
    let workspace_members = sharing
        .workspace
        .and_then(|w| w.members)
        .map(|members| (members != "NONE").then_some(members));
    Ok(Merged {
        users,
        groups,
        workspace_members,
    })
}

fn grant_id(grant: &Grant, field: &str) -> ApiResult<Uuid> {
    if grant.access.trim().is_empty() {
        return Err(ApiError::bad_request(format!(
            "Invalid request body: `{field}.access` must not be empty"
        )));
    }
    parse_uuid(&format!("{field}.id"), &grant.id)
}

fn upsert(list: &mut Vec<(Uuid, String)>, id: Uuid, access: &str) {
    list.retain(|(existing, _)| *existing != id);
    if access != "NONE" {
        list.push((id, access.to_owned()));
    }
}

/// CollectionApiResource.
fn collection_json(ws: &Workspace, c: &Collection) -> Value {
    let grants = |list: &[(Uuid, String)]| -> Vec<Value> {
        list.iter()
            .map(|(id, access)| json!({"access": access, "id": id}))
            .collect()
    };
    let mut workspace = serde_json::Map::new();
    if let Some(members) = &c.workspace_members {
        workspace.insert("members".to_owned(), json!(members));
    }
    let mut value = json!({"id": c.id, "name": c.name});
    if let Value::Object(map) = &mut value {
        if let Some(description) = &c.description {
            map.insert("description".to_owned(), json!(description));
        }
        map.insert(
            "creator".to_owned(),
            json!({"email": ws.email_of(&c.creator), "id": c.creator}),
        );
        map.insert(
            "sharing".to_owned(),
            json!({"users": grants(&c.users), "groups": grants(&c.groups), "workspace": workspace}),
        );
    }
    value
}
