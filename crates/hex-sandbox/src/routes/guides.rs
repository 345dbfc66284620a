//! Routes of this area (see `state` for its data).

use axum::Router;

use super::AppState;

/// This area's routes, merged into the API router (behind the same pipeline).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
