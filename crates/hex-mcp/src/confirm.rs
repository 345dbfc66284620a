//! Confirmation tokens for risky changes when the client cannot ask its user directly.
//!
//! A token is random, short-lived, single-use, and bound to one tool and its exact arguments:
//! a token issued to delete group A cannot delete group B, and cannot be used twice.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use rmcp::model::JsonObject;
use serde_json::Value;

/// How long a preview stays confirmable.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Never issued, or already used.
    Unknown,
    Expired,
    /// Issued for another tool or other arguments.
    Mismatch,
}

impl Rejection {
    pub fn explain(self) -> &'static str {
        match self {
            Rejection::Unknown => "the confirmation token is unknown or was already used",
            Rejection::Expired => "the confirmation token has expired",
            Rejection::Mismatch => {
                "the confirmation token was issued for a different tool or different arguments"
            }
        }
    }
}

struct Pending {
    tool: String,
    fingerprint: String,
    expires: Instant,
}

#[derive(Default)]
pub struct Confirmations {
    pending: Mutex<HashMap<String, Pending>>,
}

impl Confirmations {
    /// Issues a token for this exact call.
    pub fn issue(&self, tool: &str, arguments: &JsonObject) -> String {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let now = Instant::now();
        let mut pending = self.lock();
        pending.retain(|_, entry| entry.expires > now);
        pending.insert(
            token.clone(),
            Pending {
                tool: tool.to_string(),
                fingerprint: fingerprint(arguments),
                expires: now + TOKEN_LIFETIME,
            },
        );
        token
    }

    /// Accepts a token once, for the call it was issued for.
    pub fn redeem(&self, token: &str, tool: &str, arguments: &JsonObject) -> Result<(), Rejection> {
        // Removed whatever the outcome: a token that failed a check cannot be retried.
        let entry = self.lock().remove(token.trim()).ok_or(Rejection::Unknown)?;
        if entry.expires <= Instant::now() {
            return Err(Rejection::Expired);
        }
        if entry.tool != tool || entry.fingerprint != fingerprint(arguments) {
            return Err(Rejection::Mismatch);
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[cfg(test)]
    fn age_all(&self, by: Duration) {
        for entry in self.lock().values_mut() {
            entry.expires = entry.expires.checked_sub(by).unwrap_or_else(Instant::now);
        }
    }
}

/// The arguments in a canonical form (keys sorted at every depth, nulls dropped at the top,
/// as the parser drops them), so `{a, b}` and `{b, a}` are the same call.
fn fingerprint(arguments: &JsonObject) -> String {
    let canonical: JsonObject = arguments
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| (key.clone(), canonical(value)))
        .collect();
    let mut entries: Vec<(&String, &Value)> = canonical.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    serde_json::to_string(&entries).unwrap_or_default()
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(&String, &Value)> = object.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.clone(), canonical(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(value: Value) -> JsonObject {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_token_works_once_for_its_exact_call() {
        let store = Confirmations::default();
        let call = args(json!({"group_id": "a", "extra": {"y": 1, "x": 2}}));
        let token = store.issue("delete_hex_group", &call);
        let reordered = args(json!({"extra": {"x": 2, "y": 1}, "group_id": "a", "n": null}));
        assert_eq!(store.redeem(&token, "delete_hex_group", &reordered), Ok(()));
        assert_eq!(
            store.redeem(&token, "delete_hex_group", &call),
            Err(Rejection::Unknown)
        );
    }

    #[test]
    fn other_arguments_or_tools_are_refused_and_burn_the_token() {
        let store = Confirmations::default();
        let call = args(json!({"group_id": "a"}));
        let token = store.issue("delete_hex_group", &call);
        let other = args(json!({"group_id": "b"}));
        assert_eq!(
            store.redeem(&token, "delete_hex_group", &other),
            Err(Rejection::Mismatch)
        );
        assert_eq!(
            store.redeem(&token, "delete_hex_group", &call),
            Err(Rejection::Unknown)
        );
        let token = store.issue("delete_hex_group", &call);
        assert_eq!(
            store.redeem(&token, "update_hex_group", &call),
            Err(Rejection::Mismatch)
        );
    }

    #[test]
    fn stale_tokens_are_refused() {
        let store = Confirmations::default();
        let call = args(json!({"group_id": "a"}));
        let token = store.issue("delete_hex_group", &call);
        store.age_all(TOKEN_LIFETIME + Duration::from_secs(1));
        assert_eq!(
            store.redeem(&token, "delete_hex_group", &call),
            Err(Rejection::Expired)
        );
        assert_eq!(
            store.redeem("made-up", "delete_hex_group", &call),
            Err(Rejection::Unknown)
        );
    }
}
