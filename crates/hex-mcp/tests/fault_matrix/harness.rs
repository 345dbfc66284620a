//! One case of the matrix: a fresh sandbox, a server in this process, the tool's example
//! arguments, one fault, and what came of it.

use std::{path::Path, sync::Arc, time::Duration};

use hex_client::{Operation, RateLimits, RetryPolicy, SecretString};
use hex_mcp::{
    confirm::{ConfirmKey, Gate},
    context::{HexTarget, Limits, ToolContext},
    files::AllowedPaths,
    registry::{RegisteredTool, Registry, Selection, Toolset},
    server::{HexServer, Serving},
};
use hex_sandbox::{FaultKind, FaultRule, RateLimitMode, RunningSandbox, Sandbox, SandboxConfig};
use serde_json::Value;

/// How long each Hex request may take here (`--hex-timeout`): far above what a loopback
/// answer takes, even on a busy machine.
pub const HEX_TIMEOUT: Duration = Duration::from_secs(10);

/// The timeout of the slow case, short so that the case is quick, and the delay that exceeds it.
pub const SLOW_CASE_TIMEOUT: Duration = Duration::from_secs(2);
const SLOW: Duration = Duration::from_millis(3_000);

/// Setup calls (no faults) may take longer on a busy machine.
const SETUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A case taking longer than this hangs (a hang detector, not a timing assertion).
pub const HANG: Duration = Duration::from_secs(120);

/// Every fault the matrix injects, in the table's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    RateLimited,
    Status500,
    Status502,
    Status503,
    Status504,
    Status503Always,
    Slow,
    DropBefore,
    DropAfter,
    Truncated,
    NotJson,
    ProxyPage,
    UnknownFields,
    MissingOptional,
}

impl Fault {
    pub const ALL: [Fault; 14] = [
        Fault::RateLimited,
        Fault::Status500,
        Fault::Status502,
        Fault::Status503,
        Fault::Status504,
        Fault::Status503Always,
        Fault::Slow,
        Fault::DropBefore,
        Fault::DropAfter,
        Fault::Truncated,
        Fault::NotJson,
        Fault::ProxyPage,
        Fault::UnknownFields,
        Fault::MissingOptional,
    ];

    /// Faults whose cases take longest first, so that the matrix does not end waiting on them.
    pub fn slow_first(self) -> u8 {
        match self {
            Fault::Slow => 0,
            Fault::Status503Always => 1,
            Fault::RateLimited => 2,
            _ => 3,
        }
    }

    /// The row's label in the table.
    pub fn label(self) -> &'static str {
        match self {
            Fault::RateLimited => "429 with `Retry-After: 1`",
            Fault::Status500 => "500",
            Fault::Status502 => "502",
            Fault::Status503 => "503",
            Fault::Status504 => "504",
            Fault::Status503Always => "503 on every attempt (retries run out)",
            Fault::Slow => "answer slower than the timeout",
            Fault::DropBefore => "connection closed before the request is read",
            Fault::DropAfter => "connection dropped after Hex acted, no answer",
            Fault::Truncated => "body cut short (`Content-Length` larger than sent)",
            Fault::NotJson => "200 with a body that is not JSON",
            Fault::ProxyPage => "502 HTML page from a proxy",
            Fault::UnknownFields => "unknown fields in the answer",
            Fault::MissingOptional => "optional fields missing from the answer",
        }
    }

    /// The error kinds (`error.kind`) that say what happened, when the call fails.
    pub fn kinds(self) -> &'static [&'static str] {
        match self {
            Fault::RateLimited => &["rate_limited"],
            Fault::Status500 | Fault::NotJson => &["hex_api"],
            Fault::Status502
            | Fault::Status503
            | Fault::Status504
            | Fault::Status503Always
            | Fault::ProxyPage => &["unavailable"],
            Fault::Slow => &["timeout"],
            Fault::DropBefore | Fault::DropAfter | Fault::Truncated => &["network"],
            Fault::UnknownFields | Fault::MissingOptional => &[],
        }
    }

    /// Arms the fault for the next request of `method` (any path), or the next connection.
    fn inject(self, sandbox: &RunningSandbox, method: &str) {
        let status = |status| FaultRule::status(method, "**", status);
        let rule = match self {
            Fault::RateLimited => status(429).with_retry_after(1),
            Fault::Status500 => status(500),
            Fault::Status502 => status(502),
            Fault::Status503 => status(503),
            Fault::Status504 => status(504),
            Fault::Status503Always => status(503).times(RetryPolicy::default().max_retries + 1),
            Fault::Slow => FaultRule::delay(method, "**", SLOW),
            Fault::DropBefore => return sandbox.close_next_connections(1),
            Fault::DropAfter => FaultRule::new(method, "**", FaultKind::DropAfterServing),
            Fault::Truncated => FaultRule::new(method, "**", FaultKind::TruncatedBody),
            Fault::NotJson => FaultRule::malformed_body(method, "**"),
            Fault::ProxyPage => FaultRule::proxy_page(method, "**", 502),
            Fault::UnknownFields => FaultRule::new(method, "**", FaultKind::ExtraFields),
            Fault::MissingOptional => FaultRule::omit_optional_fields(method, "**"),
        };
        sandbox.inject(rule);
    }
}

/// The operations Hex answers 204 with no body (endpoints.md §1.1).
const NO_BODY: [Operation; 3] = [
    Operation::CancelRun,
    Operation::DeleteGroup,
    Operation::DeleteGuideDraft,
];

/// Tool classes, from the registry: what the tool does and whether its requests may be sent
/// again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Changes nothing.
    Read,
    /// Sets or removes state; every request it sends is repeatable.
    Write,
    /// Like [`Class::Write`], but Hex answers it 204 with no body: there is no answer to misread.
    WriteNoBody,
    /// Sets state, but its request is one Hex must get once (an ingest, publishing guides).
    WriteSentOnce,
    /// Creates something on every call (a project, a run, a message to Hex's agent…).
    Create,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::Read,
        Class::Write,
        Class::WriteNoBody,
        Class::WriteSentOnce,
        Class::Create,
    ];

    pub fn of(tool: &RegisteredTool) -> Class {
        let spec = &tool.spec;
        if spec.effect.read_only {
            Class::Read
        } else if !spec.effect.idempotent {
            Class::Create
        } else if spec.operations.iter().any(|op| !op.repeatable()) {
            Class::WriteSentOnce
        } else if spec.operations.iter().all(|op| NO_BODY.contains(op)) {
            Class::WriteNoBody
        } else {
            Class::Write
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Class::Read => "read",
            Class::Write => "idempotent write",
            Class::WriteNoBody => "idempotent write answered 204",
            Class::WriteSentOnce => "write sent once",
            Class::Create => "create",
        }
    }
}

/// The request a fault hits: a read-only tool's first; another tool's first that is not a GET
/// (the write itself, not a look-up before it). A closed connection hits the first request.
pub fn target_method(tool: &RegisteredTool) -> &'static str {
    let operations = tool.spec.operations;
    let first = operations.first().map_or("GET", |op| op.method());
    if tool.spec.effect.read_only {
        return first;
    }
    operations
        .iter()
        .map(|op| op.method())
        .find(|method| *method != "GET")
        .unwrap_or(first)
}

/// A sandbox of its own for one case: no rate limits, runs that stay cancellable, an agent
/// that answers at once. Seeding is work for the CPU, done off the async threads so that it
/// never holds up the other cases' requests.
pub async fn sandbox() -> RunningSandbox {
    let config = SandboxConfig {
        token: "fault-matrix-token".into(),
        projects: 12,
        rate_limits: RateLimitMode::Off,
        run_pending: Duration::from_secs(60),
        thread_running: Duration::from_millis(50),
        ..SandboxConfig::default()
    };
    let seeded = tokio::task::spawn_blocking(move || Sandbox::new(config))
        .await
        .unwrap();
    seeded.serve("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// A server in this process, as `hex-mcp run --toolsets all --no-confirm --allow-path DIR
/// --hex-timeout SECONDS` configures it, with its own Hex client (and so its own connections).
pub fn server(
    registry: &Arc<Registry>,
    sandbox: &RunningSandbox,
    files: &Path,
    timeout: Duration,
) -> HexServer {
    server_with(registry, sandbox, files, timeout)
}

fn server_with(
    registry: &Arc<Registry>,
    sandbox: &RunningSandbox,
    files: &Path,
    timeout: Duration,
) -> HexServer {
    let target = HexTarget {
        base_url: sandbox.base_url(),
        token: Some(SecretString::from(sandbox.token().to_string())),
        timeout,
        problem: None,
        rate_limits: RateLimits::default(),
        rate_store: None,
    };
    let limits = Limits {
        allowed_paths: AllowedPaths::from_sources(&[files.to_path_buf()], None).unwrap(),
        ..Limits::default()
    };
    let selection = Selection {
        toolsets: Some(Toolset::ALL.into_iter().collect()),
        ..Selection::default()
    };
    let gate = Gate::new(false, ConfirmKey::random().unwrap());
    HexServer::new(
        registry.clone(),
        selection,
        ToolContext::new(target, limits),
        gate,
        Serving::default(),
    )
}

/// What a case's setup calls use: the sandbox and, made on first use, a server without faults.
pub struct Fixture<'a> {
    pub sandbox: &'a RunningSandbox,
    pub registry: &'a Arc<Registry>,
    pub files: &'a Path,
    pub setup: tokio::sync::OnceCell<HexServer>,
}

impl Fixture<'_> {
    /// Calls a tool that must succeed (the setup of a case).
    pub async fn call(&self, tool: &str, arguments: Value) -> Value {
        let setup = self
            .setup
            .get_or_init(|| async {
                server_with(self.registry, self.sandbox, self.files, SETUP_TIMEOUT)
            })
            .await;
        let arguments = arguments.as_object().cloned().unwrap_or_default();
        let (result, _) = setup.call_detached(tool, arguments).await;
        assert_ne!(result.is_error, Some(true), "setup {tool}: {result:?}");
        result.structured_content.unwrap_or_default()
    }
}

/// What one case ended in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// A correct answer; the fault did not need a retry.
    Ok,
    /// A correct answer after the client sent the request again.
    OkAfterRetry,
    /// `isError`, saying what happened (`kind`) and that calling again is safe.
    ErrorSafe(String),
    /// `isError`, saying what happened and that Hex may have acted: check before calling again.
    ErrorCheckFirst(String),
    /// Anything else: an error that does not say whether to retry, a wrong kind, a hang…
    Wrong(String),
}

impl Outcome {
    pub fn text(&self) -> String {
        match self {
            Outcome::Ok => "ok".into(),
            Outcome::OkAfterRetry => "ok after a retry".into(),
            Outcome::ErrorSafe(kind) => format!("isError `{kind}`, safe to call again"),
            Outcome::ErrorCheckFirst(kind) => {
                format!("isError `{kind}`, may have acted: check before calling again")
            }
            Outcome::Wrong(what) => format!("WRONG: {what}"),
        }
    }
}

/// The path pattern of an operation's template (`/v1/projects/{projectId}` → `/v1/projects/*`).
pub fn pattern(operation: Operation) -> String {
    operation
        .path()
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "*"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// What a case observed, for the checks and the table.
pub struct Observed {
    pub outcome: Outcome,
    /// The most requests of one non-repeatable operation the sandbox logged.
    pub most_sent_once: usize,
}

/// Runs `tool` with `arguments` against `sandbox` with `fault` armed, and judges the result.
pub async fn run_case(
    registry: &Arc<Registry>,
    tool: &RegisteredTool,
    fault: Fault,
    sandbox: &RunningSandbox,
    arguments: Value,
    files: &Path,
) -> Observed {
    sandbox.clear_requests();
    let timeout = if fault == Fault::Slow {
        SLOW_CASE_TIMEOUT
    } else {
        HEX_TIMEOUT
    };
    let server = server(registry, sandbox, files, timeout);
    fault.inject(sandbox, target_method(tool));
    let arguments = arguments.as_object().cloned().unwrap_or_default();
    let (result, _) = server.call_detached(tool.spec.name, arguments).await;
    if fault == Fault::Slow {
        // The delayed request is logged when the sandbox answers it, after the client gave up.
        for _ in 0..600 {
            if sandbox.requests().iter().any(|entry| entry.fault.is_some()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let log = sandbox.requests();
    let most_sent_once = tool
        .spec
        .operations
        .iter()
        .filter(|op| !op.repeatable())
        .map(|op| sandbox.count_requests(op.method(), &pattern(*op)))
        .max()
        .unwrap_or(0);
    let faulted = log.iter().position(|entry| entry.fault.is_some());
    let reached = faulted.is_some() || sandbox.connections_closed_at_accept() > 0;
    let retried = match faulted {
        Some(at) => {
            let hit = &log[at];
            log[at + 1..]
                .iter()
                .any(|entry| entry.method == hit.method && entry.path == hit.path)
        }
        None => sandbox.connections_closed_at_accept() > 0 && !log.is_empty(),
    };
    let outcome = if !reached {
        Outcome::Wrong("the fault was never reached".into())
    } else if result.is_error != Some(true) {
        if retried {
            Outcome::OkAfterRetry
        } else {
            Outcome::Ok
        }
    } else {
        judge_error(fault, &result)
    };
    Observed {
        outcome,
        most_sent_once,
    }
}

/// An error must say what happened (its kind and message) and whether calling again is safe.
fn judge_error(fault: Fault, result: &rmcp::model::CallToolResult) -> Outcome {
    let error = result
        .structured_content
        .as_ref()
        .map(|content| content["error"].clone())
        .unwrap_or_default();
    let kind = error["kind"].as_str().unwrap_or_default().to_string();
    let text = result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.clone()))
        .collect::<String>();
    if !fault.kinds().contains(&kind.as_str()) {
        return Outcome::Wrong(format!("kind `{kind}`: {text}"));
    }
    match error["safeToRetry"].as_bool() {
        Some(true) if text.contains("safe to call again") => Outcome::ErrorSafe(kind),
        Some(false) if error["mayHaveBeenCreated"] == true && text.contains(" again") => {
            Outcome::ErrorCheckFirst(kind)
        }
        _ => Outcome::Wrong(format!("no word on retrying: {text}")),
    }
}
