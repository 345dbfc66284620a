//! CreateThread and ContinueThread: each prompt starts a turn that runs for `thread_running`.

use std::borrow::Cow;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{check_prompt, find_thread, ok, thread_url};
use crate::errors::{ApiError, ApiResult};
use crate::routes::extract::Json;
use crate::routes::projects::new_project;
use crate::routes::{AppState, origin, ts};
use crate::state::threads::{Resource, Status, Thread, Turn, format_id, plan, title_of};
use crate::state::{CELL_ORDER_GAP, Cell, CellType, Millis, Workspace, now_ms};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateBody {
    prompt: String,
    #[serde(default)]
    attachments: Option<Attachments>,
    // Not described by Hex; accepted and ignored.
    #[serde(default)]
    #[allow(dead_code)]
    preview_id: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    new_project: Option<bool>,
    #[serde(default)]
    muted: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FollowUpBody {
    prompt: String,
    #[serde(default)]
    attachments: Option<Attachments>,
}

/// `attachments`: every key optional. Tables and semantic objects are not emulated, so their
/// ids are accepted as given.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Attachments {
    #[serde(default)]
    data_connection_id: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    table_ids: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    semantic_dataset_ids: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    semantic_view_ids: Vec<String>,
    #[serde(default)]
    project_ids: Vec<String>,
}

/// `POST /v1/threads`: 200 `{threadId, url, createdAt, projectId}`; the thread is RUNNING.
pub(crate) async fn create(
    State(shared): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<CreateBody>,
) -> ApiResult<Response> {
    check_prompt(&body.prompt)?;
    if body.project_id.is_some() && body.new_project == Some(true) {
        return Err(ApiError::bad_request(
            "Invalid request body: `projectId` and `newProject` are mutually exclusive",
        ));
    }
    let now = now_ms();
    let running_ms = millis(shared.config.thread_running);
    let mut ws = shared.write();
    let mut resources = attached(&ws, body.attachments.as_ref())?;
    let project = match (&body.project_id, body.new_project) {
        (Some(id), _) => Some(known_project(&ws, "projectId", id)?),
        (None, Some(true)) => Some(new_thread_project(&mut ws, &body.prompt, now)),
        _ => None,
    };
    let turn = turn(&ws, body.prompt, now, running_ms, project, &resources);
    add_project_resource(&ws, &mut resources, turn.plan.project);
    let thread = Thread {
        id: Uuid::new_v4(),
        user: Some(ws.me),
        kind: if project.is_some() {
            "NOTEBOOK"
        } else {
            "THREADS"
        },
        source: "PUBLIC_API",
        title: title_of(&turn.prompt),
        sensitive: false,
        // Hex ignores `muted` for threads with a project.
        muted: project.is_none() && body.muted == Some(true),
        created_at: now,
        project,
        topics: ws.threads.topics_about(&turn.prompt),
        warnings: Vec::new(),
        warnings_generated_at: None,
        feedback: Vec::new(),
        summary: None,
        intent: None,
        resources,
        turns: vec![turn],
    };
    let answer = json!({
        "threadId": format_id(&thread.id),
        "url": thread_url(&origin(&headers), &thread.id),
        "createdAt": ts(now),
        "projectId": project.map(|id| id.to_string()),
    });
    ws.threads.insert(thread);
    Ok(ok(answer).into_response())
}

/// `POST /v1/threads/{id}/followup`: 200 `{threadId, url}`. Hex takes a follow-up only when the
/// thread is IDLE; it does not say with which status it refuses, the sandbox answers 400.
pub(crate) async fn follow_up(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<FollowUpBody>,
) -> ApiResult<Response> {
    check_prompt(&body.prompt)?;
    let now = now_ms();
    let running_ms = millis(shared.config.thread_running);
    let mut ws = shared.write();
    let thread = find_thread(&ws, &id)?;
    let thread_id = thread.id;
    refuse_unless_idle(&id, thread.status_at(now))?;
    let mut resources = attached(&ws, body.attachments.as_ref())?;
    let turn = turn(
        &ws,
        body.prompt,
        now,
        running_ms,
        thread.project,
        &resources,
    );
    add_project_resource(&ws, &mut resources, turn.plan.project);
    let topics = ws.threads.topics_about(&turn.prompt);
    let Some(thread) = ws.threads.threads.get_mut(&thread_id) else {
        return Err(ApiError::not_found("Thread", &id));
    };
    for resource in resources {
        if !thread.resources.iter().any(|r| r.id == resource.id) {
            thread.resources.push(resource);
        }
    }
    for topic in topics {
        if !thread.topics.contains(&topic) {
            thread.topics.push(topic);
        }
    }
    thread.turns.push(turn);
    let answer = json!({
        "threadId": format_id(&thread_id),
        "url": thread_url(&origin(&headers), &thread_id),
    });
    Ok(ok(answer).into_response())
}

fn refuse_unless_idle(id: &str, status: Status) -> ApiResult<()> {
    let reason = match status {
        Status::Idle => return Ok(()),
        Status::Running => format!(
            "Thread {id} is still RUNNING: the agent is working on the previous prompt, and follow-ups are not queued"
        ),
        Status::Error => format!("Thread {id} ended in ERROR: it cannot take follow-ups"),
    };
    Err(ApiError::bad_request(reason)
        .with_details("A follow-up needs an IDLE thread: check its status with GetThread"))
}

/// A new turn: the plan works in the thread's project, else in the first attached project.
fn turn(
    ws: &Workspace,
    prompt: String,
    now: Millis,
    running_ms: Millis,
    project: Option<Uuid>,
    attached: &[Resource],
) -> Turn {
    let attached_project = attached.iter().find(|r| r.kind == "PROJECT").map(|r| r.id);
    let plan = plan(ws, &prompt, project.or(attached_project));
    Turn {
        prompt,
        asked_at: now,
        running_ms,
        plan,
    }
}

/// The attached data connection and projects, each checked to exist.
fn attached(ws: &Workspace, attachments: Option<&Attachments>) -> ApiResult<Vec<Resource>> {
    let Some(attachments) = attachments else {
        return Ok(Vec::new());
    };
    let mut resources = Vec::new();
    if let Some(id) = &attachments.data_connection_id {
        let connection = Uuid::try_parse(id)
            .ok()
            .and_then(|uuid| ws.connection(&uuid))
            .ok_or_else(|| unknown("attachments.dataConnectionId", id, "data connection"))?;
        resources.push(Resource {
            id: connection.id,
            kind: "DATA_CONNECTION",
            name: connection.name.clone(),
        });
    }
    for id in &attachments.project_ids {
        let project = known_project(ws, "attachments.projectIds", id)?;
        add_project_resource(ws, &mut resources, Some(project));
    }
    Ok(resources)
}

fn add_project_resource(ws: &Workspace, resources: &mut Vec<Resource>, project: Option<Uuid>) {
    let Some(project) = project.and_then(|id| ws.projects.get(&id)) else {
        return;
    };
    if !resources.iter().any(|r| r.id == project.id) {
        resources.push(Resource {
            id: project.id,
            kind: "PROJECT",
            name: project.title.clone(),
        });
    }
}

/// A project id from a body (CreateThread declares no 404: an unknown one is a 400).
fn known_project(ws: &Workspace, field: &str, id: &str) -> ApiResult<Uuid> {
    Uuid::try_parse(id)
        .ok()
        .filter(|uuid| {
            ws.projects
                .get(uuid)
                .is_some_and(|p| p.trashed_at.is_none())
        })
        .ok_or_else(|| unknown(field, id, "project"))
}

fn unknown(field: &str, id: &str, kind: &str) -> ApiError {
    ApiError::bad_request(format!("Invalid `{field}`: no {kind} with id {id:?}"))
}

/// `newProject: true`: a new project owned by the token's user, with the SQL cell the agent
/// writes its query in.
fn new_thread_project(ws: &mut Workspace, prompt: &str, now: Millis) -> Uuid {
    let project = new_project(ws, title_of(prompt), None, now);
    let id = project.id;
    let cell = Cell {
        id: Uuid::new_v4(),
        static_id: Uuid::new_v4(),
        project_id: id,
        kind: CellType::Sql,
        label: Some("Agent query".to_owned()),
        data_connection: ws.connections.first().map(|c| c.id),
        source: Cow::Borrowed(
            "SELECT date_trunc('month', created_at) AS month, count(*) AS events\nFROM events\nGROUP BY 1\nORDER BY 1",
        ),
        output_dataframe: Some("agent_result".to_owned()),
        order: CELL_ORDER_GAP,
    };
    ws.insert_project(project);
    ws.insert_cell(cell);
    id
}

fn millis(duration: std::time::Duration) -> Millis {
    Millis::try_from(duration.as_millis()).unwrap_or(Millis::MAX)
}
