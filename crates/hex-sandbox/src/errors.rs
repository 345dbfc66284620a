//! Hex-shaped error answers: `{reason, details?, traceId}`, and RunProject's InvalidParamPayload.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

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

    pub(crate) fn with_details(mut self, text: impl Into<String>) -> Self {
        if let ErrorBody::Standard { details, .. } = &mut self.body {
            *details = Some(text.into());
        }
        self
    }

    fn body_json(&self) -> Value {
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
