//! Endorsing a data connection's databases, schemas and tables (UpdateDataConnectionSchema).

use crate::registry::RegisteredTool;

pub fn tools() -> Vec<RegisteredTool> {
    vec![]
}
