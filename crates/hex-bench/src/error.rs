//! The harness's one error type: a message for the person running it.

use std::fmt;

#[derive(Debug, Clone)]
pub struct BenchError(String);

impl BenchError {
    pub fn new(message: impl Into<String>) -> BenchError {
        BenchError(message.into())
    }

    /// The same error with what was being done in front.
    pub fn context(self, doing: impl fmt::Display) -> BenchError {
        BenchError(format!("{doing}: {}", self.0))
    }
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}
