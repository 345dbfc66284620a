//! The HTTP surface: Hex's routes under `/api/v1`, the admin routes under `/_sandbox`, and the
//! pipeline every API request goes through (log, latency, faults, auth, rate limits).

pub(crate) mod admin;
pub(crate) mod cells;
pub(crate) mod collections;
pub(crate) mod connections;
pub(crate) mod embedding;
pub(crate) mod extract;
mod faulty;
pub(crate) mod groups;
pub(crate) mod guides;
pub(crate) mod projects;
pub(crate) mod results;
pub(crate) mod runs;
pub(crate) mod schemas;
pub(crate) mod semantic;
pub(crate) mod sharing;
pub(crate) mod threads;
pub(crate) mod users;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde_json::{Value, json};

use crate::auth;
use crate::errors::{ApiError, trace_id};
use crate::faults::FaultKind;
use crate::log::LoggedRequest;
use crate::state::{Millis, Shared, format_time};

pub(crate) type AppState = Arc<Shared>;

/// Bodies above this size are refused with 413 (Hex's own limit is not documented; this is
/// axum's default body limit, which the JSON extractors apply too).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// The whole router: Hex's API plus the admin routes.
pub(crate) fn router(shared: AppState) -> Router {
    Router::new()
        .merge(api(shared.clone()))
        .merge(admin::router(shared))
}

fn api(shared: AppState) -> Router {
    Router::new()
        .route(
            "/api/v1/projects",
            get(projects::list).post(projects::create),
        )
        .route(
            "/api/v1/projects/{project_id}",
            get(projects::get).patch(projects::update),
        )
        .route(
            "/api/v1/projects/{project_id}/runs",
            get(runs::list).post(runs::run),
        )
        .route(
            "/api/v1/projects/{project_id}/runs/{run_id}",
            get(runs::status).delete(runs::cancel),
        )
        .route(
            "/api/v1/projects/{project_id}/sharing/users",
            patch(sharing::users),
        )
        .route(
            "/api/v1/projects/{project_id}/sharing/groups",
            patch(sharing::groups),
        )
        .route(
            "/api/v1/projects/{project_id}/sharing/collections",
            patch(sharing::collections),
        )
        .route(
            "/api/v1/projects/{project_id}/sharing/workspaceAndPublic",
            patch(sharing::workspace_and_public),
        )
        .route("/api/v1/cells", get(cells::list).post(cells::create))
        .route(
            "/api/v1/cells/{cell_id}",
            get(cells::get).patch(cells::update).delete(cells::delete),
        )
        .route(
            "/api/v1/collections",
            get(collections::list).post(collections::create),
        )
        .route(
            "/api/v1/collections/{collection_id}",
            get(collections::get).patch(collections::edit),
        )
        .route("/api/v1/groups", get(groups::list).post(groups::create))
        .route(
            "/api/v1/groups/{group_id}",
            get(groups::get).patch(groups::edit).delete(groups::delete),
        )
        .route(
            "/api/v1/data-connections",
            get(connections::list).post(connections::create),
        )
        .route(
            "/api/v1/data-connections/{connection_id}",
            get(connections::get).patch(connections::edit),
        )
        .route(
            "/api/v1/data-connections/{connection_id}/schema",
            patch(schemas::update),
        )
        .route("/api/v1/users/me", get(users::me))
        .route("/api/v1/users", get(users::list))
        .route(
            "/api/v1/users/{user_id}/deactivate",
            post(users::deactivate),
        )
        .merge(projects::routes())
        .merge(results::routes())
        .merge(threads::routes())
        .merge(guides::routes())
        .merge(semantic::routes())
        .merge(embedding::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(shared.clone(), pipeline))
        .with_state(shared)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Route not found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed on this route",
    )
}

/// Log, latency, faults, auth, rate limit, then the handler.
async fn pipeline(State(shared): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await;
    let mut entry = LoggedRequest::arrived(
        &method,
        &path,
        parts.uri.query(),
        bytes.as_deref().unwrap_or_default(),
    );
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let style = crate::errors::style_of(&method, &path);
    let fault = shared.faults.take(&method, &path);
    entry.fault = fault.as_ref().map(FaultKind::describe);
    let dropped = fault.as_ref().is_some_and(FaultKind::drops_connection);
    // Hex finishes what it started when its client goes away (a timeout, a dropped connection):
    // the answer is worked out apart from the connection, and the log records the request
    // either way.
    let work = tokio::spawn(async move {
        let response = crate::errors::STYLE
            .scope(style, answer(&shared, parts, bytes, fault, next))
            .await;
        entry.status = if dropped {
            0
        } else {
            response.status().as_u16()
        };
        tracing::debug!(method = %entry.method, path = %entry.path, status = entry.status, fault = ?entry.fault, "sandbox request");
        shared.log.push(entry);
        response
    });
    work.await.unwrap_or_else(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The sandbox failed to answer",
        )
        .into_response()
    })
}

/// The answer to a request: a fault's, or the handler's (possibly changed by the fault).
async fn answer(
    shared: &Shared,
    parts: axum::http::request::Parts,
    bytes: Result<Bytes, axum::Error>,
    fault: Option<FaultKind>,
    next: Next,
) -> Response {
    match (bytes, fault) {
        (
            _,
            Some(FaultKind::Status {
                status,
                retry_after,
                body,
            }),
        ) => status_fault(status, retry_after, body),
        (_, Some(FaultKind::DropConnection)) => dropped_connection(),
        (_, Some(FaultKind::MalformedBody)) => malformed_body(),
        (Ok(bytes), Some(FaultKind::EchoRequest { status })) => echo_fault(status, &bytes),
        (Err(_), _) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large").into_response()
        }
        (_, Some(FaultKind::ProxyPage { status })) => faulty::proxy_page(status),
        (Ok(bytes), Some(FaultKind::TruncatedBody)) => {
            faulty::truncated(serve(shared, parts, bytes, next).await).await
        }
        (Ok(bytes), Some(FaultKind::DropAfterServing)) => {
            drop(serve(shared, parts, bytes, next).await);
            dropped_connection()
        }
        (Ok(bytes), Some(FaultKind::ExtraFields)) => {
            let response = serve(shared, parts, bytes, next).await;
            faulty::rewrite_json(response, faulty::add_extra_fields).await
        }
        (Ok(bytes), Some(FaultKind::OmitFields { fields })) => {
            let response = serve(shared, parts, bytes, next).await;
            faulty::rewrite_json(response, |value| faulty::omit_fields(value, &fields)).await
        }
        (Ok(bytes), Some(FaultKind::StatusAfterServing { status })) => {
            drop(serve(shared, parts, bytes, next).await);
            status_fault(status, None, None)
        }
        (Ok(bytes), Some(FaultKind::Delay { delay_ms })) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            serve(shared, parts, bytes, next).await
        }
        (Ok(bytes), None) => serve(shared, parts, bytes, next).await,
    }
}

async fn serve(
    shared: &Shared,
    parts: axum::http::request::Parts,
    bytes: Bytes,
    next: Next,
) -> Response {
    if let Err(error) = auth::check(&parts.headers, &shared.config.token) {
        return error.into_response();
    }
    let key = auth::token_key(&parts.headers);
    if let Err(refusal) = shared
        .limiter
        .check(key, parts.method.as_str(), parts.uri.path())
    {
        return ApiError::rate_limited(refusal.retry_after_secs, refusal.details).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// An error that quotes the request back: its text in `reason`, its JSON in `details`.
fn echo_fault(status: u16, request: &[u8]) -> Response {
    let text = String::from_utf8_lossy(request);
    let parsed: Value = serde_json::from_slice(request).unwrap_or(Value::Null);
    let body = json!({
        "reason": format!("Could not validate the request {text}"),
        "details": parsed,
        "traceId": trace_id(),
    });
    status_fault(status, None, Some(body))
}

fn status_fault(status: u16, retry_after: Option<u64>, body: Option<Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match body {
        Some(body) => (status, axum::Json(body)).into_response(),
        None => {
            let reason = status.canonical_reason().unwrap_or("Injected fault");
            (
                status,
                axum::Json(json!({"reason": reason, "traceId": trace_id()})),
            )
                .into_response()
        }
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A body that fails before its first byte: hyper aborts the connection, so the client sees a
/// transport error rather than an answer.
fn dropped_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "connection dropped by a sandbox fault",
        ))
    });
    Response::new(Body::from_stream(failing))
}

fn malformed_body() -> Response {
    let mut response = Response::new(Body::from("{\"values\": [{\"id\": \"truncated"));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `http://host:port` as the client addressed us, for the absolute URLs Hex returns.
pub(crate) fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// A timestamp as JSON.
pub(crate) fn ts(ms: Millis) -> Value {
    Value::String(format_time(ms))
}

/// A nullable timestamp as JSON.
pub(crate) fn opt_ts(ms: Option<Millis>) -> Value {
    ms.map_or(Value::Null, ts)
}

/// A 201 with a JSON body.
pub(crate) fn created(body: Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// A JSON object `{values, pagination}` of a list answer.
pub(crate) fn list_json(values: Vec<Value>, pagination: Value) -> Value {
    json!({"values": values, "pagination": pagination})
}
