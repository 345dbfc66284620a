//! The tools of this area (toolset `threads`).

use crate::registry::RegisteredTool;

pub fn tools() -> Vec<RegisteredTool> {
    vec![]
}
