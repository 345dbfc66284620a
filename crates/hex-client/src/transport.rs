//! Sends one operation: URL, auth, pacing, retries, status mapping and decoding. API modules describe
//! an operation with an [`Op`] and a [`Call`]; nothing else in the crate touches HTTP.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use backon::Retryable;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use url::Url;

use crate::api::semantic::Problem;
use crate::client::HexClient;
use crate::error::{ErrorDetails, HexError, InvalidParam, RateLimitSource};
use crate::limits::RateGroup;
use crate::operations::Operation;
use crate::retry::{Repeat, WaitBudget, parse_retry_after};
use crate::secret::{Secret, scrub, to_request_body};
use crate::tolerant;
use crate::wire::Query;

/// How much of an unreadable body an error message quotes.
const EXCERPT_CHARS: usize = 200;

/// One Hex operation as the transport sends it: the operation (its name, method, path template
/// and rate-limit group come from [`Operation`]) and whether it may be repeated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op {
    pub(crate) operation: Operation,
    pub(crate) repeat: Repeat,
}

/// The constructors check, when the API modules' `const` operations are compiled, that the
/// repetition they state is the one [`Operation::repeatable`] says: a creating POST marked safe
/// to repeat would be sent twice after a failure.
impl Op {
    /// A read: always safe to repeat.
    pub(crate) const fn get(operation: Operation) -> Self {
        assert!(operation.repeatable(), "a read must be repeatable");
        Self {
            operation,
            repeat: Repeat::Safe,
        }
    }

    /// A POST that creates something: sent exactly once, whatever happens.
    pub(crate) const fn create(operation: Operation) -> Self {
        assert!(!operation.repeatable(), "Operation::repeatable disagrees");
        Self {
            operation,
            repeat: Repeat::Never,
        }
    }

    /// Any other operation, with its repetition marked explicitly.
    pub(crate) const fn new(operation: Operation, repeat: Repeat) -> Self {
        let safe = matches!(repeat, Repeat::Safe);
        assert!(
            safe == operation.repeatable(),
            "Operation::repeatable disagrees"
        );
        Self { operation, repeat }
    }

    pub(crate) const fn name(&self) -> &'static str {
        self.operation.name()
    }

    fn method(&self) -> Method {
        match self.operation.method().as_bytes() {
            b"POST" => Method::POST,
            b"PATCH" => Method::PATCH,
            b"PUT" => Method::PUT,
            b"DELETE" => Method::DELETE,
            _ => Method::GET,
        }
    }

    fn group(&self) -> Option<RateGroup> {
        self.operation.rate_group()
    }
}

/// The variable parts of one request.
#[derive(Debug, Default)]
pub(crate) struct Call {
    segments: Vec<String>,
    query: Query,
    /// The body and its media type.
    body: Option<(HeaderValue, Vec<u8>)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// The secrets the body carries, removed from whatever Hex answers.
    secrets: Vec<Secret>,
}

impl Call {
    /// A request to `base/segment/segment…`; each segment is percent-encoded (a `/` inside an id
    /// stays inside its segment).
    pub(crate) fn at(segments: &[&str]) -> Self {
        Self {
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            ..Self::default()
        }
    }

    pub(crate) fn query(mut self, query: Query) -> Self {
        self.query = query;
        self
    }

    /// Serialises the JSON body, with real values for [`crate::Secret`] fields.
    pub(crate) fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, HexError> {
        let (bytes, secrets) = to_request_body(body).map_err(|e| {
            HexError::invalid_input(format!("the request body cannot be serialised: {e}"))
        })?;
        self.secrets = secrets;
        self.body = Some((HeaderValue::from_static("application/json"), bytes));
        Ok(self)
    }

    /// A body that is not JSON (IngestSemanticProject's multipart upload), with its media type.
    pub(crate) fn bytes(mut self, content_type: &str, bytes: Vec<u8>) -> Result<Self, HexError> {
        let content_type = HeaderValue::from_str(content_type).map_err(|_| {
            HexError::invalid_input("the body's content type cannot be sent in an HTTP header")
        })?;
        self.body = Some((content_type, bytes));
        Ok(self)
    }

    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Result<Self, HexError> {
        let value = HeaderValue::from_str(value).map_err(|_| {
            HexError::invalid_input(format!(
                "the {name} header value contains characters not allowed in HTTP headers"
            ))
        })?;
        self.headers.push((HeaderName::from_static(name), value));
        Ok(self)
    }
}

/// Refuses ids that would change the URL's meaning: empty, `.` or `..` (which URL normalisation
/// would drop or resolve). Anything else is percent-encoded into its own path segment.
pub(crate) fn id<'a>(name: &str, value: &'a str) -> Result<&'a str, HexError> {
    if value.trim().is_empty() || value == "." || value == ".." {
        return Err(HexError::invalid_input(format!(
            "{name} must be a non-empty id (got {value:?})"
        )));
    }
    Ok(value)
}

/// Reads a successful answer as a `T`. When it does not read at once, items of lists inside it
/// that do not read are taken out (each logged and noted for the caller, see
/// [`crate::noting_skipped`]) and the rest is read; anything else that does not read fails.
fn decode<T: DeserializeOwned>(op: &Op, call: &Call, reply: &Reply) -> Result<T, HexError> {
    let (read, noted) = tolerant::capture(|| serde_json::from_slice(&reply.body));
    let pruned = match read {
        Ok(read) => Ok((read, noted)),
        Err(first_error) => serde_json::from_slice::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|value| tolerant::read_pruning::<T>(value).ok())
            .ok_or(first_error),
    };
    let (read, skipped) = match pruned {
        Ok(pruned) => pruned,
        Err(first_error) => {
            return Err(HexError::Decode {
                operation: op.name(),
                status: reply.status.as_u16(),
                message: first_error.to_string(),
                excerpt: excerpt(&scrub(&reply.body, &call.secrets)),
            });
        }
    };
    for item in &skipped {
        tracing::warn!(
            operation = op.name(),
            list = item.list.as_deref().unwrap_or(""),
            index = item.index,
            reason = %item.reason,
            "left out an item of Hex's answer that did not read"
        );
    }
    tolerant::note(skipped);
    Ok(read)
}

/// A successful answer.
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
}

impl HexClient {
    /// Sends and decodes a JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        op: &Op,
        call: Call,
    ) -> Result<T, HexError> {
        let reply = self.execute(op, &call).await?;
        decode(op, &call, &reply)
    }

    /// Sends and decodes a JSON answer that may be empty (204, or 200 with no content).
    pub(crate) async fn send_optional_json<T: DeserializeOwned>(
        &self,
        op: &Op,
        call: Call,
    ) -> Result<Option<T>, HexError> {
        let reply = self.execute(op, &call).await?;
        if reply.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        decode(op, &call, &reply).map(Some)
    }

    /// Sends and ignores the body of a success (204, or 200 with no content).
    pub(crate) async fn send_empty(&self, op: &Op, call: Call) -> Result<(), HexError> {
        self.execute(op, &call).await.map(drop)
    }

    async fn execute(&self, op: &Op, call: &Call) -> Result<Reply, HexError> {
        let url = self.url_for(call)?;
        let policy = &self.inner.retry;
        if op.repeat == Repeat::Never || policy.max_retries == 0 {
            return self.attempt(op, call, &url, 1).await;
        }
        let attempt = AtomicU32::new(0);
        let may_have_acted = AtomicBool::new(false);
        let mut budget = WaitBudget::new(policy);
        let result = (|| {
            let number = attempt.fetch_add(1, Ordering::Relaxed) + 1;
            self.attempt(op, call, &url, number)
        })
        .retry(policy.backoff())
        .sleep(tokio::time::sleep)
        .when(worth_retrying)
        .adjust(|err, backoff| budget.next_wait(backoff, err.retry_after()))
        .notify(|err, wait| {
            if err.may_have_taken_effect() {
                may_have_acted.store(true, Ordering::Relaxed);
            }
            tracing::debug!(
                operation = op.name(),
                wait_ms = wait.as_millis(),
                status = err.status(),
                "retrying Hex request"
            );
        })
        .await;
        match result {
            Err(err) if may_have_acted.into_inner() && done_by_earlier_attempt(op, &err) => {
                tracing::debug!(
                    operation = op.name(),
                    status = err.status(),
                    "Hex had acted on an earlier attempt whose answer was lost"
                );
                Ok(Reply {
                    status: StatusCode::NO_CONTENT,
                    body: Vec::new(),
                })
            }
            other => other,
        }
    }

    fn url_for(&self, call: &Call) -> Result<Url, HexError> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| HexError::invalid_input("the base URL cannot carry a path"))?
            .pop_if_empty()
            .extend(&call.segments);
        Ok(url)
    }

    async fn attempt(
        &self,
        op: &Op,
        call: &Call,
        url: &Url,
        attempt: u32,
    ) -> Result<Reply, HexError> {
        self.inner.pacer.acquire(op.group()).await?;
        let started = Instant::now();
        let mut request = self
            .inner
            .http
            .request(op.method(), url.clone())
            .header(AUTHORIZATION, self.inner.auth.clone())
            .header(ACCEPT, "application/json");
        if !call.query.0.is_empty() {
            request = request.query(&call.query.0);
        }
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        if let Some((content_type, body)) = &call.body {
            request = request
                .header(CONTENT_TYPE, content_type.clone())
                .body(body.clone());
        }
        let outcome = self.exchange(op, request, &call.secrets).await;
        let elapsed_ms = started.elapsed().as_millis();
        match &outcome {
            Ok(reply) => log_exchange(op, attempt, Some(reply.status.as_u16()), elapsed_ms),
            Err(err) => log_exchange(op, attempt, err.status(), elapsed_ms),
        }
        outcome
    }

    async fn exchange(
        &self,
        op: &Op,
        request: reqwest::RequestBuilder,
        secrets: &[Secret],
    ) -> Result<Reply, HexError> {
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(op, e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(op, e))?
            .to_vec();
        if status.is_success() {
            Ok(Reply { status, body })
        } else {
            Err(error_from_answer(
                status,
                retry_after,
                &scrub(&body, secrets),
            ))
        }
    }

    fn transport_error(&self, op: &Op, err: reqwest::Error) -> HexError {
        if err.is_timeout() && !err.is_connect() {
            return HexError::Timeout {
                operation: op.name(),
                timeout: self.inner.timeout,
            };
        }
        let err = err.without_url();
        HexError::Network {
            operation: op.name(),
            detail: error_chain(&err),
            source: err,
        }
    }
}

fn log_exchange(op: &Op, attempt: u32, status: Option<u16>, elapsed_ms: u128) {
    // Hex's answers by operation and status (none: the request never got one); a no-op unless
    // the application installed a metrics recorder.
    let label = status.map_or_else(|| "none".to_string(), |status| status.to_string());
    metrics::counter!("hex_mcp_hex_responses_total", "operation" => op.name(), "status" => label)
        .increment(1);
    tracing::debug!(
        method = op.operation.method(),
        path = op.operation.path(),
        operation = op.name(),
        status,
        elapsed_ms,
        attempt,
        "Hex request"
    );
}

/// Whether a repeated DELETE's failure means an earlier attempt, whose answer was lost after it
/// may have reached Hex, did the work: nothing is left to delete (404), or the run has already
/// ended (422, CancelRun). Reporting "not found" would tell the caller its delete failed when it
/// succeeded.
fn done_by_earlier_attempt(op: &Op, err: &HexError) -> bool {
    op.method() == Method::DELETE && matches!(err.status(), Some(404 | 422))
}

/// Retry on what says "try again": Hex's 429, 502/503/504, a connection that broke or a connect
/// that timed out. Never on client pacing refusals (waiting is the caller's choice), timeouts (the
/// request may still be running), or a connection that could not be made for a reason a second
/// later will not change: a name that does not resolve, a refused port, a TLS or certificate
/// failure. Retrying those only made the caller wait seconds for the same answer.
fn worth_retrying(err: &HexError) -> bool {
    match err {
        HexError::RateLimited {
            source: RateLimitSource::Server,
            ..
        }
        | HexError::Unavailable { .. } => true,
        HexError::Network { source, .. } => !source.is_connect() || source.is_timeout(),
        _ => false,
    }
}

/// Hex's error body in either generation (endpoints.md §1.2): legacy `{reason, details?,
/// traceId?}` (plus RunProject's older `{invalid, notFound}` lists), new-style `{message, code,
/// issues?}`. Every field is optional, so a body of either shape, or a mix, reads.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ErrorBody {
    reason: Option<String>,
    message: Option<String>,
    code: Option<String>,
    details: Option<Box<ErrorDetails>>,
    issues: Vec<Issue>,
    trace_id: Option<String>,
    invalid: Vec<InvalidParam>,
    not_found: Vec<String>,
    /// IngestSemanticProject's 400: what is wrong with the project (read item by item, so one
    /// odd problem never costs the rest of the body).
    problems: Vec<serde_json::Value>,
}

/// One entry of the new body's `issues`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Issue {
    message: Option<String>,
}

impl ErrorBody {
    /// Reads a body as the new shape, then the legacy one (both are the same optional fields
    /// here), and otherwise keeps the start of the raw text.
    fn parse(body: &[u8]) -> ErrorBody {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(parsed) => parsed,
            // Not Hex's JSON (a proxy page, say): quote its start so the reader sees what answered.
            Err(_) => ErrorBody {
                details: (!body.is_empty()).then(|| Box::new(ErrorDetails::Text(excerpt(body)))),
                ..ErrorBody::default()
            },
        }
    }

    /// `reason`, else `message`: what Hex said went wrong.
    fn reason(&mut self) -> Option<String> {
        self.reason.take().or_else(|| self.message.take())
    }

    /// `details` (with `problems`, when the body has them), else the new body's issues.
    fn details(&mut self) -> Option<Box<ErrorDetails>> {
        if !self.problems.is_empty() {
            let details = match self.details.take().map(|details| *details) {
                Some(ErrorDetails::Text(text)) => Some(text),
                Some(other) => serde_json::to_string(&other).ok(),
                None => None,
            };
            let problems = std::mem::take(&mut self.problems)
                .into_iter()
                .filter_map(|problem| serde_json::from_value::<Problem>(problem).ok())
                .collect();
            return Some(Box::new(ErrorDetails::Problems { details, problems }));
        }
        if let Some(details) = self.details.take() {
            return Some(details);
        }
        let issues: Vec<String> = self
            .issues
            .drain(..)
            .filter_map(|issue| issue.message)
            .collect();
        (!issues.is_empty()).then(|| Box::new(ErrorDetails::Issues(issues)))
    }
}

fn error_from_answer(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> HexError {
    let mut parsed = ErrorBody::parse(body);
    let reason = parsed.reason();
    let details = parsed.details();
    let ErrorBody {
        code,
        trace_id,
        invalid,
        not_found,
        ..
    } = parsed;
    match status.as_u16() {
        429 => HexError::RateLimited {
            retry_after,
            source: RateLimitSource::Server,
        },
        code_503 @ (502..=504) => HexError::Unavailable {
            status: code_503,
            reason,
            trace_id,
            retry_after,
        },
        status_code => HexError::Api {
            status: status_code,
            reason: if status.is_redirection() {
                Some(
                    "Hex answered with a redirect, which the client never follows; check the base URL"
                        .into(),
                )
            } else {
                reason
            },
            code,
            details,
            trace_id,
            invalid: invalid.into(),
            not_found: not_found.into(),
        },
    }
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    if out.is_empty() {
        "(empty)".to_owned()
    } else {
        out
    }
}

/// "error sending request: client error (Connect): tcp connect error: Connection refused".
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last().is_none_or(|last| !last.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error a client gets from `base`, with no retries (the decision is what is tested).
    async fn error_from(base: &str) -> HexError {
        let client = HexClient::builder(base, crate::SecretString::from("t"))
            .retry_policy(crate::RetryPolicy::none())
            .build();
        match client {
            Ok(client) => match client.users().me().await {
                Err(err) => err,
                Ok(_) => panic!("{base} answered"),
            },
            Err(err) => panic!("{base}: {err}"),
        }
    }

    #[tokio::test]
    async fn failures_a_retry_cannot_heal_are_not_retried() {
        // A port that refuses: bind, then drop the listener.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .unwrap_or(9);
        let refused = error_from(&format!("http://127.0.0.1:{port}/api/v1")).await;
        assert!(!worth_retrying(&refused), "{refused:?}");
        // A name that does not resolve (`.invalid` never does, RFC 6761).
        let unresolved = error_from("https://nonexistent.invalid/api/v1").await;
        assert!(!worth_retrying(&unresolved), "{unresolved:?}");
    }

    #[test]
    fn error_bodies_parse_in_all_known_shapes() {
        let err = error_from_answer(
            StatusCode::NOT_FOUND,
            None,
            br#"{"reason":"Not found","details":"no such project","traceId":"t1"}"#,
        );
        assert!(
            matches!(&err, HexError::Api { status: 404, details: Some(d), .. } if **d == ErrorDetails::Text("no such project".into()))
        );
        assert_eq!(err.trace_id(), Some("t1"));

        let body =
            br#"{"reason":"Bad","details":[{"name":"db.s","type":"SCHEMA","reason":"not_found"}]}"#;
        let HexError::Api {
            details: Some(details),
            ..
        } = error_from_answer(StatusCode::BAD_REQUEST, None, body)
        else {
            panic!("expected details");
        };
        let ErrorDetails::Items(items) = *details else {
            panic!("expected items")
        };
        assert_eq!(items[0].kind.as_deref(), Some("SCHEMA"));

        let body = br#"{"traceId":"t2","invalid":[{"paramName":"n","paramValue":"\"x\"","dataType":"NUMBER","inputCellType":"SLIDER"}],"notFound":["m"]}"#;
        let err = error_from_answer(StatusCode::UNPROCESSABLE_ENTITY, None, body);
        let HexError::Api {
            invalid,
            not_found,
            reason,
            ..
        } = &err
        else {
            panic!("expected Api")
        };
        assert_eq!(
            (invalid[0].param_name.as_str(), &not_found[..], reason),
            ("n", &["m".to_owned()][..], &None)
        );
        let text = err.to_string();
        assert!(
            text.contains("invalid inputs: n = \"x\"") && text.contains("not in the project: m"),
            "{text}"
        );
    }

    #[test]
    fn non_json_bodies_and_gateway_statuses() {
        let err = error_from_answer(
            StatusCode::BAD_GATEWAY,
            Some(Duration::from_secs(2)),
            b"<html>bad gateway</html>",
        );
        assert!(matches!(err, HexError::Unavailable { status: 502, .. }));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
        let err = error_from_answer(StatusCode::INTERNAL_SERVER_ERROR, None, b"oops");
        assert!(
            matches!(&err, HexError::Api { details: Some(d), .. } if **d == ErrorDetails::Text("oops".into()))
        );
    }

    #[test]
    fn ids_that_would_change_the_path_are_refused() {
        assert!(id("projectId", "").is_err());
        assert!(id("projectId", "..").is_err());
        assert!(id("projectId", "a/b").is_ok());
    }

    #[test]
    fn excerpts_are_short_and_char_safe() {
        let long = "é".repeat(500);
        let cut = excerpt(long.as_bytes());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b""), "(empty)");
    }
}
