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
mod limits;
mod projects;
mod runs;
mod seed;
mod sharing;
mod threads;
