//! The request log a test reads to check what was sent (secrets redacted).

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::faults::path_matches;

/// Fields whose values never reach the log (data-connection secrets, tokens).
const SECRET_FIELDS: &[&str] = &[
    "password",
    "privateKey",
    "passphrase",
    "secretAccessKey",
    "serviceAccountJsonConfig",
    "accessToken",
    "sslRootCert",
    "token",
];

/// The log keeps the newest entries only, so a long-running sandbox stays small.
const MAX_ENTRIES: usize = 50_000;

/// One request as the sandbox saw and answered it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// Path as sent, e.g. `/api/v1/projects/…/runs`.
    pub path: String,
    /// Query string without the `?`, if any.
    pub query: Option<String>,
    /// Status answered; 0 when the connection was dropped by a fault.
    pub status: u16,
    /// The JSON body, with secret fields replaced by `"[REDACTED]"`. A body that is not JSON is
    /// recorded as a string saying so (never its content).
    pub body: Option<Value>,
    /// The fault that answered the request, if any (`"status 503"`, `"dropped connection"`, …).
    pub fault: Option<String>,
    /// When the request arrived.
    #[serde(serialize_with = "serialize_time")]
    pub time: OffsetDateTime,
}

fn serialize_time<S: serde::Serializer>(time: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    let ms = i64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    s.serialize_str(&crate::state::format_time(ms))
}

impl LoggedRequest {
    /// A log entry for a request that has just arrived; status and fault are filled in later.
    pub(crate) fn arrived(method: &str, path: &str, query: Option<&str>, body: &[u8]) -> Self {
        LoggedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            status: 0,
            body: redacted_body(body),
            fault: None,
            time: OffsetDateTime::now_utc(),
        }
    }
}

fn redacted_body(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut value) => {
            redact(&mut value);
            Some(value)
        }
        Err(_) => Some(Value::String(format!("<{} bytes, not JSON>", bytes.len()))),
    }
}

/// Replaces every secret field, at any depth, by `"[REDACTED]"`.
pub(crate) fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && !inner.is_null() {
                    *inner = Value::String("[REDACTED]".to_owned());
                } else {
                    redact(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// The shared log.
#[derive(Default)]
pub(crate) struct RequestLog {
    entries: Mutex<VecDeque<LoggedRequest>>,
}

impl RequestLog {
    pub(crate) fn push(&self, entry: LoggedRequest) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// How many logged requests match the method (`*`/`ANY` for any) and path pattern.
    pub(crate) fn count(&self, method: &str, pattern: &str) -> usize {
        let any = method == "*" || method.eq_ignore_ascii_case("any");
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .filter(|e| any || e.method.eq_ignore_ascii_case(method))
            .filter(|e| path_matches(pattern, &e.path))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let body = json!({"name": "pg", "connectionDetails": {"postgres": {"password": "hunter2", "username": "u"}},
            "list": [{"accessToken": "t"}], "sslRootCert": null});
        let entry = LoggedRequest::arrived(
            "POST",
            "/api/v1/data-connections",
            None,
            body.to_string().as_bytes(),
        );
        let logged = entry.body.unwrap();
        assert_eq!(
            logged["connectionDetails"]["postgres"]["password"],
            "[REDACTED]"
        );
        assert_eq!(logged["connectionDetails"]["postgres"]["username"], "u");
        assert_eq!(logged["list"][0]["accessToken"], "[REDACTED]");
        assert!(!logged.to_string().contains("hunter2"));
    }

    #[test]
    fn non_json_bodies_are_not_copied() {
        let entry = LoggedRequest::arrived("POST", "/x", None, b"password=hunter2");
        assert!(!entry.body.unwrap().to_string().contains("hunter2"));
    }
}
