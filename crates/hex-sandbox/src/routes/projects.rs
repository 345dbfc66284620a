//! ListProjects, GetProject, CreateProject, UpdateProject, ExportProject, GetQueriedTables, and
//! the project resource itself.

mod export;
mod queried;

use axum::Json as AxumJson;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{Json, Query, nullable, parse_uuid};
use super::{AppState, created, list_json, opt_ts, ts};
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::seed::STATUSES;
use crate::state::{
    Access, Analytics, Cadence, Millis, Project, ProjectType, Schedule, Sharing, Workspace, now_ms,
};

/// The project routes added with Hex's full API (the first four are in `routes::api`).
pub(crate) fn routes() -> Router<super::AppState> {
    Router::new()
        .route("/api/v1/projects/export", routing::post(export::export))
        .route(
            "/api/v1/projects/{project_id}/queriedTables",
            routing::get(queried::queried_tables),
        )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Created,
    LastEdited,
    LastPublished,
}

const SORT_BY: &[(&str, SortBy)] = &[
    ("CREATED_AT", SortBy::Created),
    ("LAST_EDITED_AT", SortBy::LastEdited),
    ("LAST_PUBLISHED_AT", SortBy::LastPublished),
];

pub(crate) const SORT_DIRECTION: &[(&str, bool)] = &[("DESC", true), ("ASC", false)];

/// ListProjects' filters, resolved once per request.
struct Filter {
    include_archived: bool,
    include_components: bool,
    include_trashed: bool,
    statuses: Vec<String>,
    categories: Vec<String>,
    creator: Option<Option<Uuid>>,
    owner: Option<Option<Uuid>>,
    collection: Option<Uuid>,
}

impl Filter {
    fn read(query: &Query, ws: &Workspace) -> ApiResult<Self> {
        let collection = query.uuid("collectionId")?;
        if let Some(id) = collection {
            ws.collection(&id)
                .ok_or_else(|| ApiError::not_found("Collection", id))?;
        }
        // An email nobody has matches no project (Some(None)).
        let by_email = |name: &str| {
            query.get(name).map(|email| {
                ws.users
                    .iter()
                    .find(|u| u.email.eq_ignore_ascii_case(email))
                    .map(|u| u.id)
            })
        };
        Ok(Filter {
            include_archived: query.bool("includeArchived")?,
            include_components: query.bool("includeComponents")?,
            include_trashed: query.bool("includeTrashed")?,
            statuses: query.list("statuses"),
            categories: query.list("categories"),
            creator: by_email("creatorEmail"),
            owner: by_email("ownerEmail"),
            collection,
        })
    }

    fn keep(&self, p: &Project) -> bool {
        (self.include_archived || p.archived_at.is_none())
            && (self.include_trashed || p.trashed_at.is_none())
            && (self.include_components || p.kind != ProjectType::Component)
            && (self.statuses.is_empty()
                || p.status
                    .is_some_and(|s| self.statuses.iter().any(|w| w == s)))
            && (self.categories.is_empty()
                || p.categories
                    .iter()
                    .any(|c| self.categories.iter().any(|w| w == c.name)))
            && self.creator.is_none_or(|id| id == Some(p.creator))
            && self.owner.is_none_or(|id| id == Some(p.owner))
            && self
                .collection
                .is_none_or(|id| p.sharing.collections.iter().any(|(c, _)| *c == id))
    }
}

/// `GET /v1/projects`
pub(crate) async fn list(
    State(shared): State<AppState>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let page_request = query.page(100)?;
    let sort_by = query.choice("sortBy", SORT_BY, SortBy::Created)?;
    let descending = query.choice("sortDirection", SORT_DIRECTION, true)?;
    let include_sharing = query.bool("includeSharing")?;
    let ws = shared.read();
    let filter = Filter::read(&query, &ws)?;
    let (index, scope) = match sort_by {
        SortBy::Created => (&ws.project_index.created, "projects:CREATED_AT"),
        SortBy::LastEdited => (&ws.project_index.edited, "projects:LAST_EDITED_AT"),
        SortBy::LastPublished => (&ws.project_index.published, "projects:LAST_PUBLISHED_AT"),
    };
    let keep = |id: &Uuid| ws.projects.get(id).is_some_and(|p| filter.keep(p));
    let page = paginate(index, scope, descending, &page_request, keep)?;
    let values = page
        .ids()
        .filter_map(|id| ws.projects.get(id))
        .map(|p| project_json(&ws, p, include_sharing))
        .collect();
    Ok(AxumJson(list_json(values, page.pagination_json())))
}

/// `GET /v1/projects/{projectId}`
pub(crate) async fn get(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("projectId", &project_id)?;
    let include_sharing = query.bool("includeSharing")?;
    let ws = shared.read();
    let project = find(&ws, &id)?;
    Ok(AxumJson(project_json(&ws, project, include_sharing)))
}

#[derive(Deserialize)]
pub(crate) struct CreateBody {
    title: String,
    #[serde(default)]
    description: Option<String>,
}

/// `POST /v1/projects`: a new, never-published project owned by the token's user.
pub(crate) async fn create(
    State(shared): State<AppState>,
    Json(body): Json<CreateBody>,
) -> ApiResult<Response> {
    if body.title.trim().is_empty() {
        return Err(ApiError::bad_request(
            "Invalid request body: `title` must not be empty",
        ));
    }
    let mut ws = shared.write();
    let now = now_ms();
    let project = new_project(&ws, body.title, body.description, now);
    let json = project_json(&ws, &project, false);
    ws.insert_project(project);
    Ok(created(json))
}

pub(crate) fn new_project(
    ws: &Workspace,
    title: String,
    description: Option<String>,
    now: Millis,
) -> Project {
    Project {
        id: Uuid::new_v4(),
        title,
        description,
        kind: ProjectType::Project,
        creator: ws.me,
        owner: ws.me,
        status: None,
        categories: Vec::new(),
        reviews_required: false,
        analytics: Analytics {
            published_results_updated_at: None,
            last_viewed_at: None,
            app_views: [0; 4],
        },
        last_edited_at: now,
        last_published_at: None,
        created_at: now,
        archived_at: None,
        trashed_at: None,
        schedules: Vec::new(),
        sharing: Sharing {
            users: Vec::new(),
            groups: Vec::new(),
            collections: Vec::new(),
            workspace: Access::None,
            public_web: Access::None,
            support: Access::None,
        },
        inputs: Vec::new(),
        runs_fail: false,
        published_version: 0,
    }
}

#[derive(Deserialize)]
pub(crate) struct UpdateBody {
    #[serde(default, deserialize_with = "nullable")]
    status: Option<Option<String>>,
}

/// `PATCH /v1/projects/{projectId}`: sets a status by name, or clears it with `null`.
pub(crate) async fn update(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    Json(body): Json<UpdateBody>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("projectId", &project_id)?;
    let status = match body.status {
        None => None,
        Some(None) => Some(None),
        Some(Some(name)) => Some(Some(known_status(&name)?)),
    };
    let mut ws = shared.write();
    find(&ws, &id)?;
    if let (Some(status), Some(project)) = (status, ws.projects.get_mut(&id)) {
        project.status = status;
    }
    let project = find(&ws, &id)?;
    Ok(AxumJson(project_json(&ws, project, false)))
}

fn known_status(name: &str) -> ApiResult<&'static str> {
    STATUSES
        .iter()
        .find(|s| **s == name)
        .copied()
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Status {name:?} does not exist in this workspace (known: {})",
                STATUSES.join(", ")
            ))
        })
}

/// The project, or a 404 naming it.
pub(crate) fn find<'a>(ws: &'a Workspace, id: &Uuid) -> ApiResult<&'a Project> {
    ws.projects
        .get(id)
        .ok_or_else(|| ApiError::not_found("Project", id))
}

/// ProjectApiResource, keys in the order of Hex's schema; `sharing` only when asked for.
pub(crate) fn project_json(ws: &Workspace, p: &Project, include_sharing: bool) -> Value {
    let mut value = json!({
        "id": p.id,
        "title": p.title,
        "description": p.description,
        "type": p.kind.as_str(),
        "creator": {"email": ws.email_of(&p.creator)},
        "owner": {"email": ws.email_of(&p.owner)},
        "status": p.status.map(|name| json!({"name": name})),
        "categories": p.categories.iter()
            .map(|c| json!({"name": c.name, "description": c.description}))
            .collect::<Vec<_>>(),
        "reviews": {"required": p.reviews_required},
        "analytics": analytics_json(&p.analytics),
        "lastEditedAt": ts(p.last_edited_at),
        "lastPublishedAt": opt_ts(p.last_published_at),
        "createdAt": ts(p.created_at),
        "archivedAt": opt_ts(p.archived_at),
        "trashedAt": opt_ts(p.trashed_at),
        "schedules": p.schedules.iter().map(schedule_json).collect::<Vec<_>>(),
    });
    if let (true, Value::Object(map)) = (include_sharing, &mut value) {
        map.insert("sharing".to_owned(), sharing_json(ws, &p.sharing));
    }
    value
}

fn analytics_json(a: &Analytics) -> Value {
    let [all_time, thirty, fourteen, seven] = a.app_views;
    json!({
        "publishedResultsUpdatedAt": opt_ts(a.published_results_updated_at),
        "lastViewedAt": opt_ts(a.last_viewed_at),
        "appViews": {"lastThirtyDays": thirty, "lastFourteenDays": fourteen,
            "lastSevenDays": seven, "allTime": all_time},
    })
}

/// All seven keys; only the sub-object matching the cadence is filled.
fn schedule_json(s: &Schedule) -> Value {
    let only = |cadence: Cadence, body: Value| {
        if s.cadence == cadence {
            body
        } else {
            Value::Null
        }
    };
    json!({
        "cadence": s.cadence.as_str(),
        "enabled": s.enabled,
        "hourly": only(Cadence::Hourly, json!({"timezone": s.timezone, "minute": s.minute})),
        "daily": only(Cadence::Daily, json!({"timezone": s.timezone, "minute": s.minute, "hour": s.hour})),
        "weekly": only(Cadence::Weekly, json!({"timezone": s.timezone, "minute": s.minute,
            "hour": s.hour, "dayOfWeek": s.day_of_week})),
        "monthly": only(Cadence::Monthly, json!({"timezone": s.timezone, "minute": s.minute,
            "hour": s.hour, "day": s.day})),
        "custom": only(Cadence::Custom, json!({"timezone": s.timezone, "cron": s.cron})),
    })
}

/// SharingResource: principals by email or name, as Hex reads them.
fn sharing_json(ws: &Workspace, s: &Sharing) -> Value {
    let users: Vec<Value> = s
        .users
        .iter()
        .map(|(id, access)| json!({"access": access.as_str(), "user": {"email": ws.email_of(id)}}))
        .collect();
    let collections: Vec<Value> = s
        .collections
        .iter()
        .filter_map(|(id, access)| {
            let name = &ws.collection(id)?.name;
            Some(json!({"access": access.as_str(), "collection": {"name": name}}))
        })
        .collect();
    let groups: Vec<Value> = s
        .groups
        .iter()
        .filter_map(|(id, access)| {
            let name = &ws.group(id)?.name;
            Some(json!({"access": access.as_str(), "group": {"name": name}}))
        })
        .collect();
    json!({
        "users": users,
        "collections": collections,
        "groups": groups,
        "workspace": {"access": s.workspace.as_str()},
        "publicWeb": {"access": s.public_web.as_str()},
        "support": {"access": s.support.as_str()},
    })
}
