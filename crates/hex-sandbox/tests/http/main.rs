//! The sandbox over real HTTP on loopback, as a client sees it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

mod auth_errors;
mod cells;
mod connections;
mod faults_log;
mod groups_users;
mod guides;
mod limits;
mod project_admin;
mod projects;
mod results;
mod runs;
mod seed;
mod semantic;
mod sharing;
mod threads;
