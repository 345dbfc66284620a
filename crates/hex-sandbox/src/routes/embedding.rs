//! CreatePresignedUrl: a single-use URL embedding a project's published app.

use axum::Json as AxumJson;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::extract::{Json, parse_uuid};
use super::projects::find;
use super::{AppState, origin};
use crate::errors::{ApiError, ApiResult};
use crate::seed::Rng;
use crate::state::embedding::IssuedUrl;
use crate::state::now_ms;

/// `expiresIn` when the request leaves it out: 15 s.
const DEFAULT_EXPIRES_IN_MS: f64 = 15_000.0;
/// The longest a URL may live: 300 s.
const MAX_EXPIRES_IN_MS: f64 = 300_000.0;

const SCOPES: &[&str] = &["EXPORT_PDF", "EXPORT_CSV"];
const DISPLAY_FLAGS: &[&str] = &[
    "showEmbeddedRunButton",
    "noEmbedHeaderPadding",
    "noEmbedBasePadding",
    "noEmbedOutline",
    "noEmbedFooter",
];

/// This area's routes, merged into the API router (behind the same pipeline).
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/embedding/createPresignedUrl/{project_id}",
        post(create_presigned_url),
    )
}

/// `POST /v1/embedding/createPresignedUrl/{projectId}`: checks the body as Hex documents it,
/// then signs a URL for a published, active project.
async fn create_presigned_url(
    State(shared): State<AppState>,
    Path(project_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<AxumJson<Value>> {
    let id = parse_uuid("projectId", &project_id)?;
    let expires_in = expires_in(&body)?;
    check_body(&body)?;
    let test_mode = match body.get("testMode") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => *flag,
        Some(_) => return Err(field_error("testMode", "must be a boolean")),
    };
    let mut ws = shared.write();
    let project = find(&ws, &id)?;
    if project.last_published_at.is_none() {
        return Err(ApiError::unprocessable(format!(
            "Project {id} has no published app to embed: publish it first"
        )));
    }
    if project.archived_at.is_some() || project.trashed_at.is_some() {
        return Err(ApiError::unprocessable(format!(
            "Project {id} is archived or trashed and cannot be embedded"
        )));
    }
    let issued_at = now_ms();
    let signature =
        Rng::new(u64::try_from(issued_at).unwrap_or(0) ^ ws.embedding.issued.len() as u64)
            .uuid()
            .simple()
            .to_string();
    // The check above keeps the value within 1..=300,000, so the cast is exact.
    let expires_in_ms = expires_in as u64;
    let url = format!(
        "{}/embed/{id}?signature={signature}&expires={}",
        origin(&headers),
        issued_at.saturating_add(i64::try_from(expires_in_ms).unwrap_or(0))
    );
    ws.embedding.issued.push(IssuedUrl {
        project_id: id,
        url: url.clone(),
        expires_in_ms,
        test_mode,
    });
    Ok(AxumJson(json!({ "url": url })))
}

fn field_error(field: &str, problem: &str) -> ApiError {
    ApiError::bad_request(format!("Invalid request body: `{field}` {problem}"))
}

/// `expiresIn` in milliseconds: a number above 0 and at most 300,000 (default 15,000).
fn expires_in(body: &Map<String, Value>) -> ApiResult<f64> {
    match body.get("expiresIn") {
        None | Some(Value::Null) => Ok(DEFAULT_EXPIRES_IN_MS),
        Some(value) => match value.as_f64() {
            Some(ms) if ms > 0.0 && ms <= MAX_EXPIRES_IN_MS => Ok(ms.round().max(1.0)),
            _ => Err(field_error(
                "expiresIn",
                "must be a number of milliseconds from 1 to 300000 (at most 300 seconds)",
            )),
        },
    }
}

/// `scope`, `hexUserAttributes`, `inputParameters` and `displayOptions`, typed as Hex types them.
fn check_body(body: &Map<String, Value>) -> ApiResult<()> {
    if let Some(scope) = body.get("scope").filter(|v| !v.is_null()) {
        let known = scope.as_array().is_some_and(|items| {
            items
                .iter()
                .all(|s| s.as_str().is_some_and(|s| SCOPES.contains(&s)))
        });
        if !known {
            return Err(field_error(
                "scope",
                "must be a list of EXPORT_PDF, EXPORT_CSV",
            ));
        }
    }
    if let Some(attributes) = body.get("hexUserAttributes").filter(|v| !v.is_null()) {
        let strings = attributes
            .as_object()
            .is_some_and(|map| map.values().all(Value::is_string));
        if !strings {
            return Err(field_error(
                "hexUserAttributes",
                "must map names to strings",
            ));
        }
    }
    if let Some(inputs) = body.get("inputParameters").filter(|v| !v.is_null())
        && !inputs.is_object()
    {
        return Err(field_error(
            "inputParameters",
            "must be an object keyed by input name",
        ));
    }
    if let Some(options) = body.get("displayOptions").filter(|v| !v.is_null()) {
        check_display_options(options)?;
    }
    Ok(())
}

fn check_display_options(options: &Value) -> ApiResult<()> {
    let Some(options) = options.as_object() else {
        return Err(field_error("displayOptions", "must be an object"));
    };
    if let Some(theme) = options.get("theme")
        && !matches!(theme.as_str(), Some("light" | "dark"))
    {
        return Err(field_error("displayOptions.theme", "must be light or dark"));
    }
    for flag in DISPLAY_FLAGS {
        if options.get(*flag).is_some_and(|v| !v.is_boolean()) {
            return Err(field_error(
                &format!("displayOptions.{flag}"),
                "must be a boolean",
            ));
        }
    }
    Ok(())
}
