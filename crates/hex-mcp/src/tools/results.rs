//! The tools of this area (toolset `results`).

use crate::registry::RegisteredTool;

pub fn tools() -> Vec<RegisteredTool> {
    vec![]
}
