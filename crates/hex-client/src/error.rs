//! The one error type of the client. Every message says what failed and, where Hex told us, why,
//! so a person (or a model) can act on it. The token never appears in any of them.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::api::semantic::Problem;
use crate::limits::RateGroup;
use crate::wire::Extra;

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// Hex answered with an error status (4xx, 500, or an unexpected redirect).
    #[error("{}", api_message(*status, reason.as_deref(), code.as_deref(), details.as_deref(), invalid, not_found, trace_id.as_deref()))]
    Api {
        /// HTTP status.
        status: u16,
        /// What Hex said went wrong: `reason` in the legacy body, `message` in the new one.
        reason: Option<String>,
        /// The new body's `code`, e.g. `NOT_FOUND` (an open set: kept as sent).
        code: Option<String>,
        /// Hex's `details` (a string for most legacy endpoints, an array for the status-update
        /// batches) or the new body's `issues`. Boxed to keep `HexError` small (clippy's
        /// `result_large_err` in every caller).
        details: Option<Box<ErrorDetails>>,
        /// Hex's `traceId`, to quote to Hex support (legacy bodies only).
        trace_id: Option<String>,
        /// 422 `invalid`: input parameters Hex could not parse (RunProject, older descriptions).
        invalid: Box<[InvalidParam]>,
        /// 422 `notFound`: input parameter names the project does not have (RunProject, older
        /// descriptions).
        not_found: Box<[String]>,
    },
    /// Too many requests: Hex answered 429, or the client's own pacing would have to wait too long.
    #[error("rate limited ({source}){}", retry_hint(*retry_after))]
    RateLimited {
        /// How long to wait before trying again, when known.
        retry_after: Option<Duration>,
        /// Who refused: Hex, or the client's pacing for a rate-limit group.
        source: RateLimitSource,
    },
    /// Hex answered 502, 503 or 504 (after the retries allowed for the request, if any).
    #[error("Hex is unavailable (HTTP {status} {}){}{}{}", status_text(*status), reason_part(reason.as_deref()), retry_hint(*retry_after), trace_part(trace_id.as_deref()))]
    Unavailable {
        /// HTTP status.
        status: u16,
        /// Hex's `reason`, if the body carried one.
        reason: Option<String>,
        /// Hex's `traceId`, if the body carried one.
        trace_id: Option<String>,
        /// `Retry-After`, if sent.
        retry_after: Option<Duration>,
    },
    /// No answer within the configured total timeout. Never retried automatically: Hex may still
    /// be processing the request.
    #[error("Hex did not answer {} within {} s (request timed out; Hex may still process it: check before repeating a call that creates something)", request_of(operation), timeout.as_secs_f64())]
    Timeout {
        /// Hex's operation name, e.g. `GetRunStatus`.
        operation: &'static str,
        /// The total timeout that expired.
        timeout: Duration,
    },
    /// The request did not reach Hex (DNS, TCP, TLS) or the connection broke before the answer
    /// was complete (reset, closed), in which case Hex may have received the request.
    #[error("{}", network_message(operation, detail, source))]
    Network {
        /// Hex's operation name.
        operation: &'static str,
        /// The innermost cause, without the URL.
        detail: String,
        /// The underlying transport error.
        source: reqwest::Error,
    },
    /// Hex answered with a success status but a body this client cannot read.
    #[error(
        "could not read Hex's answer to {operation} (HTTP {status}): {message}; body starts with: {excerpt}"
    )]
    Decode {
        /// Hex's operation name.
        operation: &'static str,
        /// HTTP status of the answer.
        status: u16,
        /// What did not match.
        message: String,
        /// The first characters of the body.
        excerpt: String,
    },
    /// The base URL was refused before anything was sent.
    #[error("invalid Hex base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL as given, without any user or password part.
        url: String,
        /// Why it was refused and what would be accepted.
        reason: String,
    },
    /// An argument was refused before anything was sent (an empty id, too many items, a limit out of range).
    #[error("invalid input: {message}")]
    InvalidInput {
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The HTTP client could not be set up (TLS initialisation).
    #[error("could not set up the HTTP client: {message}")]
    Setup {
        /// What failed.
        message: String,
    },
}

/// Who refused a request for rate reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimitSource {
    /// Hex answered 429.
    Server,
    /// The client's own pacing for this group would have had to wait longer than its maximum wait.
    ClientPacing {
        /// The rate-limit group that is exhausted.
        group: RateGroup,
    },
}

impl fmt::Display for RateLimitSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server => f.write_str("Hex answered 429 Too Many Requests"),
            Self::ClientPacing { group } => write!(
                f,
                "client-side pacing: the {group} quota is used up; calling now would exceed Hex's documented limit"
            ),
        }
    }
}

impl std::error::Error for RateLimitSource {}

/// Hex's `details`: usually a string; an array of items for the status-update batches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorDetails {
    /// A free-text explanation.
    Text(String),
    /// One entry per rejected item.
    Items(Vec<ErrorDetailItem>),
    /// The new body's `issues`, one message each.
    Issues(Vec<String>),
    /// IngestSemanticProject's 400: the problems Hex found in the project, and the legacy
    /// `details` text if there was one. Built from the body's `problems`, never read from
    /// `details` itself.
    #[serde(skip_deserializing)]
    Problems {
        /// The body's `details` text.
        #[serde(skip_serializing_if = "Option::is_none")]
        details: Option<String>,
        /// The body's `problems`.
        problems: Vec<Problem>,
    },
    /// Any other shape, kept as sent.
    Other(serde_json::Value),
}

/// One rejected item of a status-update batch (`{name, type, reason, value?}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetailItem {
    /// The object's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `DATABASE`, `SCHEMA`, `TABLE`, `DATASET` or `VIEW`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// E.g. `not_found`, `invalid_status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The invalid value or extra context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An input parameter Hex could not parse (422 `InvalidParamPayload.invalid`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidParam {
    /// The input's variable name.
    #[serde(default)]
    pub param_name: String,
    /// The rejected value, JSON-encoded.
    #[serde(default)]
    pub param_value: String,
    /// The type the value should have had.
    #[serde(default)]
    pub data_type: String,
    /// The input cell's kind (text, slider, …).
    #[serde(default)]
    pub input_cell_type: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl HexError {
    /// The HTTP status Hex answered with, if the error came from an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. }
            | Self::Unavailable { status, .. }
            | Self::Decode { status, .. } => Some(*status),
            Self::RateLimited {
                source: RateLimitSource::Server,
                ..
            } => Some(429),
            _ => None,
        }
    }

    /// Hex's `traceId`, if the answer carried one.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Self::Api { trace_id, .. } | Self::Unavailable { trace_id, .. } => trace_id.as_deref(),
            _ => None,
        }
    }

    /// How long to wait before trying again, when known.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } | Self::Unavailable { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again later (rate limits, outages, network
    /// trouble, timeouts), as opposed to errors that need a different request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Unavailable { .. }
                | Self::Network { .. }
                | Self::Timeout { .. }
        )
    }

    /// Whether Hex may have acted on the request although the call failed: it failed on its side
    /// (500, 502, 504), gave no answer in time, the connection broke after the request left, or
    /// it answered success with a body this client cannot read. A call that creates something
    /// must then not simply be repeated: the object may exist already. A 503 or a 429 is a
    /// refusal before any work; a refused connection never reached Hex.
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            Self::Api { status, .. } => *status >= 500,
            Self::Unavailable { status, .. } => *status != 503,
            Self::Network { source, .. } => !source.is_connect(),
            Self::Timeout { .. } | Self::Decode { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput {
            message: message.into(),
        }
    }
}

/// Says whether the request never left (connect, DNS and TLS failures) or may have been received,
/// which matters for calls that create something: those are never repeated automatically.
fn network_message(operation: &str, detail: &str, source: &reqwest::Error) -> String {
    let request = request_of(operation);
    if source.is_connect() {
        format!("could not reach Hex to send {request}: {detail}")
    } else {
        format!(
            "the connection to Hex broke during {request}; Hex may have received the request, so check before repeating a call that creates something: {detail}"
        )
    }
}

/// The request a person recognises (`GET /v1/users/me`) for an operationId (`Me`), which
/// means nothing outside Hex's API description.
fn request_of(operation: &str) -> String {
    crate::Operation::from_name(operation).map_or_else(
        || operation.to_string(),
        |op| format!("{} {}", op.method(), op.path()),
    )
}

fn status_text(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

fn reason_part(reason: Option<&str>) -> String {
    reason.map(|r| format!(": {r}")).unwrap_or_default()
}

fn trace_part(trace_id: Option<&str>) -> String {
    trace_id
        .map(|t| format!(" (traceId {t})"))
        .unwrap_or_default()
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("; retry after {} s", wait.as_secs_f64().ceil()),
        None => String::new(),
    }
}

fn api_message(
    status: u16,
    reason: Option<&str>,
    code: Option<&str>,
    details: Option<&ErrorDetails>,
    invalid: &[InvalidParam],
    not_found: &[String],
    trace_id: Option<&str>,
) -> String {
    let mut out = format!("Hex answered HTTP {status} {}", status_text(status));
    out.push_str(&reason_part(reason));
    if let Some(code) = code.filter(|code| !code.is_empty()) {
        out.push_str(&format!(" [{code}]"));
    }
    match details {
        Some(ErrorDetails::Text(text)) if !text.is_empty() => out.push_str(&format!(" ({text})")),
        Some(ErrorDetails::Items(items)) if !items.is_empty() => {
            let listed: Vec<String> = items.iter().map(detail_item_text).collect();
            out.push_str(&format!(" ({})", listed.join("; ")));
        }
        Some(ErrorDetails::Issues(issues)) if !issues.is_empty() => {
            out.push_str(&format!(" ({})", issues.join("; ")));
        }
        Some(ErrorDetails::Problems { details, problems }) => {
            let mut listed: Vec<String> = details.iter().cloned().collect();
            listed.extend(
                problems
                    .iter()
                    .map(|p| format!("{}: {}", p.severity, p.message)),
            );
            out.push_str(&format!(" ({})", listed.join("; ")));
        }
        Some(ErrorDetails::Other(value)) => out.push_str(&format!(" ({value})")),
        _ => {}
    }
    if !invalid.is_empty() {
        let listed: Vec<String> = invalid
            .iter()
            .map(|p| {
                format!(
                    "{} = {} (expected {})",
                    p.param_name, p.param_value, p.data_type
                )
            })
            .collect();
        out.push_str(&format!("; invalid inputs: {}", listed.join(", ")));
    }
    if !not_found.is_empty() {
        out.push_str(&format!(
            "; inputs not in the project: {}",
            not_found.join(", ")
        ));
    }
    out.push_str(match status {
        401 => "; check the API token",
        403 => "; the token lacks the permission or scope this needs",
        _ => "",
    });
    out.push_str(&trace_part(trace_id));
    out
}

fn detail_item_text(item: &ErrorDetailItem) -> String {
    let name = item.name.as_deref().unwrap_or("?");
    let reason = item.reason.as_deref().unwrap_or("rejected");
    let value = match &item.value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(text)) => format!(" ({text})"),
        Some(other) => format!(" ({other})"),
    };
    match &item.kind {
        Some(kind) => format!("{kind} {name}: {reason}{value}"),
        None => format!("{name}: {reason}{value}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_message_names_status_reason_and_trace() {
        let err = HexError::Api {
            status: 404,
            reason: Some("Project not found".into()),
            details: None,
            trace_id: Some("t-1".into()),
            code: None,
            invalid: Box::default(),
            not_found: Box::default(),
        };
        assert_eq!(
            err.to_string(),
            "Hex answered HTTP 404 Not Found: Project not found (traceId t-1)"
        );
        assert_eq!((err.status(), err.trace_id()), (Some(404), Some("t-1")));
    }

    #[test]
    fn auth_failures_say_what_to_check() {
        let err = HexError::Api {
            status: 401,
            reason: Some("Invalid API token".into()),
            details: None,
            trace_id: None,
            code: None,
            invalid: Box::default(),
            not_found: Box::default(),
        };
        assert_eq!(
            err.to_string(),
            "Hex answered HTTP 401 Unauthorized: Invalid API token; check the API token"
        );
    }

    #[test]
    fn error_stays_small() {
        assert!(
            std::mem::size_of::<HexError>() <= 128,
            "{}",
            std::mem::size_of::<HexError>()
        );
    }

    #[test]
    fn pacing_message_names_group_and_wait() {
        let err = HexError::RateLimited {
            retry_after: Some(Duration::from_millis(41_500)),
            source: RateLimitSource::ClientPacing {
                group: RateGroup::RunKernel,
            },
        };
        let text = err.to_string();
        assert!(text.contains("hex-run-kernel"), "{text}");
        assert!(text.ends_with("retry after 42 s"), "{text}");
        assert_eq!(err.status(), None);
        assert_eq!(err.retry_after(), Some(Duration::from_millis(41_500)));
    }
}
