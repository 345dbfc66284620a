//! Who may reach `/mcp`: first the Host allowlist (DNS rebinding), then the Origin allowlist
//! (a web page in someone's browser), then the bearer token. A refusal is an HTTP status with a
//! JSON-RPC error body that says what to change; nothing from the request is echoed back.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures::StreamExt;
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{
    allowlist::{Authority, HostEntry, Origin},
    tokens::{ENV_HTTP_TOKEN, InboundTokens},
};

/// Host names every server answers to: the loopback names.
pub const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The allowlists, the tokens and the limits, fixed at start-up.
#[derive(Debug)]
pub struct Guard {
    tokens: InboundTokens,
    hosts: Vec<HostEntry>,
    origins: Vec<Origin>,
    limits: RequestLimits,
    /// One per token: the POSTs it has in progress.
    busy: Vec<Arc<Semaphore>>,
}

/// Limits on each request and on each client token.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// How many POSTs one token may have in progress at once.
    pub per_token: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Host,
    Origin,
    Unauthorized,
    TooLarge(usize),
    Busy(usize),
}

impl Guard {
    /// `hosts` are names or `name:port` authorities; `origins` are `scheme://host[:port]`, with
    /// `:*` for any port. An entry that is not one is an error naming it.
    pub fn new(
        tokens: InboundTokens,
        hosts: &[String],
        origins: &[String],
        limits: RequestLimits,
    ) -> Result<Guard, String> {
        let hosts = hosts
            .iter()
            .map(|host| HostEntry::parse(host))
            .collect::<Result<_, _>>()?;
        let origins = origins
            .iter()
            .map(|origin| {
                Origin::parse(origin).ok_or_else(|| {
                    format!(
                        "--allowed-origins: `{origin}` is not an origin; write it as \
                         scheme://host[:port], e.g. https://app.example.com"
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        let busy = (0..tokens.len())
            .map(|_| Arc::new(Semaphore::new(limits.per_token)))
            .collect();
        Ok(Guard {
            tokens,
            hosts,
            origins,
            limits,
            busy,
        })
    }

    /// Who may call: `Ok(Some(i))` for the i-th configured token, `Ok(None)` when no token is
    /// configured.
    pub fn check(&self, headers: &HeaderMap) -> Result<Option<usize>, Refusal> {
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .and_then(Authority::parse)
            .ok_or(Refusal::Host)?;
        if !self.hosts.iter().any(|entry| entry.matches(&host)) {
            return Err(Refusal::Host);
        }
        // Browsers send Origin; other clients usually do not, and are not refused for that.
        // A page of the very host the request went to (already allowed above) is same-origin:
        // this server serves no pages, and a rebinding attacker's page has its own host name.
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().ok().and_then(Origin::parse);
            let allowed = origin.is_some_and(|origin| {
                origin.is_host(&host) || self.origins.iter().any(|entry| entry.allows(&origin))
            });
            if !allowed {
                return Err(Refusal::Origin);
            }
        }
        if self.tokens.is_empty() {
            return Ok(None);
        }
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer)
            .and_then(|token| self.tokens.which(token))
            .map(Some)
            .ok_or(Refusal::Unauthorized)
    }

    /// A body announced larger than the limit is refused before it is read.
    fn check_size(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let announced = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<usize>().ok());
        match announced {
            Some(length) if length > self.limits.max_body => {
                Err(Refusal::TooLarge(self.limits.max_body))
            }
            _ => Ok(()),
        }
    }

    /// A slot for one more POST of this token, held until its response has been sent.
    fn slot(&self, caller: Option<usize>) -> Result<Option<OwnedSemaphorePermit>, Refusal> {
        let Some(busy) = caller.and_then(|index| self.busy.get(index)) else {
            return Ok(None);
        };
        busy.clone()
            .try_acquire_owned()
            .map(Some)
            .map_err(|_| Refusal::Busy(self.limits.per_token))
    }

    async fn admit(&self, request: Request, next: Next) -> Result<Response, Refusal> {
        let caller = self.check(request.headers())?;
        if let Err(refusal) = self.check_size(request.headers()) {
            discard_body(request).await;
            return Err(refusal);
        }
        // Only POSTs carry calls; a session's GET stream lives as long as the session.
        let slot = if request.method() == Method::POST {
            self.slot(caller)?
        } else {
            None
        };
        let ending_session = request.method() == Method::DELETE;
        let mut response = next.run(request).await;
        // rmcp refuses a body that grows past the limit while it streams in, in plain text.
        if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Err(Refusal::TooLarge(self.limits.max_body));
        }
        // rmcp answers a session's DELETE 202, though the session is already gone; clients
        // (the Python SDK's logs "Session termination failed: 202") expect 200 or 204.
        if ending_session && response.status() == StatusCode::ACCEPTED {
            *response.status_mut() = StatusCode::NO_CONTENT;
        }
        Ok(match slot {
            Some(slot) => hold_until_sent(response, slot),
            None => response,
        })
    }
}

/// The most of a refused body read and thrown away, and how long that may take.
const DISCARD_BYTES: usize = 64 << 20;
const DISCARD_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads (and drops) an over-large body before the 413 goes out: a client still sending it
/// would otherwise see its connection reset (a broken pipe) instead of the answer that says
/// what the limit is. Bounded in bytes and time, and nothing is kept.
async fn discard_body(request: Request) {
    let mut chunks = request.into_body().into_data_stream();
    let mut read = 0_usize;
    let _ = tokio::time::timeout(DISCARD_TIME, async {
        while read < DISCARD_BYTES {
            match chunks.next().await {
                Some(Ok(chunk)) => read += chunk.len(),
                _ => break,
            }
        }
    })
    .await;
}

/// The response, streamed as is, with `slot` released once its last byte is out (an SSE
/// response runs as long as the call behind it).
fn hold_until_sent(response: Response, slot: OwnedSemaphorePermit) -> Response {
    let (parts, body) = response.into_parts();
    let stream = body.into_data_stream().map(move |chunk| {
        let _held = &slot;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// The axum middleware in front of `/mcp`.
pub async fn enforce(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    match guard.admit(request, next).await {
        Ok(response) => response,
        Err(refusal) => {
            tracing::warn!(refusal = ?refusal, "refused an HTTP request");
            refusal.into_response()
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Refusal::Host => (
                StatusCode::FORBIDDEN,
                -32600,
                "Forbidden: this Host is not one the server answers to (DNS rebinding protection); \
                 the operator can add it with --allowed-hosts or HEX_MCP_ALLOWED_HOSTS"
                    .to_string(),
            ),
            Refusal::Origin => (
                StatusCode::FORBIDDEN,
                -32600,
                "Forbidden: requests from this browser Origin are not allowed; the operator can \
                 allow it with --allowed-origins or HEX_MCP_ALLOWED_ORIGINS"
                    .to_string(),
            ),
            Refusal::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                -32001,
                format!(
                    "Unauthorized: send `Authorization: Bearer <token>` with a token the operator \
                     configured ({ENV_HTTP_TOKEN} or --http-token-file)"
                ),
            ),
            Refusal::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                -32600,
                format!(
                    "Request body too large: the limit is {limit} bytes (--max-body-bytes); send \
                     less in one message"
                ),
            ),
            Refusal::Busy(limit) => (
                StatusCode::TOO_MANY_REQUESTS,
                -32000,
                format!(
                    "Too many requests in progress for this token: the limit is {limit} at once \
                     (--max-concurrent-per-token); retry when one has finished"
                ),
            ),
        };
        let body = json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": {"code": code, "message": message},
        });
        let mut response = (status, axum::Json(body)).into_response();
        match self {
            Refusal::Unauthorized => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"hex-mcp\""),
                );
            }
            Refusal::Busy(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
pub(crate) fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const LIMITS: RequestLimits = RequestLimits {
        max_body: 1_000,
        per_token: 2,
    };

    fn guard(tokens: Option<&str>, hosts: &[&str], origins: &[&str]) -> Guard {
        let mut all: Vec<String> = LOOPBACK_HOSTS.iter().map(|host| host.to_string()).collect();
        all.extend(hosts.iter().map(|host| host.to_string()));
        let origins: Vec<String> = origins.iter().map(|origin| origin.to_string()).collect();
        Guard::new(
            InboundTokens::load(tokens, None).unwrap(),
            &all,
            &origins,
            LIMITS,
        )
        .unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn loopback_hosts_pass_and_others_need_listing() {
        let open = guard(None, &[], &[]);
        for host in ["127.0.0.1:8765", "localhost", "LOCALHOST:1", "[::1]:8765"] {
            assert_eq!(open.check(&headers(&[("host", host)])), Ok(None), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8765",
            "",
            "127.0.0.1:notaport",
        ] {
            assert_eq!(
                open.check(&headers(&[("host", host)])),
                Err(Refusal::Host),
                "{host}"
            );
        }
        assert_eq!(open.check(&HeaderMap::new()), Err(Refusal::Host));
        let listed = guard(None, &["mcp.example.com", "other.example:9000"], &[]);
        assert_eq!(
            listed.check(&headers(&[("host", "mcp.example.com:443")])),
            Ok(None)
        );
        assert_eq!(
            listed.check(&headers(&[("host", "other.example:9000")])),
            Ok(None)
        );
        assert_eq!(
            listed.check(&headers(&[("host", "other.example:9001")])),
            Err(Refusal::Host)
        );
    }

    #[test]
    fn browser_origins_are_refused_unless_listed() {
        let none = guard(None, &[], &[]);
        let evil = headers(&[
            ("host", "127.0.0.1:8765"),
            ("origin", "https://evil.example"),
        ]);
        assert_eq!(none.check(&evil), Err(Refusal::Origin));
        let listed = guard(
            None,
            &[],
            &["https://app.example.com", "http://localhost:*"],
        );
        for origin in [
            "https://app.example.com",
            "https://APP.example.com:443",
            "http://localhost:3000",
        ] {
            let request = headers(&[("host", "localhost"), ("origin", origin)]);
            assert_eq!(listed.check(&request), Ok(None), "{origin}");
        }
        for origin in [
            "https://app.example.com:8443",
            "http://app.example.com",
            "null",
            "garbage",
        ] {
            let request = headers(&[("host", "localhost"), ("origin", origin)]);
            assert_eq!(listed.check(&request), Err(Refusal::Origin), "{origin}");
        }
    }

    #[test]
    fn a_page_of_the_requested_host_is_same_origin() {
        let none = guard(None, &["mcp.example.com"], &[]);
        for (host, origin) in [
            ("127.0.0.1:8765", "http://127.0.0.1:8765"),
            ("mcp.example.com", "https://mcp.example.com"),
            ("mcp.example.com:8443", "https://mcp.example.com:8443"),
        ] {
            let request = headers(&[("host", host), ("origin", origin)]);
            assert_eq!(none.check(&request), Ok(None), "{host} {origin}");
        }
        for (host, origin) in [
            ("127.0.0.1:8765", "http://127.0.0.1:8766"),
            ("127.0.0.1:8765", "http://localhost:8765"),
            ("mcp.example.com", "https://mcp.example.com:8443"),
            // The rebinding attack itself: refused for its Host before its Origin matters.
            ("evil.example:8765", "http://evil.example:8765"),
        ] {
            let request = headers(&[("host", host), ("origin", origin)]);
            assert!(none.check(&request).is_err(), "{host} {origin}");
        }
    }

    #[test]
    fn a_bearer_token_is_required_when_tokens_are_configured() {
        let guarded = guard(
            Some("token-one-abcdefghijkl,token-two-abcdefghijkl"),
            &[],
            &[],
        );
        let host = ("host", "127.0.0.1:8765");
        assert_eq!(guarded.check(&headers(&[host])), Err(Refusal::Unauthorized));
        for wrong in [
            "Bearer nope",
            "Basic dG9rZW4=",
            "Bearer",
            "token-one-abcdefghijkl",
        ] {
            let request = headers(&[host, ("authorization", wrong)]);
            assert_eq!(
                guarded.check(&request),
                Err(Refusal::Unauthorized),
                "{wrong}"
            );
        }
        for (right, which) in [
            ("Bearer token-one-abcdefghijkl", 0),
            ("bearer  token-two-abcdefghijkl ", 1),
        ] {
            assert_eq!(
                guarded.check(&headers(&[host, ("authorization", right)])),
                Ok(Some(which))
            );
        }
    }

    #[test]
    fn each_token_has_its_own_slots_and_a_body_over_the_limit_is_refused() {
        let guarded = guard(
            Some("token-one-abcdefghijkl,token-two-abcdefghijkl"),
            &[],
            &[],
        );
        let first = guarded.slot(Some(0)).unwrap();
        let second = guarded.slot(Some(0)).unwrap();
        assert!(first.is_some() && second.is_some());
        assert_eq!(guarded.slot(Some(0)).unwrap_err(), Refusal::Busy(2));
        assert!(guarded.slot(Some(1)).unwrap().is_some());
        drop(first);
        assert!(guarded.slot(Some(0)).unwrap().is_some());
        assert!(guarded.slot(None).unwrap().is_none());

        let sized = |length: &str| guarded.check_size(&headers(&[("content-length", length)]));
        assert_eq!(sized("1000"), Ok(()));
        assert_eq!(sized("1001"), Err(Refusal::TooLarge(1_000)));
        assert_eq!(guarded.check_size(&HeaderMap::new()), Ok(()));
        let busy = Refusal::Busy(2).into_response();
        assert_eq!(busy.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(busy.headers()[header::RETRY_AFTER], "1");
        assert_eq!(
            Refusal::TooLarge(1).into_response().status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[test]
    fn refusals_say_what_to_change_with_the_right_status() {
        let unauthorized = Refusal::Unauthorized.into_response();
        assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            unauthorized.headers()[header::WWW_AUTHENTICATE],
            "Bearer realm=\"hex-mcp\""
        );
        assert_eq!(
            Refusal::Origin.into_response().status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            Refusal::Host.into_response().status(),
            StatusCode::FORBIDDEN
        );
    }

    #[test]
    fn bad_allowlist_entries_are_named() {
        let tokens = InboundTokens::default();
        let error = Guard::new(tokens.clone(), &["a b".into()], &[], LIMITS).unwrap_err();
        assert!(error.contains("`a b`"), "{error}");
        let error = Guard::new(tokens, &[], &["app.example.com".into()], LIMITS).unwrap_err();
        assert!(error.contains("scheme://host"), "{error}");
    }
}
