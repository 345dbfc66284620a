//! Projects beyond finding and reading them: create, set status, export, queried tables.

use crate::registry::RegisteredTool;

pub fn tools() -> Vec<RegisteredTool> {
    vec![]
}
