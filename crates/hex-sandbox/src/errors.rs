//! Hex-shaped error answers in the generation of the operation that failed (endpoints.md §1.2):
//! the 22 legacy operations answer `{reason, details?, traceId}`, the other 30
//! `{message, code, issues?}`. The pipeline sets the generation per request (a task-local), so a
//! handler only says what went wrong.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Which error body an operation declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorStyle {
    /// `{reason, details?, traceId}`.
    Legacy,
    /// `{message, code, issues?}`.
    New,
}

tokio::task_local! {
    /// The error body style of the request being served.
    pub(crate) static STYLE: ErrorStyle;
}

/// The style of the request being served (legacy outside a request, e.g. in unit tests).
fn current_style() -> ErrorStyle {
    STYLE.try_with(|style| *style).unwrap_or(ErrorStyle::Legacy)
}

/// The legacy operations (method, path pattern relative to `/api`); every other route is new.
const LEGACY: &[(&str, &str)] = &[
    ("POST", "/v1/embedding/createPresignedUrl/*"),
    ("GET", "/v1/projects"),
    ("GET", "/v1/projects/*/queriedTables"),
    ("PATCH", "/v1/projects/*/sharing/collections"),
    ("POST", "/v1/semantic-projects/*/ingest"),
    ("POST", "/v1/semantic-models/*/ingest"),
    ("PATCH", "/v1/semantic-projects/*"),
    ("PATCH", "/v1/semantic-models/*"),
    ("DELETE", "/v1/projects/*/runs/*"),
    ("GET", "/v1/groups/*"),
    ("DELETE", "/v1/groups/*"),
    ("PATCH", "/v1/groups/*"),
    ("GET", "/v1/groups"),
    ("POST", "/v1/groups"),
    ("POST", "/v1/data-connections"),
    ("PATCH", "/v1/data-connections/*"),
    ("PATCH", "/v1/data-connections/*/schema"),
    ("PUT", "/v1/guides/draft"),
    ("POST", "/v1/guides/publish"),
    ("DELETE", "/v1/guides/draft/*"),
    ("GET", "/v1/collections/*"),
    ("PATCH", "/v1/collections/*"),
    ("GET", "/v1/collections"),
    ("POST", "/v1/collections"),
];

/// The error style of `method path`.
pub(crate) fn style_of(method: &str, path: &str) -> ErrorStyle {
    let legacy = LEGACY
        .iter()
        .any(|(m, pattern)| *m == method && crate::faults::path_matches(pattern, path));
    if legacy {
        ErrorStyle::Legacy
    } else {
        ErrorStyle::New
    }
}

/// The new body's `code` for a status, as Hex's examples write them.
fn code_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        413 => "PAYLOAD_TOO_LARGE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        422 => "UNPROCESSABLE_CONTENT",
        429 => "TOO_MANY_REQUESTS",
        503 => "SERVICE_UNAVAILABLE",
        _ => "INTERNAL_SERVER_ERROR",
    }
}

/// A new trace id, as Hex puts in every answer (an opaque string).
pub(crate) fn trace_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// An error the sandbox answers with, already shaped the way Hex shapes it.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<u64>,
}

#[derive(Debug)]
enum ErrorBody {
    Standard {
        reason: String,
        details: Option<String>,
    },
    /// RunProject's 422 for input parameters of the wrong type.
    InvalidParams { invalid: Vec<Value> },
    /// A legacy body with structured members beside `reason`: the status batches' `details`
    /// array, IngestSemanticProject's `problems`.
    Structured {
        reason: String,
        fields: serde_json::Map<String, Value>,
    },
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody::Standard {
                reason: reason.into(),
                details: None,
            },
            retry_after: None,
        }
    }

    pub(crate) fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }

    /// 404 naming the kind of object, e.g. `not_found("Project", id)`.
    pub(crate) fn not_found(kind: &str, id: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{kind} not found: {id}"))
    }

    pub(crate) fn unprocessable(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, reason)
    }

    pub(crate) fn unauthorized(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, reason)
    }

    pub(crate) fn rate_limited(retry_after: u64, details: String) -> Self {
        let mut error =
            Self::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded").with_details(details);
        error.retry_after = Some(retry_after);
        error
    }

    /// RunProject 422: `{traceId, invalid: [...], notFound: []}`.
    pub(crate) fn invalid_params(invalid: Vec<Value>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: ErrorBody::InvalidParams { invalid },
            retry_after: None,
        }
    }

    /// A legacy error whose body carries `fields` (e.g. `details: [...]`) beside `reason`.
    pub(crate) fn structured(
        status: StatusCode,
        reason: impl Into<String>,
        fields: serde_json::Map<String, Value>,
    ) -> Self {
        ApiError {
            status,
            body: ErrorBody::Structured {
                reason: reason.into(),
                fields,
            },
            retry_after: None,
        }
    }

    pub(crate) fn with_details(mut self, text: impl Into<String>) -> Self {
        if let ErrorBody::Standard { details, .. } = &mut self.body {
            *details = Some(text.into());
        }
        self
    }

    fn body_json(&self) -> Value {
        if current_style() == ErrorStyle::New {
            return self.new_body_json();
        }
        match &self.body {
            ErrorBody::Standard { reason, details } => match details {
                Some(details) => {
                    json!({"reason": reason, "details": details, "traceId": trace_id()})
                }
                None => json!({"reason": reason, "traceId": trace_id()}),
            },
            ErrorBody::InvalidParams { invalid } => {
                json!({"traceId": trace_id(), "invalid": invalid, "notFound": []})
            }
            ErrorBody::Structured { reason, fields } => {
                let mut body = serde_json::Map::new();
                body.insert("reason".into(), json!(reason));
                body.extend(fields.clone());
                body.insert("traceId".into(), json!(trace_id()));
                Value::Object(body)
            }
        }
    }
}

impl ApiError {
    /// `{message, code, issues?}`: the details (or each rejected input) become issues.
    fn new_body_json(&self) -> Value {
        let code = code_of(self.status);
        match &self.body {
            ErrorBody::Standard { reason, details } => match details {
                Some(details) => {
                    json!({"message": reason, "code": code, "issues": [{"message": details}]})
                }
                None => json!({"message": reason, "code": code}),
            },
            ErrorBody::InvalidParams { invalid } => {
                let issues: Vec<Value> = invalid
                    .iter()
                    .map(|param| {
                        json!({"message": format!(
                            "input {} = {} is not a valid {}",
                            param["paramName"].as_str().unwrap_or("?"),
                            param["paramValue"].as_str().unwrap_or("?"),
                            param["dataType"].as_str().unwrap_or("value"),
                        )})
                    })
                    .collect();
                json!({"message": "Invalid input parameters", "code": code, "issues": issues})
            }
            // Only legacy operations answer with these; a new-style body keeps the reason.
            ErrorBody::Structured { reason, .. } => json!({"message": reason, "code": code}),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body_json();
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Handlers answer either a response or a Hex-shaped error.
pub(crate) type ApiResult<T> = Result<T, ApiError>;
