//! Admin routes for a sandbox running in another process (same bearer token), outside `/api`:
//! read and clear the request log, inject faults. They are neither logged nor rate limited.

use axum::Json as AxumJson;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::AppState;
use super::extract::Json;
use crate::auth;
use crate::faults::FaultRule;
use crate::log::LoggedRequest;

pub(crate) fn router(shared: AppState) -> Router {
    Router::new()
        .route("/_sandbox/requests", get(requests).delete(clear))
        .route("/_sandbox/faults", post(inject))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            require_token,
        ))
        .with_state(shared)
}

async fn require_token(State(shared): State<AppState>, request: Request, next: Next) -> Response {
    match auth::check(request.headers(), &shared.config.token) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

/// `GET /_sandbox/requests`: the log, oldest first.
async fn requests(State(shared): State<AppState>) -> AxumJson<Vec<LoggedRequest>> {
    AxumJson(shared.log.snapshot())
}

/// `DELETE /_sandbox/requests`
async fn clear(State(shared): State<AppState>) -> StatusCode {
    shared.log.clear();
    StatusCode::NO_CONTENT
}

/// `POST /_sandbox/faults` with a [`FaultRule`] as JSON; answers 201 with the rule.
async fn inject(State(shared): State<AppState>, Json(rule): Json<FaultRule>) -> Response {
    shared.faults.inject(rule.clone());
    (StatusCode::CREATED, AxumJson(rule)).into_response()
}
