//! The harness of the protocol tests: spawns the real `hex-mcp` binary and speaks MCP to it
//! with rmcp's client over its stdin/stdout, recording every byte the server writes to stdout
//! and stderr so tests can check protocol hygiene and that no secret leaks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

pub mod balancer;
pub mod temp_dir;

use std::{
    pin::Pin,
    process::Stdio,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use hex_sandbox::{RateLimitMode, RunningSandbox, Sandbox, SandboxConfig};
use rmcp::{
    ClientHandler, RoleClient,
    model::{
        CallToolRequest, CallToolRequestParams, CallToolResponse, CallToolResult,
        ClientCapabilities, ClientConfig, ClientRequest, ElicitRequestParams, ElicitResult,
        ElicitationAction, Implementation, ProgressNotificationParam, ProtocolVersion,
    },
    service::{
        ClientLifecycleMode, ClientServiceExt, PeerRequestOptions, RequestContext, RequestHandle,
        RunningService,
    },
};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, ReadBuf};

/// The token of every test sandbox; checked to never appear in stdout or stderr.
pub const TOKEN: &str = "test-token-s3cr3t-8c1d";

/// A sandbox for tests: fast runs, no rate limits unless asked.
pub async fn sandbox() -> RunningSandbox {
    sandbox_with(|_| {}).await
}

pub async fn sandbox_with(adjust: impl FnOnce(&mut SandboxConfig)) -> RunningSandbox {
    let mut config = SandboxConfig {
        token: TOKEN.to_string(),
        rate_limits: RateLimitMode::Off,
        run_pending: Duration::from_millis(300),
        run_running: Duration::from_millis(600),
        ..SandboxConfig::default()
    };
    adjust(&mut config);
    Sandbox::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// How the client answers elicitation requests, and what it was asked.
#[derive(Clone, Default)]
pub struct TestClient {
    /// `None`: the client does not declare elicitation.
    pub answer: Option<ElicitationAction>,
    /// Whether an accepted answer ticks the confirmation box.
    pub tick: bool,
    pub asked: Arc<Mutex<Vec<String>>>,
    pub protocol: Option<ProtocolVersion>,
    /// Declare the Tasks extension (`io.modelcontextprotocol/tasks`).
    pub tasks: bool,
    /// Every progress notification received, in order.
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    /// The data of every MCP log message received, in order.
    pub logs: Arc<Mutex<Vec<Value>>>,
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = if self.answer.is_some() {
            ClientCapabilities::builder().enable_elicitation().build()
        } else {
            ClientCapabilities::default()
        };
        if self.tasks {
            capabilities.extensions = ClientCapabilities::builder()
                .enable_tasks()
                .build()
                .extensions;
        }
        let info = ClientConfig::new(capabilities, Implementation::new("hex-mcp-tests", "0"));
        match &self.protocol {
            Some(version) => info.with_protocol_version(version.clone()),
            None => info,
        }
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: rmcp::service::NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }

    #[allow(deprecated)]
    async fn on_logging_message(
        &self,
        params: rmcp::model::LoggingMessageNotificationParam,
        _context: rmcp::service::NotificationContext<RoleClient>,
    ) {
        let mut data = params.data;
        data["level"] = serde_json::to_value(params.level).unwrap();
        self.logs.lock().unwrap().push(data);
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, rmcp::ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = &request {
            self.asked.lock().unwrap().push(message.clone());
        }
        let action = self.answer.clone().unwrap_or(ElicitationAction::Decline);
        let result = ElicitResult::new(action.clone());
        Ok(if action == ElicitationAction::Accept {
            result.with_content(json!({ "confirm": self.tick }))
        } else {
            result
        })
    }
}

/// Bytes a child wrote, shared with the test.
#[derive(Clone, Default)]
pub struct Recorded(Arc<Mutex<Vec<u8>>>);

impl Recorded {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Passes the child's stdout to the MCP client while recording it.
struct Tee<R> {
    inner: R,
    record: Recorded,
}

impl<R: AsyncRead + Unpin> AsyncRead for Tee<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &poll {
            let new = buf.filled()[before..].to_vec();
            self.record.0.lock().unwrap().extend_from_slice(&new);
        }
        poll
    }
}

/// A running `hex-mcp` process with an MCP client session.
pub struct Session {
    pub client: RunningService<RoleClient, TestClient>,
    /// Where an HTTP server serves (`http://127.0.0.1:PORT/mcp`).
    pub url: Option<String>,
    pub stdout: Recorded,
    pub stderr: Recorded,
    child: tokio::process::Child,
    /// The server's HOME, removed with the session.
    _home: temp_dir::TempDir,
}

/// How to start the server.
pub struct Launch {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub client: TestClient,
    /// Use the 2026-07-28 stateless lifecycle (server/discover) instead of initialize.
    pub stateless: bool,
    /// Serve Streamable HTTP on a loopback port and connect to it there, instead of stdio.
    pub http: bool,
    /// Over HTTP: the bearer token the client presents (the server's `HEX_MCP_HTTP_TOKEN`).
    pub bearer: Option<String>,
}

impl Launch {
    /// `hex-mcp run --sandbox`: the embedded sandbox, no account, no config.
    pub fn embedded() -> Launch {
        Launch {
            args: vec!["run".into(), "--sandbox".into()],
            env: Vec::new(),
            client: TestClient::default(),
            stateless: false,
            http: false,
            bearer: None,
        }
    }

    /// `hex-mcp run` configured through the environment to use a sandbox of the test.
    pub fn against(sandbox: &RunningSandbox) -> Launch {
        Launch {
            args: vec!["run".into()],
            env: vec![
                ("HEX_API_URL".into(), sandbox.base_url()),
                ("HEX_API_KEY".into(), sandbox.token().into()),
            ],
            client: TestClient::default(),
            stateless: false,
            http: false,
            bearer: None,
        }
    }

    pub fn arg(mut self, arg: &str) -> Launch {
        self.args.push(arg.into());
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Launch {
        self.env.push((name.into(), value.into()));
        self
    }

    pub fn client(mut self, client: TestClient) -> Launch {
        self.client = client;
        self
    }

    /// Over HTTP, present this bearer token.
    pub fn bearer(mut self, token: &str) -> Launch {
        self.bearer = Some(token.to_string());
        self
    }

    pub fn stateless(mut self) -> Launch {
        self.stateless = true;
        self
    }

    /// `--transport http` on a loopback port, reached with rmcp's Streamable HTTP client.
    pub fn http(mut self) -> Launch {
        self.http = true;
        self.args
            .extend(["--transport", "http", "--bind", "127.0.0.1:0"].map(String::from));
        self
    }

    pub async fn start(mut self) -> Session {
        // Tests exercise every tool; the default set is tested by naming it.
        let names_toolsets = self.args.iter().any(|arg| arg == "--toolsets")
            || self.env.iter().any(|(name, _)| name == "HEX_MCP_TOOLSETS");
        if !names_toolsets {
            self.args
                .extend(["--toolsets".to_string(), "all".to_string()]);
        }
        let home = temp_dir::TempDir::new("test-home");
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"));
        command
            .args(&self.args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("HEX_MCP_LOG", "debug")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().unwrap();
        let stdout = Recorded::default();
        let stderr = Recorded::default();
        let mut child_stderr = child.stderr.take().unwrap();
        let stderr_record = stderr.clone();
        tokio::spawn(async move {
            let mut sink = Tee {
                inner: &mut child_stderr,
                record: stderr_record,
            };
            let _ = tokio::io::copy(&mut sink, &mut tokio::io::sink()).await;
        });
        let lifecycle = if self.stateless {
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            }
        } else {
            ClientLifecycleMode::Initialize
        };
        let mut url = None;
        let client = if self.http {
            let mut child_stdout = child.stdout.take().unwrap();
            let stdout_record = stdout.clone();
            tokio::spawn(async move {
                let mut sink = Tee {
                    inner: &mut child_stdout,
                    record: stdout_record,
                };
                let _ = tokio::io::copy(&mut sink, &mut tokio::io::sink()).await;
            });
            let served = served_url(&stderr).await;
            url = Some(served.clone());
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config =
                rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
                    served,
                );
            let config = match &self.bearer {
                Some(token) => config.auth_header(token.clone()),
                None => config,
            };
            let transport = rmcp::transport::StreamableHttpClientTransport::from_config(config);
            self.client
                .serve_with_lifecycle(transport, lifecycle)
                .await
                .unwrap()
        } else {
            let reader = Tee {
                inner: child.stdout.take().unwrap(),
                record: stdout.clone(),
            };
            let writer = child.stdin.take().unwrap();
            self.client
                .serve_with_lifecycle((reader, writer), lifecycle)
                .await
                .unwrap()
        };
        Session {
            client,
            url,
            stdout,
            stderr,
            child,
            _home: home,
        }
    }
}

/// The URL an HTTP server says it serves at on stderr.
async fn served_url(stderr: &Recorded) -> String {
    for _ in 0..300 {
        if let Some(at) = stderr.text().find("http://") {
            let text = stderr.text();
            let rest = &text[at..];
            return rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_string();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server never said where it serves: {}", stderr.text());
}

/// What a tool answered: its structured content, and whether it was an error.
#[derive(Debug, Clone)]
pub struct Answer {
    pub value: Value,
    pub is_error: bool,
    pub text: String,
}

impl Answer {
    /// The structured content of a success; panics with the error otherwise.
    pub fn ok(self) -> Value {
        assert!(!self.is_error, "tool failed: {}", self.text);
        self.value
    }

    /// The `error` object of a failure; panics on success.
    pub fn err(self) -> Value {
        assert!(self.is_error, "expected an error, got {}", self.text);
        self.value["error"].clone()
    }
}

pub fn answer_of(result: CallToolResult) -> Answer {
    let text = result
        .content
        .iter()
        .filter_map(|content| content.as_text().map(|text| text.text.clone()))
        .collect::<Vec<_>>()
        .join("\n");
    Answer {
        value: result.structured_content.unwrap_or(Value::Null),
        is_error: result.is_error == Some(true),
        text,
    }
}

impl Session {
    /// Calls a tool and returns its answer (success or tool error).
    pub async fn call(&self, tool: &str, arguments: Value) -> Answer {
        let params = CallToolRequestParams::new(tool.to_string())
            .with_arguments(arguments.as_object().cloned().unwrap_or_default());
        answer_of(self.client.call_tool(params).await.unwrap())
    }

    /// A project's title, as get_hex_project answers it.
    pub async fn project_title(&self, project: &str) -> String {
        self.call(
            "get_hex_project",
            serde_json::json!({"project_id": project}),
        )
        .await
        .ok()["title"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Calls a tool and returns the whole MCP result, content blocks (images, resources) included.
    pub async fn call_raw(&self, tool: &str, arguments: Value) -> CallToolResult {
        let params = CallToolRequestParams::new(tool.to_string())
            .with_arguments(arguments.as_object().cloned().unwrap_or_default());
        self.client.call_tool(params).await.unwrap()
    }

    /// Calls once, without the client fulfilling input requests.
    pub async fn call_once(&self, tool: &str, arguments: Value) -> CallToolResponse {
        let params = CallToolRequestParams::new(tool.to_string())
            .with_arguments(arguments.as_object().cloned().unwrap_or_default());
        self.client.call_tool_once(params).await.unwrap()
    }

    /// Starts a call without waiting for its answer: the handle can be cancelled
    /// (`notifications/cancelled`) or awaited.
    pub async fn start_call(&self, tool: &str, arguments: Value) -> RequestHandle<RoleClient> {
        let params = CallToolRequestParams::new(tool.to_string())
            .with_arguments(arguments.as_object().cloned().unwrap_or_default());
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        self.client
            .peer()
            .send_cancellable_request(request, PeerRequestOptions::no_options())
            .await
            .unwrap()
    }

    /// Every item of a cursor-paged list tool, page after page (`after` from
    /// `pagination.after`), with `arguments` on each call.
    pub async fn all_pages(&self, tool: &str, arguments: Value) -> Vec<Value> {
        let mut items = Vec::new();
        let mut arguments = arguments;
        loop {
            let page = self.call(tool, arguments.clone()).await.ok();
            items.extend(page["values"].as_array().unwrap().iter().cloned());
            match page["pagination"]["after"].as_str() {
                Some(cursor) => arguments["after"] = json!(cursor),
                None => return items,
            }
        }
    }

    /// The progress notifications received so far.
    pub fn progress(&self) -> Vec<ProgressNotificationParam> {
        self.client.service().progress.lock().unwrap().clone()
    }

    /// The progress notifications after the first `from`, once at least `count` of them have
    /// arrived (bounded: the client handles a notification apart from the answer that follows
    /// it, so the last can land just after its call returned).
    pub async fn progress_since(
        &self,
        from: usize,
        count: usize,
    ) -> Vec<ProgressNotificationParam> {
        for _ in 0..200 {
            if self.progress().len() >= from + count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let mut progress = self.progress();
        progress.split_off(from.min(progress.len()))
    }

    pub async fn tool_names(&self) -> Vec<String> {
        self.client
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|tool| tool.name.to_string())
            .collect()
    }

    /// Ends the session and checks the hygiene every session must keep: stdout holds nothing
    /// but JSON-RPC messages, and the token appears nowhere.
    pub async fn finish(mut self) -> (String, String) {
        let _ = self.client.cancel().await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        let _ = self.child.start_kill();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let stdout = self.stdout.text();
        let stderr = self.stderr.text();
        assert_stdout_is_json_rpc(&stdout);
        for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            assert!(!text.contains(TOKEN), "the token leaked on {name}");
        }
        (stdout, stderr)
    }
}

pub fn assert_stdout_is_json_rpc(stdout: &str) {
    for line in stdout.lines().filter(|line| !line.trim().is_empty()) {
        let message: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("stdout line is not JSON ({error}): {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "not JSON-RPC: {line}");
    }
}

/// Polls a tool until `done` says so, at most `tries` times.
pub async fn poll_until(
    session: &Session,
    tool: &str,
    arguments: Value,
    tries: usize,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let mut last = Value::Null;
    for _ in 0..tries {
        last = session.call(tool, arguments.clone()).await.ok();
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{tool} never reached the expected state; last answer: {last}");
}

/// A bulk walk's progress as a client sees it: every step of one call's token with the same
/// `total`, never going back, the last at `total` of `total` saying `last`.
pub fn assert_walk_progress(notes: &[ProgressNotificationParam], total: f64, last: &str) {
    let messages: Vec<&str> = notes.iter().filter_map(|n| n.message.as_deref()).collect();
    assert!(notes.len() >= 2, "{messages:?}");
    let token = &notes[0].progress_token;
    assert!(
        notes.iter().all(|n| &n.progress_token == token),
        "{messages:?}"
    );
    assert!(notes.iter().all(|n| n.total == Some(total)), "{notes:?}");
    assert!(
        notes
            .windows(2)
            .all(|pair| pair[0].progress <= pair[1].progress),
        "{notes:?}"
    );
    assert_eq!(notes.last().unwrap().progress, total, "{messages:?}");
    assert!(messages.last().unwrap().contains(last), "{messages:?}");
}
