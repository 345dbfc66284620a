//! The tools, one module per area of Hex's API (the same areas as the client and the sandbox).

use crate::registry::{RegisteredTool, Registry};

pub mod cells;
pub mod collections;
pub mod common;
pub mod connections;
pub mod embedding;
pub mod groups;
pub mod guides;
pub mod pattern;
pub mod projects;
pub mod results;
pub mod runs;
pub mod semantic;
pub mod sharing;
pub mod threads;
pub mod users;
pub mod vocab;
pub mod workflows;

/// Every tool of this binary, in the order `tools/list` shows them.
pub fn registry() -> Registry {
    let areas: [fn() -> Vec<RegisteredTool>; 14] = [
        projects::tools,
        runs::tools,
        cells::tools,
        results::tools,
        sharing::tools,
        collections::tools,
        groups::tools,
        connections::tools,
        users::tools,
        threads::tools,
        guides::tools,
        semantic::tools,
        embedding::tools,
        workflows::tools,
    ];
    Registry::new(areas.iter().flat_map(|area| area()).collect())
}
