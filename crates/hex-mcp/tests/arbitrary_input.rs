//! Arbitrary tool input: every registered tool (all toolsets, so a new tool is covered without
//! new code) is called with generated arguments: arbitrary JSON under its parameter names and
//! random keys, and objects built from its own input schema with each property valid,
//! mutated or missing and ids taken from the sandbox. Every call must end with a result or an
//! error (no panic, no hang); an input error must name the offending field; and every request
//! the sandbox logged must be one of Hex's operations with usable ids (UUIDs where the
//! operation takes one) and only values of the client's enums.
//!
//! Cases per tool: `PROPTEST_CASES` (default below); `PROPTEST_RNG_SEED=<n>` explores other
//! inputs than the fixed default seed; `HEX_MCP_TOOL=<name>` runs one tool only. With
//! `--nocapture` each tool's line says how many of its cases reached Hex.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "arbitrary_input/body.rs"]
mod body;
mod common;
#[path = "arbitrary_input/generate.rs"]
mod generate;
#[path = "arbitrary_input/wire.rs"]
mod wire;

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use hex_client::RateLimits;
use hex_mcp::{
    confirm::{ConfirmKey, Gate},
    context::{HexTarget, Limits, ToolContext},
    files::AllowedPaths,
    registry::{RegisteredTool, Selection, Toolset},
    server::{HexServer, Serving},
};
use hex_sandbox::RunningSandbox;
use proptest::{
    prelude::*,
    test_runner::{Config, RngSeed, TestCaseError, TestRunner},
};
use rmcp::model::CallToolResult;
use secrecy::SecretString;
use serde_json::{Map, Value};

/// Cases that sent at least one request to Hex, for the summary.
static SENT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Cases per tool when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 64;
/// The seed when `PROPTEST_RNG_SEED` is not set: a run is reproducible.
const DEFAULT_SEED: u64 = 0x0048_4558_5f4d_4350;
/// Longer than any call the sandbox's short runs and threads allow: past it, a call hangs.
const CALL_LIMIT: Duration = Duration::from_secs(30);

fn config() -> Config {
    let mut config = Config::default();
    if std::env::var("PROPTEST_CASES").is_err() {
        config.cases = DEFAULT_CASES;
    }
    if std::env::var("PROPTEST_RNG_SEED").is_err() {
        config.rng_seed = RngSeed::Fixed(DEFAULT_SEED);
    }
    config.failure_persistence = None;
    config.max_shrink_iters = 256;
    config
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    sandbox: RunningSandbox,
    server: HexServer,
    /// The directory the file tools may read: the generator sends `path: "semantic"` among
    /// other paths (see `generate::shaped`).
    _files: common::temp_dir::TempDir,
}

impl Harness {
    fn start() -> Harness {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime.block_on(common::sandbox_with(|config| {
            config.projects = 30;
            config.run_pending = Duration::from_millis(20);
            config.run_running = Duration::from_millis(40);
            config.thread_running = Duration::from_millis(40);
        }));
        let target = HexTarget {
            base_url: sandbox.base_url(),
            token: Some(SecretString::from(common::TOKEN.to_string())),
            timeout: Duration::from_secs(10),
            problem: None,
            rate_limits: RateLimits::disabled(),
            rate_store: None,
        };
        let selection = Selection {
            toolsets: Some(Toolset::ALL.into_iter().collect()),
            ..Selection::default()
        };
        let files = common::temp_dir::TempDir::with_semantic_project("arbitrary");
        let server = HexServer::new(
            Arc::new(hex_mcp::tools::registry()),
            selection,
            ToolContext::new(
                target,
                Limits {
                    allowed_paths: AllowedPaths::from_sources(&[files.path().to_path_buf()], None)
                        .unwrap(),
                    ..Limits::default()
                },
            ),
            Gate::new(true, ConfirmKey::random().unwrap()),
            Serving::default(),
        );
        Harness {
            runtime,
            sandbox,
            server,
            _files: files,
        }
    }

    /// One call as `tools/call` makes it, in its own task: a panic is a `JoinError`.
    fn call(&self, name: &str, arguments: Map<String, Value>) -> Result<CallToolResult, String> {
        let server = self.server.clone();
        let name = name.to_string();
        let task = self
            .runtime
            .spawn(async move { server.call_detached(&name, arguments).await.0 });
        self.runtime.block_on(async {
            match tokio::time::timeout(CALL_LIMIT, task).await {
                Err(_) => Err(format!("no answer within {} s", CALL_LIMIT.as_secs())),
                Ok(Err(join)) => Err(format!("the call panicked: {join}")),
                Ok(Ok(result)) => Ok(result),
            }
        })
    }

    /// Ids the sandbox holds, from its state and from what the read-only tools list.
    fn ids(&self, tools: &[&RegisteredTool]) -> Vec<String> {
        let state = self.sandbox.state();
        let projects = state.project_ids();
        let mut ids: BTreeSet<String> = projects.iter().take(8).cloned().collect();
        ids.extend(state.runnable_project_ids().into_iter().take(4));
        for project in projects.iter().take(4) {
            ids.extend(state.cell_ids(project).into_iter().take(3));
            ids.extend(state.run_ids(project).into_iter().take(2));
        }
        ids.extend(state.user_ids().into_iter().take(6));
        ids.extend(state.group_ids().into_iter().take(6));
        ids.extend(state.collection_ids().into_iter().take(6));
        ids.extend(state.connection_ids().into_iter().take(6));
        for tool in tools.iter().filter(|tool| tool.spec.effect.read_only) {
            if let Ok(result) = self.call(tool.spec.name, Map::new()) {
                collect_ids(result.structured_content.as_ref(), &mut ids);
            }
        }
        ids.into_iter().collect()
    }
}

/// Strings under `id` or `…Id` keys, at any depth.
fn collect_ids(value: Option<&Value>, ids: &mut BTreeSet<String>) {
    match value {
        Some(Value::Object(object)) => {
            for (key, inner) in object {
                match inner {
                    Value::String(id) if key == "id" || key.ends_with("Id") => {
                        ids.insert(id.clone());
                    }
                    other => collect_ids(Some(other), ids),
                }
            }
        }
        Some(Value::Array(items)) => items.iter().for_each(|item| collect_ids(Some(item), ids)),
        _ => {}
    }
}

/// The top-level parameter an error path starts with: `items[2].access` → `items`.
fn head(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// Whether `text` mentions `name` as a whole word (not inside a longer identifier).
fn mentions(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// An input error names the field when its `field` is, or starts with, a parameter the schema
/// declares or the call sent (`items[2].access` → `items`); without a `field` (an error about
/// the arguments as a whole: unknown, missing or conflicting parameters), when its message
/// mentions one as a word or in backquotes (an unknown parameter may be named ``).
fn names_field(error: &Value, sent: &Map<String, Value>, declared: &BTreeSet<String>) -> bool {
    let known = |name: &str| sent.contains_key(name) || declared.contains(name);
    if let Some(field) = error.get("field").and_then(Value::as_str) {
        return known(field) || known(head(field));
    }
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    sent.keys().chain(declared.iter()).any(|name| {
        message.contains(&format!("`{name}`")) || (!name.is_empty() && mentions(message, name))
    })
}

/// Checks one answer: an object (success or error); an error with a kind; an input error that
/// names its field; never an internal error.
fn check_answer(
    result: &CallToolResult,
    sent: &Map<String, Value>,
    declared: &BTreeSet<String>,
) -> Result<(), String> {
    let structured = result
        .structured_content
        .as_ref()
        .ok_or("an answer without structured content")?;
    if result.is_error != Some(true) {
        return Ok(());
    }
    let error = structured.get("error").ok_or("an error without details")?;
    match error.get("kind").and_then(Value::as_str) {
        Some("invalid_input") if !names_field(error, sent, declared) => {
            Err(format!("an input error that names no field: {error}"))
        }
        Some("internal") => Err(format!("an internal error: {error}")),
        Some(_) => Ok(()),
        None => Err(format!("an error without a kind: {error}")),
    }
}

/// The confirmation token of a preview.
fn preview_token(result: &CallToolResult) -> Option<String> {
    let value = result.structured_content.as_ref()?;
    if value.get("confirmationRequired") != Some(&Value::Bool(true)) {
        return None;
    }
    value
        .get("confirmationToken")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// One case: the call (and, when `confirm`, the confirmed call of a preview), its answers and
/// every request it sent.
fn run_case(
    harness: &Harness,
    tool: &RegisteredTool,
    declared: &BTreeSet<String>,
    arguments: Map<String, Value>,
    confirm: bool,
) -> Result<(), TestCaseError> {
    let name = tool.spec.name;
    harness.sandbox.clear_requests();
    let result = harness
        .call(name, arguments.clone())
        .map_err(TestCaseError::fail)?;
    check_answer(&result, &arguments, declared).map_err(TestCaseError::fail)?;
    if let (true, Some(token)) = (confirm, preview_token(&result)) {
        let mut confirmed = arguments.clone();
        confirmed.insert("confirmation_token".into(), Value::String(token));
        let result = harness.call(name, confirmed).map_err(TestCaseError::fail)?;
        check_answer(&result, &arguments, declared).map_err(TestCaseError::fail)?;
        if preview_token(&result).is_some() {
            return Err(TestCaseError::fail("a confirmed call asked again"));
        }
    }
    let requests = harness.sandbox.requests();
    if !requests.is_empty() {
        SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    for request in requests {
        wire::check(&request).map_err(|problem| {
            TestCaseError::fail(format!(
                "sent {} {}: {problem}",
                request.method, request.path
            ))
        })?;
    }
    Ok(())
}

#[test]
fn every_tool_answers_arbitrary_arguments_and_sends_hex_only_valid_requests() {
    let harness = Harness::start();
    let registry = hex_mcp::tools::registry();
    let tools: Vec<&RegisteredTool> = registry.all().collect();
    let ids: generate::Ids = Arc::new(harness.ids(&tools));
    assert!(ids.len() > 30, "too few sandbox ids: {ids:?}");
    let only = std::env::var("HEX_MCP_TOOL").ok();
    let mut failures = Vec::new();
    let mut cases = 0;
    for tool in tools
        .iter()
        .filter(|t| only.as_deref().is_none_or(|o| o == t.spec.name))
    {
        let schema = Value::Object(tool.describe().input_schema.as_ref().clone());
        let declared: BTreeSet<String> = schema["properties"]
            .as_object()
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default();
        let arguments = prop_oneof![
            1 => generate::arbitrary_arguments(&schema),
            3 => generate::schema_arguments(&schema, &ids),
        ];
        let config = config();
        cases += config.cases;
        let mut runner = TestRunner::new(config);
        let started = std::time::Instant::now();
        let before = SENT.load(std::sync::atomic::Ordering::Relaxed);
        let outcome = runner.run(&(arguments, any::<bool>()), |(arguments, confirm)| {
            run_case(&harness, tool, &declared, arguments, confirm)
        });
        eprintln!(
            "{}: {} cases reached Hex, {:?}",
            tool.spec.name,
            SENT.load(std::sync::atomic::Ordering::Relaxed) - before,
            started.elapsed()
        );
        if let Err(error) = outcome {
            failures.push(format!("{}: {error}", tool.spec.name));
        }
    }
    eprintln!(
        "{} tools, {cases} generated cases ({} per tool)",
        tools.len(),
        config().cases
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
