//! The tools, one module per area of Hex's API (the same areas as the client and the sandbox).

use crate::registry::{RegisteredTool, Registry};

pub mod common;
pub mod projects;
pub mod vocab;

/// Every tool of this binary, in the order `tools/list` shows them.
pub fn registry() -> Registry {
    let mut tools: Vec<RegisteredTool> = Vec::new();
    tools.extend(projects::tools());
    Registry::new(tools)
}
