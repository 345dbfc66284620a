//! Contract tests: `hex-client` against a running `hex-sandbox` over loopback HTTP, one sandbox
//! per test. Each area has its own module; `shapes` reads Hex's raw JSON and checks its keys against
//! the reference digest (`../shared/hex-api/endpoints.md`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

mod cells;
mod collections;
mod connections;
mod embedding;
mod enums;
mod errors;
mod groups;
mod guides;
mod pacing;
mod pagination;
mod project_admin;
mod projects;
mod resilience;
mod results;
mod runs;
mod secrets;
mod semantic;
mod shapes;
mod sharing;
mod threads;
mod users;
