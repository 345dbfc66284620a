//! (Being built: registers no tool yet.)

use crate::registry::RegisteredTool;

pub fn tools() -> Vec<RegisteredTool> {
    Vec::new()
}
