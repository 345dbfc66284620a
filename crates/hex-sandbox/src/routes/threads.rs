//! Hex's agent: CreateThread, ContinueThread and GetThread here; ListThreads and ListTopics in
//! `list`, GetThreadMessages in `messages`. A thread is RUNNING for `thread_running` after each
//! prompt, then IDLE with its answer, or ERROR for a prompt holding `[sandbox:error]`.

mod ask;
mod list;
mod messages;

use axum::Json as AxumJson;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{AppState, opt_ts, origin, ts};
use crate::errors::{ApiError, ApiResult};
use crate::state::threads::{Block, Thread, format_id, parse_id};
use crate::state::{Millis, Workspace, now_ms};

/// This area's routes, merged into the API router (behind the same pipeline).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/threads", get(list::threads).post(ask::create))
        .route("/api/v1/threads/{id}", get(get_thread))
        .route("/api/v1/threads/{id}/followup", post(ask::follow_up))
        .route("/api/v1/threads/{id}/messages", get(messages::messages))
        .route("/api/v1/context/topics", get(list::topics))
}

/// The thread a path names; ids are plain strings, so one that is not a thread's is a 404.
fn find_thread<'a>(ws: &'a Workspace, id: &str) -> ApiResult<&'a Thread> {
    parse_id(id)
        .and_then(|uuid| ws.thread(&uuid))
        .ok_or_else(|| ApiError::not_found("Thread", id))
}

/// Where a thread is opened in Hex.
fn thread_url(origin: &str, id: &Uuid) -> String {
    format!("{origin}/acme/threads/{}", format_id(id))
}

/// `GET /v1/threads/{id}`: one flat object with the status and, when available, the response.
async fn get_thread(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<AxumJson<Value>> {
    let ws = shared.read();
    let thread = find_thread(&ws, &id)?;
    let now = now_ms();
    let visible = thread.visible_to(ws.me);
    let latest = thread.latest();
    let response = latest
        .filter(|_| visible)
        .and_then(|turn| turn.response_at(now))
        .map(|blocks| blocks.into_iter().map(block_json).collect::<Vec<_>>());
    let error = latest
        .filter(|turn| turn.is_done(now))
        .and_then(|turn| turn.plan.failure.as_ref())
        .map_or(
            Value::Null,
            |failure| json!({"type": failure.kind, "message": failure.message}),
        );
    let mut body = shared_fields(&ws, thread, &origin(&headers), now);
    if let Value::Object(object) = &mut body {
        object.insert("threadId".into(), json!(format_id(&thread.id)));
        object.insert("status".into(), json!(thread.status_at(now).as_str()));
        object.insert("error".into(), error);
        object.insert("resources".into(), resources_json(thread));
        object.insert("response".into(), json!(response));
    }
    Ok(AxumJson(body))
}

/// The fields GetThread and ListThreads items share; a private thread's title is hidden from
/// everyone but its author.
fn shared_fields(ws: &Workspace, thread: &Thread, origin: &str, now: Millis) -> Value {
    let title = thread.visible_to(ws.me).then_some(&thread.title);
    let topics: Vec<Value> = thread
        .topics
        .iter()
        .filter_map(|id| ws.threads.topics.get(id).map(|name| (id, name)))
        .map(|(id, name)| json!({"id": format_id(id), "name": name}))
        .collect();
    let warnings: Vec<Value> = thread
        .warnings
        .iter()
        .map(|w| json!({"id": format_id(&w.id), "type": w.kind, "summary": w.summary}))
        .collect();
    let feedback: Vec<Value> = thread
        .feedback
        .iter()
        .map(|f| {
            json!({"id": format_id(&f.id), "userFeedback": f.text, "type": f.kind,
                "selectedReason": f.reason, "userLiked": f.liked})
        })
        .collect();
    json!({
        "url": thread_url(origin, &thread.id),
        "title": title,
        "creditsUsed": thread.credits_at(now),
        "topics": topics,
        "warnings": warnings,
        "feedback": feedback,
        "warningsGeneratedAt": opt_ts(thread.warnings_generated_at),
        "threadSummary": thread.summary,
        "threadIntent": thread.intent,
        "model": "Auto",
        "auto": true,
        "effectiveModel": "hex-sandbox-agent",
        "effortLevel": "medium",
        "userId": thread.user.map(|id| id.to_string()),
        "type": thread.kind,
        "source": thread.source,
        "createdAt": ts(thread.created_at),
        "updatedAt": ts(thread.updated_at(now)),
        "sensitive": thread.sensitive,
    })
}

fn resources_json(thread: &Thread) -> Value {
    let resources: Vec<Value> = thread
        .resources
        .iter()
        .map(|r| json!({"id": r.id.to_string(), "resourceType": r.kind, "name": r.name}))
        .collect();
    Value::Array(resources)
}

fn block_json(block: &Block) -> Value {
    match block {
        Block::Text(text) => json!({"type": "text", "text": text}),
        Block::Cell {
            id,
            static_id,
            label,
        } => {
            json!({"type": "cell", "id": id.to_string(), "staticId": static_id.to_string(), "label": label})
        }
        Block::Project { id, title } => {
            json!({"type": "project", "id": id.to_string(), "title": title})
        }
        Block::Task(title) => json!({"type": "task", "title": title}),
    }
}

/// `prompt` has `minLength: 1`.
fn check_prompt(prompt: &str) -> ApiResult<()> {
    if prompt.is_empty() {
        return Err(ApiError::bad_request(
            "Invalid request body: `prompt` must not be empty",
        ));
    }
    Ok(())
}

/// A 200 with a JSON body.
fn ok(body: Value) -> (StatusCode, AxumJson<Value>) {
    (StatusCode::OK, AxumJson(body))
}
