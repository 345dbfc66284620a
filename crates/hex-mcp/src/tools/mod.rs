//! The tools, one module per area of Hex's API (the same areas as the client and the sandbox).

use crate::registry::{RegisteredTool, Registry};

pub mod cells;
pub mod collections;
pub mod common;
pub mod connections;
pub mod groups;
pub mod projects;
pub mod runs;
pub mod sharing;
pub mod users;
pub mod vocab;

/// Every tool of this binary, in the order `tools/list` shows them.
pub fn registry() -> Registry {
    let areas: [fn() -> Vec<RegisteredTool>; 8] = [
        projects::tools,
        runs::tools,
        cells::tools,
        sharing::tools,
        collections::tools,
        groups::tools,
        connections::tools,
        users::tools,
    ];
    Registry::new(areas.iter().flat_map(|area| area()).collect())
}
