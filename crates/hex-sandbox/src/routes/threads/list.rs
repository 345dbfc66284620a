//! ListThreads (newest created first, with Hex's filters) and ListTopics (by name).

use axum::Json as AxumJson;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use uuid::Uuid;

use super::shared_fields;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::routes::extract::Query;
use crate::routes::{AppState, origin};
use crate::state::threads::{KINDS, ROLES, SOURCES, Thread, WARNING_TYPES, format_id, parse_id};
use crate::state::{Millis, Workspace, now_ms};

const DAY: Millis = 86_400_000;

/// ListThreads' filters, each checked against Hex's values.
struct Filter {
    source: Option<String>,
    user_id: Option<String>,
    kind: Option<String>,
    since: Option<Millis>,
    has_feedback: Option<bool>,
    roles: Vec<String>,
    warnings: Vec<String>,
    topics: Vec<Uuid>,
    resources: Vec<String>,
}

impl Filter {
    fn from_query(query: &Query, now: Millis) -> ApiResult<Filter> {
        let num_days = match query.get("numDays") {
            None => None,
            Some(_) => Some(query.int("numDays", 1, 100_000, 1)?),
        };
        let has_feedback = match query.get("hasFeedback") {
            None => None,
            Some(_) => Some(query.bool("hasFeedback")?),
        };
        Ok(Filter {
            source: one_of(query, "source", SOURCES)?,
            user_id: query.get("userId").map(str::to_owned),
            kind: one_of(query, "type", KINDS)?,
            since: num_days.map(|days| now - days * DAY),
            has_feedback,
            roles: all_of(query, "roles", ROLES)?,
            warnings: all_of(query, "warnings", WARNING_TYPES)?,
            // Ids that name no topic simply match nothing.
            topics: query
                .list("topicIds")
                .iter()
                .filter_map(|id| parse_id(id))
                .collect(),
            resources: query.list("resourceIds"),
        })
    }

    fn keeps(&self, ws: &Workspace, thread: &Thread) -> bool {
        let role = thread
            .user
            .and_then(|id| ws.user(&id))
            .map(|user| user.role.as_str());
        let user_id = thread.user.map(|id| id.to_string());
        !thread.muted
            && self.source.as_deref().is_none_or(|s| s == thread.source)
            && self.kind.as_deref().is_none_or(|k| k == thread.kind)
            && self
                .user_id
                .as_ref()
                .is_none_or(|id| user_id.as_ref() == Some(id))
            && self.since.is_none_or(|since| thread.created_at >= since)
            && self
                .has_feedback
                .is_none_or(|wanted| wanted != thread.feedback.is_empty())
            && (self.roles.is_empty() || role.is_some_and(|r| self.roles.iter().any(|x| x == r)))
            && (self.warnings.is_empty()
                || thread
                    .warnings
                    .iter()
                    .any(|w| self.warnings.iter().any(|x| x == w.kind)))
            && (self.topics.is_empty() || thread.topics.iter().any(|t| self.topics.contains(t)))
            && (self.resources.is_empty()
                || thread
                    .resources
                    .iter()
                    .any(|r| self.resources.contains(&r.id.to_string())))
    }
}

/// An optional enum parameter (exact case, as Hex's enums are).
fn one_of(query: &Query, name: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
    match query.get(name) {
        None => Ok(None),
        Some(value) if allowed.contains(&value) => Ok(Some(value.to_owned())),
        Some(value) => Err(invalid(name, value, allowed)),
    }
}

/// A comma-separated list of enum values.
fn all_of(query: &Query, name: &str, allowed: &[&str]) -> ApiResult<Vec<String>> {
    let values = query.list(name);
    match values.iter().find(|v| !allowed.contains(&v.as_str())) {
        Some(bad) => Err(invalid(name, bad, allowed)),
        None => Ok(values),
    }
}

fn invalid(name: &str, value: &str, allowed: &[&str]) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid value for query parameter `{name}`: expected one of {}, got {value:?}",
        allowed.join(", ")
    ))
}

/// `GET /v1/threads`: `{threads, pagination}`, newest created first. Muted threads are left out.
pub(crate) async fn threads(
    State(shared): State<AppState>,
    query: Query,
    headers: HeaderMap,
) -> ApiResult<AxumJson<Value>> {
    let page_request = query.page(100)?;
    let now = now_ms();
    let filter = Filter::from_query(&query, now)?;
    let ws = shared.read();
    let store = &ws.threads;
    let keep = |id: &Uuid| {
        store
            .threads
            .get(id)
            .is_some_and(|thread| filter.keeps(&ws, thread))
    };
    let page = paginate(&store.created, "threads", true, &page_request, keep)?;
    let origin = origin(&headers);
    let items: Vec<Value> = page
        .ids()
        .filter_map(|id| store.threads.get(id))
        .map(|thread| item_json(&ws, thread, &origin, now))
        .collect();
    Ok(AxumJson(
        json!({"threads": items, "pagination": page.pagination_json()}),
    ))
}

fn item_json(ws: &Workspace, thread: &Thread, origin: &str, now: Millis) -> Value {
    let mut item = shared_fields(ws, thread, origin, now);
    if let Value::Object(object) = &mut item {
        object.insert("id".into(), json!(format_id(&thread.id)));
        object.insert("orgId".into(), json!(ws.org_id.to_string()));
    }
    item
}

/// `GET /v1/context/topics`: `{topics, pagination}`, sorted by name.
pub(crate) async fn topics(
    State(shared): State<AppState>,
    query: Query,
) -> ApiResult<AxumJson<Value>> {
    let page_request = query.page(100)?;
    let ws = shared.read();
    let store = &ws.threads;
    let page = paginate(&store.topic_names, "topics", false, &page_request, |_| true)?;
    let topics: Vec<Value> = page
        .ids()
        .filter_map(|id| store.topics.get(id).map(|name| (id, name)))
        .map(|(id, name)| json!({"id": format_id(id), "name": name}))
        .collect();
    Ok(AxumJson(
        json!({"topics": topics, "pagination": page.pagination_json()}),
    ))
}
