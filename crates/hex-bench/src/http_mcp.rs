//! One MCP client over Streamable HTTP, driven with raw JSON-RPC through reqwest: no MCP client
//! library between the clock and the socket. Speaks both eras rmcp serves at `/mcp`: the
//! 2025-11-25 session protocol and the 2026-07-28 stateless one.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};

use crate::error::BenchError;

/// A reply slower than this counts as a failure: a hung server must fail the measurement, not
/// hang the harness.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(10);

const SESSION_VERSION: &str = "2025-11-25";
const STATELESS_VERSION: &str = "2026-07-28";

/// Which protocol revision a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// `initialize` once, then every request carries `Mcp-Session-Id`.
    Session,
    /// No handshake: every request carries its protocol version and the client's capabilities
    /// in `_meta`, and the `Mcp-Method`/`Mcp-Name` headers.
    Stateless,
}

impl Era {
    pub fn version(self) -> &'static str {
        match self {
            Era::Session => SESSION_VERSION,
            Era::Stateless => STATELESS_VERSION,
        }
    }
}

/// Builds a reqwest client for loopback HTTP (each MCP client gets its own, with its own
/// keep-alive connection, as separate processes would).
pub fn http_client() -> Result<reqwest::Client, BenchError> {
    // The workspace builds reqwest without a crypto provider; it wants one even for http://.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(REQUEST_LIMIT)
        .connect_timeout(REQUEST_LIMIT)
        .tcp_nodelay(true)
        .build()
        .map_err(|error| BenchError::new(format!("cannot build an HTTP client: {error}")))
}

/// How one `tools/call` went, as the load test counts it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A result that is not a tool error.
    Ok(Value),
    /// A JSON-RPC error, a tool error (`isError`), or an HTTP status other than 200.
    Failed(String),
}

pub struct McpHttpClient {
    http: reqwest::Client,
    url: String,
    era: Era,
    session: Option<HeaderValue>,
    next_id: u64,
}

impl McpHttpClient {
    /// A client of `url` (`http://ADDR/mcp`); the session era needs [`Self::initialize`] next.
    pub fn new(url: &str, era: Era) -> Result<McpHttpClient, BenchError> {
        Ok(McpHttpClient {
            http: http_client()?,
            url: url.to_string(),
            era,
            session: None,
            next_id: 1,
        })
    }

    /// The session era's handshake: `initialize`, keep `Mcp-Session-Id`, then
    /// `notifications/initialized`. Nothing to do in the stateless era.
    pub async fn initialize(&mut self) -> Result<(), BenchError> {
        if self.era == Era::Stateless {
            return Ok(());
        }
        let id = self.take_id();
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
            "protocolVersion": SESSION_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "hex-bench", "version": env!("CARGO_PKG_VERSION")},
        }});
        let response = self.post(&body, self.base_headers()).await?;
        let session = response
            .headers()
            .get("mcp-session-id")
            .cloned()
            .ok_or_else(|| BenchError::new("initialize answered without Mcp-Session-Id"))?;
        match read_reply(response, id).await? {
            Reply::Ok(_) => {}
            Reply::Failed(why) => return Err(BenchError::new(format!("initialize: {why}"))),
        }
        self.session = Some(session);
        let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let response = self.post(&notification, self.base_headers()).await?;
        if !response.status().is_success() {
            return Err(BenchError::new(format!(
                "notifications/initialized answered HTTP {}",
                response.status()
            )));
        }
        Ok(())
    }

    /// `tools/call`. Transport failures (refused, timed out, unreadable) are errors; what the
    /// server answered, success or not, is a [`Reply`].
    pub async fn call_tool(&mut self, name: &str, arguments: Value) -> Result<Reply, BenchError> {
        let id = self.take_id();
        let mut params = json!({"name": name, "arguments": arguments});
        let mut headers = self.base_headers();
        if self.era == Era::Stateless {
            if let Some(params) = params.as_object_mut() {
                params.insert(
                    "_meta".into(),
                    json!({
                        "io.modelcontextprotocol/protocolVersion": STATELESS_VERSION,
                        "io.modelcontextprotocol/clientCapabilities": {},
                    }),
                );
            }
            headers.insert("mcp-method", HeaderValue::from_static("tools/call"));
            let name = HeaderValue::from_str(name)
                .map_err(|_| BenchError::new(format!("{name:?} is not a header value")))?;
            headers.insert("mcp-name", name);
        }
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params});
        let response = self.post(&body, headers).await?;
        read_reply(response, id).await
    }

    /// Ends the session (DELETE), so the server does not keep it; best effort.
    pub async fn close(self) {
        if let Some(session) = &self.session {
            let _ = self
                .http
                .delete(&self.url)
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", SESSION_VERSION)
                .send()
                .await;
        }
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn base_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        // rmcp answers 406 unless both are accepted.
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        );
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(session) = &self.session {
            headers.insert("mcp-session-id", session.clone());
            headers.insert(
                "mcp-protocol-version",
                HeaderValue::from_static(SESSION_VERSION),
            );
        }
        if self.era == Era::Stateless {
            headers.insert(
                "mcp-protocol-version",
                HeaderValue::from_static(STATELESS_VERSION),
            );
        }
        headers
    }

    async fn post(
        &self,
        body: &Value,
        headers: HeaderMap,
    ) -> Result<reqwest::Response, BenchError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|error| BenchError::new(format!("cannot encode a request: {error}")))?;
        self.http
            .post(&self.url)
            .headers(headers)
            .body(bytes)
            .send()
            .await
            .map_err(|error| BenchError::new(format!("POST {}: {error}", self.url)))
    }
}

/// Reads the whole reply (the request's stream ends after its response) and finds the
/// response to `id` in it, as JSON or as Server-Sent Events.
async fn read_reply(response: reqwest::Response, id: u64) -> Result<Reply, BenchError> {
    let status = response.status();
    let sse = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    let body = response
        .bytes()
        .await
        .map_err(|error| BenchError::new(format!("reading a reply: {error}")))?;
    if status != reqwest::StatusCode::OK {
        let text = String::from_utf8_lossy(&body);
        return Ok(Reply::Failed(format!(
            "HTTP {status}: {}",
            text.chars().take(200).collect::<String>()
        )));
    }
    let message = if sse {
        sse_messages(&body).find(|message| is_response_to(message, id))
    } else {
        serde_json::from_slice::<Value>(&body)
            .ok()
            .filter(|message| is_response_to(message, id))
    };
    let Some(mut message) = message else {
        return Err(BenchError::new(format!(
            "no response to request {id} in the reply"
        )));
    };
    if let Some(error) = message.get("error") {
        return Ok(Reply::Failed(format!("JSON-RPC error {error}")));
    }
    let result = message
        .get_mut("result")
        .map(Value::take)
        .unwrap_or(Value::Null);
    if result.get("isError").and_then(Value::as_bool) == Some(true) {
        let text = result.to_string();
        return Ok(Reply::Failed(format!(
            "tool error {}",
            text.chars().take(200).collect::<String>()
        )));
    }
    Ok(Reply::Ok(result))
}

fn is_response_to(message: &Value, id: u64) -> bool {
    message.get("id").and_then(Value::as_u64) == Some(id)
        && (message.get("result").is_some() || message.get("error").is_some())
}

/// The JSON messages in an SSE body: each event's `data:` lines joined by newlines; events
/// without data (rmcp's priming event) are skipped.
fn sse_messages(body: &[u8]) -> impl Iterator<Item = Value> + '_ {
    let text = String::from_utf8_lossy(body);
    let mut events = Vec::new();
    let mut data = String::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.is_empty() {
            if !data.trim().is_empty() {
                events.push(std::mem::take(&mut data));
            }
            data.clear();
        } else if let Some(rest) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
    events
        .into_iter()
        .filter_map(|event| serde_json::from_str(&event).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_response_among_sse_events() {
        let body = b"data: \nid: 0\nretry: 3000\n\n\
                     data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n\
                     data: {\"jsonrpc\":\"2.0\",\"id\":7,\n\
                     data: \"result\":{\"ok\":true}}\n\n";
        let found: Vec<Value> = sse_messages(body)
            .filter(|message| is_response_to(message, 7))
            .collect();
        assert_eq!(
            found,
            [json!({"jsonrpc": "2.0", "id": 7, "result": {"ok": true}})]
        );
    }

    #[test]
    fn a_last_event_without_blank_line_counts() {
        let body = b"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-1}}";
        assert_eq!(sse_messages(body).count(), 1);
    }
}
