//! The Streamable HTTP transport, with rmcp's HTTP client: the same tools as over stdio.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::{process::Stdio, time::Duration};

use rmcp::{
    ServiceExt,
    model::{CallToolRequestParams, ClientConfig},
    transport::{
        StreamableHttpClientTransport, streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

mod common;

#[tokio::test]
async fn tools_work_over_streamable_http() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"))
        .args([
            "run",
            "--sandbox",
            "--transport",
            "http",
            "--bind",
            "127.0.0.1:0",
        ])
        .env("HOME", std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // The server says where it listens on stderr.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line.find("http://") {
                return line[at..].trim().to_string();
            }
        }
        panic!("the server never said where it listens");
    })
    .await
    .unwrap();
    assert!(url.ends_with("/mcp"), "{url}");

    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = StreamableHttpClientTransport::from_uri(url);
    let client = ClientConfig::default().serve(transport).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|tool| tool.name == "get_hex_project"));
    let params = CallToolRequestParams::new("list_hex_projects")
        .with_arguments(json!({"limit": 2}).as_object().cloned().unwrap());
    let result = client.call_tool(params).await.unwrap();
    assert_eq!(result.is_error, Some(false));
    let values = &result.structured_content.unwrap()["values"];
    assert_eq!(values.as_array().unwrap().len(), 2);
    client.cancel().await.unwrap();
    // Nothing goes to stdout in HTTP mode either.
    child.start_kill().unwrap();
    let output = child.wait_with_output().await.unwrap();
    assert!(output.stdout.is_empty());
}

/// A server started with `run --sandbox --transport http`, and the URL it printed.
struct Served {
    child: tokio::process::Child,
    url: String,
    stderr: tokio::task::JoinHandle<String>,
}

const TOKEN: &str = "inbound-token-5f0c2a9e41d8b7c3";
const CONFIRM_KEY: &str = "confirm-key-9d41c7e2a8b3f6051e7d2c9a4b8f3e61";

/// `hex-mcp run --sandbox --transport http --bind BIND EXTRA…`, with no inbound token from the
/// test's own environment.
fn http_command(bind: &str, extra: &[&str]) -> tokio::process::Command {
    let mut command = hex_http_command(bind);
    command
        .arg("--sandbox")
        .args(extra)
        .env("HOME", std::env::temp_dir());
    command
}

/// `hex-mcp run --transport http --bind BIND`, for a Hex the caller sets up.
fn hex_http_command(bind: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"));
    command
        .args(["run", "--transport", "http", "--bind", bind])
        .env_remove("HEX_MCP_HTTP_TOKEN");
    command
}

async fn serve(bind: &str, env: &[(&str, &str)], extra: &[&str]) -> Served {
    let mut command = http_command(bind, extra);
    command.envs(env.iter().copied());
    spawn_served(command).await
}

async fn spawn_served(mut command: tokio::process::Command) -> Served {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut text = String::new();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            text.push_str(&line);
            text.push('\n');
            if let Some(at) = line.find("http://") {
                return line[at..].trim().to_string();
            }
        }
        panic!("the server never said where it listens");
    })
    .await
    .unwrap();
    // Keep reading stderr so the server never blocks on it; the text is checked at the end.
    let stderr = tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    Served { child, url, stderr }
}

impl Served {
    /// GET `path` on loopback.
    async fn get(&self, path: &str) -> reqwest::Response {
        http().get(self.loopback(path)).send().await.unwrap()
    }

    /// The URL on loopback, whatever address the server bound.
    fn loopback(&self, path: &str) -> String {
        let port = self
            .url
            .rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches("/mcp");
        format!("http://127.0.0.1:{port}{path}")
    }

    async fn stop(mut self) -> (Vec<u8>, String) {
        self.child.start_kill().unwrap();
        let output = self.child.wait_with_output().await.unwrap();
        (output.stdout, self.stderr.await.unwrap())
    }
}

fn initialize() -> serde_json::Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "curl", "version": "1"}}})
}

/// reqwest is built without a default crypto provider (as the server is).
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn post(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = http()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(&initialize());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_non_loopback_bind_without_inbound_auth_refuses_to_start() {
    let output = http_command("0.0.0.0:0", &[]).output().await.unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("HEX_MCP_HTTP_TOKEN"), "{stderr}");
    assert!(stderr.contains("--http-token-file"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[tokio::test]
async fn allow_unauthenticated_serves_and_says_so_loudly() {
    let served = serve("0.0.0.0:0", &[], &["--allow-unauthenticated"]).await;
    let response = post(&served.loopback("/mcp"), &[]).await;
    assert_eq!(response.status(), 200);
    let (_, stderr) = served.stop().await;
    assert!(stderr.contains("NO inbound authentication"), "{stderr}");
}

#[tokio::test]
async fn with_a_token_every_mcp_request_needs_it_and_healthz_does_not() {
    let served = serve(
        "0.0.0.0:0",
        &[
            ("HEX_MCP_HTTP_TOKEN", TOKEN),
            ("HEX_MCP_CONFIRM_KEY", CONFIRM_KEY),
            ("HEX_MCP_LOG", "trace"),
        ],
        &["--stateless"],
    )
    .await;
    let mcp = served.loopback("/mcp");

    let missing = post(&mcp, &[]).await;
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.headers()["www-authenticate"],
        "Bearer realm=\"hex-mcp\""
    );
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], -32001);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("HEX_MCP_HTTP_TOKEN")
    );

    let wrong = post(&mcp, &[("authorization", "Bearer not-the-token")]).await;
    assert_eq!(wrong.status(), 401);
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        post(&mcp, &[("authorization", &bearer)]).await.status(),
        200
    );

    // A web page's request, even with the token, is refused unless its origin is listed.
    let evil = post(
        &mcp,
        &[
            ("authorization", &bearer),
            ("origin", "https://evil.example"),
        ],
    )
    .await;
    assert_eq!(evil.status(), 403);
    // DNS rebinding: a Host the server does not answer to.
    let rebound = post(
        &mcp,
        &[("authorization", &bearer), ("host", "evil.example")],
    )
    .await;
    assert_eq!(rebound.status(), 403);

    let health = served.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), r#"{"status":"ok"}"#);
    for path in ["/readyz", "/readyz?check=hex"] {
        let ready = served.get(path).await;
        assert_eq!(ready.status(), 200, "{path}");
    }

    // rmcp's client with the token: the tools work as over stdio.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(mcp.clone()).auth_header(TOKEN),
    );
    let client = ClientConfig::default().serve(transport).await.unwrap();
    let params = CallToolRequestParams::new("list_hex_projects")
        .with_arguments(json!({"limit": 1}).as_object().cloned().unwrap());
    let result = client.call_tool(params).await.unwrap();
    assert_eq!(result.is_error, Some(false));
    client.cancel().await.unwrap();

    // Metrics: behind the same token, and counting what just happened.
    assert_eq!(served.get("/metrics").await.status(), 401);
    let metrics = http()
        .get(served.loopback("/metrics"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    let calls = text
        .lines()
        .find(|line| {
            line.starts_with("hex_mcp_tool_calls_total{")
                && line.contains("tool=\"list_hex_projects\"")
                && line.contains("outcome=\"ok\"")
        })
        .unwrap_or_else(|| panic!("no call counter: {text}"));
    assert!(calls.ends_with(" 1"), "{calls}");
    assert!(
        text.lines()
            .any(|line| line.starts_with("hex_mcp_hex_responses_total{")
                && line.contains("operation=\"ListProjects\"")
                && line.contains("status=\"200\"")),
        "{text}"
    );
    assert!(
        text.contains("hex_mcp_tool_call_duration_seconds_bucket"),
        "{text}"
    );

    // Not in any log line, at the most verbose level.
    let (stdout, stderr) = served.stop().await;
    assert!(stdout.is_empty());
    assert!(!stderr.contains(TOKEN), "the inbound token is in the log");
    assert!(
        !stderr.contains(CONFIRM_KEY),
        "the confirmation key is in the log"
    );
    assert!(stderr.contains("refused an HTTP request"), "{stderr}");
    // The request log: one line per tool call, without its arguments.
    let call = stderr
        .lines()
        .find(|line| line.contains("tool call") && line.contains("tool=list_hex_projects"))
        .unwrap_or_else(|| panic!("no request log line: {stderr}"));
    assert!(
        call.contains("outcome=\"ok\"") && !call.contains("limit"),
        "{call}"
    );
}

#[tokio::test]
async fn listed_origins_and_hosts_are_served() {
    let served = serve(
        "127.0.0.1:0",
        &[],
        &[
            "--allowed-origins",
            "https://app.example.com",
            "--allowed-hosts",
            "mcp.example.com",
        ],
    )
    .await;
    let mcp = served.loopback("/mcp");
    let listed = post(&mcp, &[("origin", "https://app.example.com")]).await;
    assert_eq!(listed.status(), 200);
    let other = post(&mcp, &[("origin", "https://app.example.com:8443")]).await;
    assert_eq!(other.status(), 403);
    let named = post(&mcp, &[("host", "mcp.example.com")]).await;
    assert_eq!(named.status(), 200);
    served.stop().await;
}

#[tokio::test]
async fn a_bad_allowlist_entry_or_token_file_stops_start_up() {
    for (args, expected) in [
        (
            vec!["--allowed-origins", "app.example.com"],
            "scheme://host",
        ),
        (
            vec!["--http-token-file", "/nonexistent/tokens"],
            "cannot read --http-token-file",
        ),
        (vec!["--metrics-bind", "0.0.0.0:9464"], "loopback address"),
    ] {
        let output = http_command("127.0.0.1:0", &args).output().await.unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

/// A server on loopback against a sandbox where every Hex request takes 1.5 s.
async fn serve_slow(extra: &[&str], env: &[(&str, &str)]) -> (Served, hex_sandbox::RunningSandbox) {
    let sandbox = common::sandbox_with(|config| config.latency = Duration::from_millis(1500)).await;
    let mut command = hex_http_command("127.0.0.1:0");
    command
        .args(extra)
        .env("HOME", std::env::temp_dir())
        .env("HEX_API_URL", sandbox.base_url())
        .env("HEX_API_KEY", sandbox.token())
        .env("HEX_MCP_RATE_LIMITS", "off")
        .envs(env.iter().copied());
    (spawn_served(command).await, sandbox)
}

/// A `list_hex_projects` call started in the background (slow against `serve_slow`).
fn slow_call(
    client: &rmcp::service::RunningService<rmcp::RoleClient, rmcp::model::InitializeRequestParams>,
) -> tokio::task::JoinHandle<Result<rmcp::model::CallToolResult, rmcp::ServiceError>> {
    let params = CallToolRequestParams::new("list_hex_projects")
        .with_arguments(json!({"limit": 1}).as_object().cloned().unwrap());
    let peer = client.peer().clone();
    tokio::spawn(async move { peer.call_tool(params).await })
}

#[tokio::test]
async fn sigterm_lets_a_call_in_progress_finish_then_exits_0() {
    // The call is still in progress when SIGTERM arrives.
    let (mut served, _sandbox) = serve_slow(&["--shutdown-grace", "10"], &[]).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = StreamableHttpClientTransport::from_uri(served.loopback("/mcp"));
    let client = ClientConfig::default().serve(transport).await.unwrap();
    let call = slow_call(&client);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let pid = served.child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());

    let result = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(result.is_error, Some(false));
    let status = tokio::time::timeout(Duration::from_secs(10), served.child.wait())
        .await
        .expect("the server did not exit within the grace period")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let stderr = served.stderr.await.unwrap();
    assert!(stderr.contains("1 call(s) in progress"), "{stderr}");
}

#[tokio::test]
async fn without_hex_settings_the_server_is_alive_but_not_ready() {
    let home = std::env::temp_dir().join(format!("hex-mcp-readyz-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut command = hex_http_command("127.0.0.1:0");
    command.env("HOME", &home).env_remove("HEX_API_KEY");
    let served = spawn_served(command).await;
    let health = served.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = served.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "not ready");
    let reason = body["reason"].as_str().unwrap();
    assert!(reason.contains("hex-mcp doctor"), "{reason}");
    assert!(!reason.contains(home.to_str().unwrap()), "{reason}");
    served.stop().await;
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn a_body_over_the_limit_gets_a_json_rpc_413() {
    let served = serve("127.0.0.1:0", &[], &["--max-body-bytes", "2000"]).await;
    let mut big = initialize();
    big["params"]["clientInfo"]["name"] = json!("x".repeat(5_000));
    let response = http()
        .post(served.loopback("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["jsonrpc"], "2.0");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("--max-body-bytes"), "{message}");
    // A body within the limit is served.
    assert_eq!(post(&served.loopback("/mcp"), &[]).await.status(), 200);
    served.stop().await;
}

#[tokio::test]
async fn a_token_with_its_requests_in_progress_gets_429_until_one_finishes() {
    let (served, _sandbox) = serve_slow(
        &["--max-concurrent-per-token", "1"],
        &[("HEX_MCP_HTTP_TOKEN", TOKEN)],
    )
    .await;
    let mcp = served.loopback("/mcp");
    let bearer = format!("Bearer {TOKEN}");

    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(mcp.clone()).auth_header(TOKEN),
    );
    let client = ClientConfig::default().serve(transport).await.unwrap();
    let call = slow_call(&client);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let busy = post(&mcp, &[("authorization", &bearer)]).await;
    assert_eq!(busy.status(), 429);
    assert_eq!(busy.headers()["retry-after"], "1");
    let body: serde_json::Value = busy.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--max-concurrent-per-token")
    );

    let result = call.await.unwrap().unwrap();
    assert_eq!(result.is_error, Some(false));
    assert_eq!(
        post(&mcp, &[("authorization", &bearer)]).await.status(),
        200
    );
    client.cancel().await.unwrap();
    served.stop().await;
}

#[tokio::test]
async fn ending_a_session_answers_204() {
    let served = serve("127.0.0.1:0", &[], &[]).await;
    let mcp = served.loopback("/mcp");
    let started = post(&mcp, &[]).await;
    assert_eq!(started.status(), 200);
    let session = started.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let ended = http()
        .delete(&mcp)
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-06-18")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    served.stop().await;
}

#[tokio::test]
async fn metrics_bind_serves_metrics_alone_on_loopback() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_at = free.local_addr().unwrap().to_string();
    drop(free);
    let served = serve(
        "127.0.0.1:0",
        &[("HEX_MCP_HTTP_TOKEN", TOKEN)],
        &["--metrics-bind", &metrics_at],
    )
    .await;
    // Not beside /mcp (where even an unknown path needs the token first)...
    let beside = http()
        .get(served.loopback("/metrics"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(beside.status(), 404);
    // ...but alone on its own loopback listener, without a token, serving nothing else.
    let metrics = http()
        .get(format!("http://{metrics_at}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(metrics.text().await.unwrap().contains("hex_mcp_"));
    let other = http()
        .post(format!("http://{metrics_at}/mcp"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    served.stop().await;
}

#[tokio::test]
async fn a_call_over_the_request_timeout_ends_in_a_json_rpc_error() {
    // Every Hex request takes 1.5 s; the limit is 1 s.
    let (served, _sandbox) = serve_slow(&["--request-timeout", "1"], &[]).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = StreamableHttpClientTransport::from_uri(served.loopback("/mcp"));
    let client = ClientConfig::default().serve(transport).await.unwrap();
    let error = slow_call(&client).await.unwrap().unwrap_err();
    let rmcp::ServiceError::McpError(error) = error else {
        panic!("expected a JSON-RPC error, got {error:?}");
    };
    assert_eq!(error.code.0, -32001);
    assert!(
        error.message.contains("--request-timeout"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("safe to call again"),
        "{}",
        error.message
    );
    assert_eq!(error.data.unwrap()["safeToRetry"], true);
    // The server goes on serving.
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    let (_, stderr) = served.stop().await;
    assert!(
        stderr.contains("outcome=\"timeout\"") || stderr.contains("outcome=timeout"),
        "{stderr}"
    );
}
