//! The tools of this area (toolset `guides`).

use crate::registry::RegisteredTool;

pub fn tools() -> Vec<RegisteredTool> {
    vec![]
}
