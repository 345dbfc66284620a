//! MCP logging for 2025-era clients: after `logging/setLevel`, each tool call's log line (tool,
//! outcome, duration; never arguments) also goes to the client as `notifications/message`, for
//! the log pane clients show. Quiet until a client asks. The 2026-07-28 protocol drops MCP logging
//! (SEP-2577), hence rmcp's deprecation of these types.
#![allow(deprecated)]

use std::sync::{Arc, Mutex, PoisonError};

use rmcp::{
    Peer, RoleServer,
    model::{LoggingLevel, LoggingMessageNotificationParam},
};
use serde_json::json;

/// One session's chosen level (none: send nothing).
#[derive(Clone, Default)]
pub struct ClientLog(Arc<Mutex<Option<LoggingLevel>>>);

impl ClientLog {
    pub fn set(&self, level: LoggingLevel) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(level);
    }

    /// Sends a call's line if the session asked for its level (errors are warnings).
    pub async fn call_ended(&self, peer: &Peer<RoleServer>, tool: &str, outcome: &str, ms: u64) {
        let level = match outcome {
            "error" | "timeout" => LoggingLevel::Warning,
            _ => LoggingLevel::Info,
        };
        let wanted = *self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if wanted.is_none_or(|wanted| severity(level) < severity(wanted)) {
            return;
        }
        let data = json!({"message": "tool call", "tool": tool, "outcome": outcome, "ms": ms});
        let message =
            LoggingMessageNotificationParam::new(level, data).with_logger("hex_mcp::calls");
        // A client that went away misses a log line; the call's answer is what matters.
        let _ = peer.notify_logging_message(message).await;
    }
}

/// RFC 5424's order, which MCP's levels follow.
fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}
