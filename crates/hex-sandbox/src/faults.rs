//! Fault injection: answer the next N matching requests with a chosen failure.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a fault does to a matching request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum FaultKind {
    /// Answer this status. The body defaults to a Hex-shaped error; `retry_after` adds a
    /// `Retry-After` header (seconds).
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<u64>,
        #[serde(default)]
        body: Option<Value>,
    },
    /// Wait this long, then answer normally.
    Delay { delay_ms: u64 },
    /// Close the connection without a response: the client sees a transport error.
    DropConnection,
    /// Answer 200 with a body that is not valid JSON.
    MalformedBody,
    /// Answer this status with an error that echoes the request body, once quoted as text in
    /// `reason` and once as JSON in `details`, as careless validation errors do.
    EchoRequest { status: u16 },
    /// Serve the request (a create takes effect), then answer this status instead of its
    /// answer, as a gateway that times out after Hex committed does.
    StatusAfterServing { status: u16 },
    /// Answer this status with an HTML page (`text/html`), as a proxy or load balancer in front
    /// of Hex does when Hex is down.
    ProxyPage { status: u16 },
    /// Serve the request, then send the answer's status and its full `Content-Length` but only
    /// the first half of its body, and close the connection.
    TruncatedBody,
    /// Serve the request (a create takes effect), then close the connection without an answer.
    DropAfterServing,
    /// Serve the request, then add fields Hex does not document to its JSON answer: to the
    /// top-level object and to every object inside an array, as a newer Hex might.
    ExtraFields,
    /// Serve the request, then remove these fields, wherever they appear, from its JSON answer.
    /// [`OPTIONAL_RESPONSE_FIELDS`] are the ones Hex may leave out.
    OmitFields { fields: Vec<String> },
}

/// Response fields that are optional wherever they appear in Hex's answers (endpoints.md §1.6
/// and the operation sections): run notifications and expanded stats, recipients' optional
/// keys, connections' schema filters and refresh schedule, the `errors` of a sharing change,
/// a thread's generated summaries, Me's `token`, and an ingest's `warnings`-side extras.
/// Fields optional in one schema but required in another (`description`, `sharing`,
/// `creator`, a thread's `warnings`) are not listed: leaving them out would be a defect of Hex.
pub const OPTIONAL_RESPONSE_FIELDS: &[&str] = &[
    "notifications",
    "flagConfigOverride",
    "stateEvents",
    "subject",
    "screenshotFormat",
    "isPrivate",
    "schemaFilters",
    "schemaRefreshSchedule",
    "errors",
    "warningsGeneratedAt",
    "threadSummary",
    "threadIntent",
    "token",
    "skipped",
    "debug",
    "problems",
];

/// One rule: which requests it matches, what it does, and how many times.
///
/// As JSON (for `POST /_sandbox/faults`):
/// `{"method": "POST", "path": "/v1/projects/*/runs", "kind": "status", "status": 503, "times": 2}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// HTTP method to match; `None`, `"*"` or `"ANY"` match every method.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern relative to `/api` (`/v1/projects/*/runs`), or starting with `/api`.
    /// `*` matches one segment, a final `**` matches the rest.
    pub path: String,
    /// What to answer.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many matching requests this rule answers before it is gone.
    #[serde(default = "one")]
    pub times: usize,
}

fn one() -> usize {
    1
}

impl FaultRule {
    /// A rule answering `status` to the next matching request.
    pub fn status(method: &str, path: &str, status: u16) -> Self {
        Self::new(
            method,
            path,
            FaultKind::Status {
                status,
                retry_after: None,
                body: None,
            },
        )
    }

    /// A rule that waits `delay`, then lets the request through.
    pub fn delay(method: &str, path: &str, delay: Duration) -> Self {
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        Self::new(method, path, FaultKind::Delay { delay_ms })
    }

    /// A rule that drops the connection.
    pub fn drop_connection(method: &str, path: &str) -> Self {
        Self::new(method, path, FaultKind::DropConnection)
    }

    /// A rule that answers 200 with invalid JSON.
    pub fn malformed_body(method: &str, path: &str) -> Self {
        Self::new(method, path, FaultKind::MalformedBody)
    }

    /// A rule that answers `status` with an error echoing the request body.
    pub fn echo_request(method: &str, path: &str, status: u16) -> Self {
        Self::new(method, path, FaultKind::EchoRequest { status })
    }

    /// A rule that serves the request, then answers `status` instead.
    pub fn status_after_serving(method: &str, path: &str, status: u16) -> Self {
        Self::new(method, path, FaultKind::StatusAfterServing { status })
    }

    /// A rule that answers `status` with a proxy's HTML error page.
    pub fn proxy_page(method: &str, path: &str, status: u16) -> Self {
        Self::new(method, path, FaultKind::ProxyPage { status })
    }

    /// A rule that removes the fields Hex may leave out ([`OPTIONAL_RESPONSE_FIELDS`]) from the
    /// answer.
    pub fn omit_optional_fields(method: &str, path: &str) -> Self {
        let fields = OPTIONAL_RESPONSE_FIELDS
            .iter()
            .map(|field| (*field).to_owned())
            .collect();
        Self::new(method, path, FaultKind::OmitFields { fields })
    }

    /// A rule of any kind, applied once.
    pub fn new(method: &str, path: &str, kind: FaultKind) -> Self {
        FaultRule {
            method: Some(method.to_owned()),
            path: path.to_owned(),
            kind,
            times: 1,
        }
    }

    /// Apply the rule to the next `n` matching requests instead of one.
    #[must_use]
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    /// Add a `Retry-After` header to a status fault.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        if let FaultKind::Status { retry_after, .. } = &mut self.kind {
            *retry_after = Some(seconds);
        }
        self
    }

    /// Replace the Hex-shaped default body of a status fault.
    #[must_use]
    pub fn with_body(mut self, value: Value) -> Self {
        if let FaultKind::Status { body, .. } = &mut self.kind {
            *body = Some(value);
        }
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let any_method = match self.method.as_deref() {
            None => true,
            Some(m) => m == "*" || m.eq_ignore_ascii_case("any"),
        };
        (any_method
            || self
                .method
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(method)))
            && path_matches(&self.path, path)
    }
}

impl FaultKind {
    /// A short description for the request log.
    pub(crate) fn describe(&self) -> String {
        match self {
            FaultKind::Status { status, .. } => format!("status {status}"),
            FaultKind::Delay { delay_ms } => format!("delay {delay_ms} ms"),
            FaultKind::DropConnection => "dropped connection".to_owned(),
            FaultKind::MalformedBody => "malformed body".to_owned(),
            FaultKind::EchoRequest { status } => format!("status {status} echoing the request"),
            FaultKind::StatusAfterServing { status } => format!("status {status} after serving"),
            FaultKind::ProxyPage { status } => format!("status {status} HTML page"),
            FaultKind::TruncatedBody => "truncated body".to_owned(),
            FaultKind::DropAfterServing => "dropped connection after serving".to_owned(),
            FaultKind::ExtraFields => "extra fields".to_owned(),
            FaultKind::OmitFields { .. } => "omitted fields".to_owned(),
        }
    }

    /// Whether the client gets no answer at all (the log records status 0).
    pub(crate) fn drops_connection(&self) -> bool {
        matches!(
            self,
            FaultKind::DropConnection | FaultKind::DropAfterServing
        )
    }
}

/// The rules waiting to fire, in the order they were added, and the connections to close as
/// soon as they are accepted.
#[derive(Default)]
pub(crate) struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    close_at_accept: AtomicUsize,
    closed_at_accept: AtomicUsize,
}

impl Faults {
    /// Closes the next `n` connections right after accepting them, before a byte is read.
    pub(crate) fn close_next_connections(&self, n: usize) {
        self.close_at_accept.fetch_add(n, Ordering::SeqCst);
    }

    /// Takes one pending close, if any: whether the connection just accepted is to be closed.
    pub(crate) fn take_close_at_accept(&self) -> bool {
        let taken = self
            .close_at_accept
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if taken {
            self.closed_at_accept.fetch_add(1, Ordering::SeqCst);
        }
        taken
    }

    /// How many connections were closed at accept so far.
    pub(crate) fn closed_at_accept(&self) -> usize {
        self.closed_at_accept.load(Ordering::SeqCst)
    }

    pub(crate) fn inject(&self, rule: FaultRule) {
        if rule.times > 0 {
            self.rules
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(rule);
        }
    }

    /// Takes one use of the first rule matching this request, if any.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let index = rules.iter().position(|rule| rule.matches(method, path))?;
        let rule = rules.get_mut(index)?;
        rule.times -= 1;
        let kind = rule.kind.clone();
        if rule.times == 0 {
            rules.remove(index);
        }
        Some(kind)
    }
}

/// Whether a request path (`/api/v1/projects/…`) matches a pattern with `*` segments. A pattern
/// without the `/api` prefix is relative to `/api`, as Hex's paths are written.
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let pattern = pattern.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    let path = if pattern.starts_with("/api/") || pattern == "/api" {
        path
    } else {
        path.strip_prefix("/api").unwrap_or(path)
    };
    let mut want = pattern.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some("**"), _) => return true,
            (Some("*"), Some(segment)) if !segment.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_segments() {
        assert!(path_matches(
            "/v1/projects/*/runs",
            "/api/v1/projects/abc/runs"
        ));
        assert!(path_matches(
            "/api/v1/projects/*/runs",
            "/api/v1/projects/abc/runs/"
        ));
        assert!(!path_matches(
            "/v1/projects/*/runs",
            "/api/v1/projects/abc/runs/x"
        ));
        assert!(!path_matches("/v1/projects/*", "/api/v1/projects"));
        assert!(path_matches("/v1/**", "/api/v1/projects/abc"));
        assert!(path_matches("/v1/projects", "/api/v1/projects?limit=3"));
    }

    #[test]
    fn rules_fire_n_times_then_vanish() {
        let faults = Faults::default();
        faults.inject(FaultRule::status("GET", "/v1/projects", 503).times(2));
        assert!(faults.take("POST", "/api/v1/projects").is_none());
        assert!(faults.take("GET", "/api/v1/projects").is_some());
        assert!(faults.take("get", "/api/v1/projects").is_some());
        assert!(faults.take("GET", "/api/v1/projects").is_none());
    }

    #[test]
    fn rules_read_from_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"method":"ANY","path":"/v1/users","kind":"status","status":429,"retryAfter":3,"times":2}"#,
        )
        .unwrap();
        assert_eq!(
            rule,
            FaultRule::status("ANY", "/v1/users", 429)
                .with_retry_after(3)
                .times(2)
        );
        let drop: FaultRule =
            serde_json::from_str(r#"{"path":"/v1/users","kind":"drop_connection"}"#).unwrap();
        assert!(drop.matches("DELETE", "/api/v1/users"));
    }
}
