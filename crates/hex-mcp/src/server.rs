//! The MCP server: lists the enabled tools and runs calls through validation, confirmation
//! and the Hex client.

use std::{collections::HashMap, sync::Arc, time::Duration};

use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams,
        CreateTaskResult, ErrorCode, GetPromptRequestParams, GetPromptResponse, GetTaskParams,
        GetTaskResult, Implementation, JsonObject, ListPromptsResult, ListResourceTemplatesResult,
        ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
        ReadResourceResponse, ServerCapabilities, ServerConfig, Tool, UpdateTaskParams,
    },
    service::RequestContext,
    task_manager::{TaskManager, TaskOptions},
};
use serde_json::json;

use crate::{
    call_scope::{CallScope, WaitOutcome},
    client_log::ClientLog,
    confirm::{Call, Gate, Verdict},
    context::ToolContext,
    errors::ToolError,
    in_flight::InFlight,
    output,
    registry::{PreparedCall, RegisteredTool, Registry, Selection},
};

/// How often a task's client is told to poll `tasks/get` (a run or Hex's agent moves on the
/// scale of seconds).
const TASK_POLL_MS: u64 = 2_000;

/// How the transport wants calls served.
#[derive(Debug, Clone, Copy)]
pub struct Serving {
    /// The longest one `tools/call` may take before it is stopped with a JSON-RPC error.
    pub call_timeout: Option<Duration>,
    /// Whether slow calls may run as tasks (Tasks extension). A task lives in this process's
    /// memory, so a stateless server behind a load balancer offers none: `tasks/get` could
    /// reach a replica that never heard of it.
    pub tasks: bool,
}

impl Default for Serving {
    fn default() -> Serving {
        Serving {
            call_timeout: None,
            tasks: true,
        }
    }
}

/// Everything a session needs; cheap to clone (the HTTP transport makes one per session).
#[derive(Clone)]
pub struct HexServer {
    inner: Arc<Inner>,
    /// What this session asked to be told (MCP logging); each HTTP session has its own.
    log: ClientLog,
}

struct Inner {
    registry: Arc<Registry>,
    selection: Selection,
    /// The enabled tools as `tools/list` shows them, built once.
    tools: Catalog,
    instructions: String,
    ctx: ToolContext,
    /// Where risky changes are confirmed.
    gate: Gate,
    /// How long a call may take, and whether slow ones may become tasks.
    serving: Serving,
    /// Calls served as tasks (Tasks extension), while they run and for a while after.
    tasks: TaskManager,
    /// Calls in progress, requests and tasks alike: a stopping server lets them finish.
    in_flight: InFlight,
}

impl HexServer {
    pub fn new(
        registry: Arc<Registry>,
        selection: Selection,
        ctx: ToolContext,
        gate: Gate,
        serving: Serving,
    ) -> HexServer {
        let tools = Catalog::start(registry.clone(), selection.clone());
        let instructions =
            crate::instructions::for_selection(&registry, &selection, gate.enabled());
        HexServer {
            inner: Arc::new(Inner {
                registry,
                selection,
                tools,
                instructions,
                ctx,
                gate,
                serving,
                tasks: TaskManager::new(),
                in_flight: InFlight::default(),
            }),
            log: ClientLog::default(),
        }
    }

    /// Whether calls can reach Hex: the settings are usable and, with `reach`, Hex accepts a
    /// request with the token (GetMe). The reason names no secret and no path.
    pub async fn readiness(&self, reach: bool) -> Result<(), &'static str> {
        let Ok(client) = self.inner.ctx.hex() else {
            return Err(
                "the Hex API token or URL is missing or unusable; `hex-mcp doctor` says why",
            );
        };
        if reach && client.users().me().await.is_err() {
            return Err(
                "Hex did not accept a request with the configured token; `hex-mcp doctor` says why",
            );
        }
        Ok(())
    }

    /// The same server for another session (its own MCP logging level).
    pub fn for_session(&self) -> HexServer {
        HexServer {
            inner: Arc::clone(&self.inner),
            log: ClientLog::default(),
        }
    }

    /// Whether confirmation tokens issued here are accepted by every replica with the same key.
    pub fn confirmations_shared(&self) -> bool {
        self.inner.gate.shared()
    }

    /// The calls in progress.
    pub fn in_flight(&self) -> InFlight {
        self.inner.in_flight.clone()
    }

    pub fn tools(&self) -> &[Tool] {
        self.inner.tools.get()
    }

    /// Runs one call the way `tools/call` does, for a peer that cannot be asked anything
    /// (the `call` command): risky changes answer with a preview and a token. Also says how a
    /// wait the call made ended, for the command's exit code.
    pub async fn call_detached(
        &self,
        name: &str,
        arguments: JsonObject,
    ) -> (CallToolResult, Option<WaitOutcome>) {
        let request = Call::new(name, arguments);
        let ctx = self.inner.ctx.for_call(CallScope::detached());
        let result = match self.dispatch(request, None, ctx.clone()).await {
            CallToolResponse::Complete(result) => result,
            // Unreachable without a peer; report rather than panic.
            _ => output::failure(&ToolError::internal(
                "the call needed input it cannot ask for",
            )),
        };
        let (_, outcome) = ctx.finish();
        (result, outcome)
    }

    async fn dispatch(
        &self,
        call: Call,
        peer: Option<&RequestContext<RoleServer>>,
        ctx: ToolContext,
    ) -> CallToolResponse {
        let tool = match self.enabled_tool(&call.name) {
            Ok(tool) => tool,
            Err(error) => return output::failure(&error).into(),
        };
        let prepared = match tool.prepare(call.arguments.clone()) {
            Ok(prepared) => prepared,
            Err(error) => return output::failure(&error).into(),
        };
        let risk = (prepared.risk.as_deref(), prepared.subject.as_ref());
        match self.inner.gate.check(&call, risk, peer, &ctx).await {
            Verdict::Proceed => self.run_or_spawn(prepared, peer, ctx).await,
            Verdict::Answer(answer) => *answer,
        }
    }

    /// Runs the call, or, when it waits for something slow and the client uses the Tasks
    /// extension, starts it as a task and answers with the task at once.
    async fn run_or_spawn(
        &self,
        prepared: PreparedCall,
        peer: Option<&RequestContext<RoleServer>>,
        ctx: ToolContext,
    ) -> CallToolResponse {
        let tasks = self.inner.serving.tasks;
        if !(tasks && prepared.waits && peer.is_some_and(client_uses_tasks)) {
            return run(prepared, ctx).await.into();
        }
        let server_ctx = self.inner.ctx.clone();
        let caller = ctx.caller();
        let in_flight = self.inner.in_flight.clone();
        let options = TaskOptions::new()
            .with_poll_interval_ms(TASK_POLL_MS)
            .with_status_message("started");
        let task = self.inner.tasks.spawn(options, move |task| {
            Box::pin(async move {
                let _in_flight = in_flight.enter();
                let ctx = server_ctx.for_call(CallScope::task(task).with_caller(caller));
                Ok(run(prepared, ctx).await)
            })
        });
        CallToolResponse::Task(CreateTaskResult::new(task))
    }

    fn enabled_tool(&self, name: &str) -> Result<&RegisteredTool, ToolError> {
        let registry = &self.inner.registry;
        match registry.get(name) {
            Some(tool) if self.inner.selection.enables(&tool.spec) => Ok(tool),
            Some(tool) if self.inner.selection.read_only && !tool.spec.effect.read_only => {
                Err(ToolError::refused(format!(
                    "`{name}` changes the workspace and this server runs in read-only mode; nothing was done"
                )))
            }
            Some(_) => Err(ToolError::refused(format!(
                "`{name}` is not enabled in this session; enable it with --tools {name} or its toolset with --toolsets; nothing was done"
            ))),
            None => Err(ToolError::refused(format!(
                "there is no tool `{name}`; tools/list shows the enabled tools"
            ))),
        }
    }
}

impl HexServer {
    /// The JSON-RPC error for a call stopped at the server's time limit: whether it is safe to
    /// call again depends on whether the tool changes anything.
    fn timed_out(&self, tool: &str, limit: Duration) -> McpError {
        let read_only = self
            .inner
            .registry
            .get(tool)
            .is_some_and(|tool| tool.spec.effect.read_only);
        let retry = if read_only {
            "it only reads, so it is safe to call again"
        } else {
            "it may or may not have changed the workspace: check before calling it again"
        };
        McpError::new(
            ErrorCode(REQUEST_TIMEOUT),
            format!(
                "`{tool}` took longer than this server's limit of {} s (--request-timeout) and \
                 was stopped; {retry}",
                limit.as_secs()
            ),
            Some(json!({ "timeoutSeconds": limit.as_secs(), "safeToRetry": read_only })),
        )
    }
}

impl HexServer {
    /// The context a resource read runs in: cancelled with its request, progress to its token.
    fn read_context(&self, context: &RequestContext<RoleServer>) -> ToolContext {
        self.inner.ctx.for_call(CallScope::request(
            context.ct.clone(),
            context.peer.clone(),
            context.meta.get_progress_token(),
        ))
    }

    /// Runs a resource request as a call: counted in flight, within the server's time limit, one
    /// log line (the method and how it ended, never the URI's arguments).
    async fn bounded<T>(
        &self,
        method: &'static str,
        work: impl Future<Output = Result<T, McpError>>,
    ) -> Result<T, McpError> {
        let _in_flight = self.inner.in_flight.enter();
        let started = std::time::Instant::now();
        let result = match self.inner.serving.call_timeout {
            None => work.await,
            Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
                Err(McpError::new(
                    ErrorCode(REQUEST_TIMEOUT),
                    format!(
                        "{method} took longer than this server's limit of {} s (--request-timeout) and was stopped; it only reads, so it is safe to ask again",
                        limit.as_secs()
                    ),
                    Some(json!({ "timeoutSeconds": limit.as_secs(), "safeToRetry": true })),
                ))
            }),
        };
        let outcome = if result.is_ok() { "ok" } else { "error" };
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(target: "hex_mcp::calls", method, outcome, ms, "resource request");
        result
    }
}

/// The JSON-RPC code MCP SDKs use for a request that timed out.
const REQUEST_TIMEOUT: i32 = -32001;

/// Runs a prepared call in its context and shapes its answer: the JSON, then any blocks the
/// tool attached (images, embedded resources).
async fn run(prepared: PreparedCall, ctx: ToolContext) -> CallToolResult {
    let result = prepared.run(ctx.clone()).await;
    let (blocks, _) = ctx.finish();
    match result {
        Ok(value) => output::success_with(value, blocks),
        Err(error) => output::failure(&error),
    }
}

/// Whether the client declared the Tasks extension (per request since 2026-07-28, at
/// `initialize` before).
fn client_uses_tasks(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .is_some_and(|capabilities| capabilities.supports_tasks())
}

/// Every tool as `tools/list` shows it, compiled into the binary: describing ~50 schemas with
/// schemars took most of the time from start-up to the `tools/list` reply, and reading this
/// takes a tenth of it. Generated by `hex-mcp tools --catalog` (scripts/readme-tools.sh), and a
/// test keeps it equal to what the registry describes; a tool missing from it (or an unreadable
/// line) is described at start-up instead.
const CATALOG: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/catalog.jsonl"));

/// The enabled tools, in the registry's order.
struct Catalog(Vec<Tool>);

impl Catalog {
    fn start(registry: Arc<Registry>, selection: Selection) -> Catalog {
        let lines = compiled_lines();
        let tools = registry
            .enabled(&selection)
            .map(|tool| {
                lines
                    .get(tool.spec.name)
                    .and_then(|line| serde_json::from_str(line).ok())
                    .unwrap_or_else(|| tool.describe())
            })
            .collect();
        Catalog(tools)
    }

    fn get(&self) -> &[Tool] {
        &self.0
    }
}

/// The compiled catalog's lines by tool name, found in one pass. Each line starts with the
/// tool's name (`tools --catalog` writes it first), so only the enabled tools' lines are parsed.
fn compiled_lines() -> HashMap<&'static str, &'static str> {
    CATALOG
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("{\"name\":\"")?;
            let name = &rest[..rest.find('"')?];
            Some((name, line))
        })
        .collect()
}

/// How a call ended, for the log.
fn outcome(response: &CallToolResponse) -> &'static str {
    match response {
        CallToolResponse::Complete(result) if result.is_error == Some(true) => "error",
        CallToolResponse::Complete(_) => "ok",
        CallToolResponse::InputRequired(_) => "input_required",
        CallToolResponse::Task(_) => "task",
        _ => "other",
    }
}

/// A digest of the bearer token an HTTP request carried (the transport has already checked it
/// when tokens are configured); `None` over stdio or without one.
fn caller_of(context: &RequestContext<RoleServer>) -> Option<[u8; 32]> {
    use sha2::Digest;
    let parts = context.extensions.get::<axum::http::request::Parts>()?;
    let header = parts.headers.get(axum::http::header::AUTHORIZATION)?;
    let token = crate::transport::http::bearer(header.to_str().ok()?)?;
    Some(sha2::Sha256::digest(token.as_bytes()).into())
}

/// A `tools/call` request as the gate reads it.
fn call_of(request: CallToolRequestParams) -> Call {
    let mut call = Call::new(&request.name, request.arguments.unwrap_or_default());
    call.request_state = request.request_state;
    call.input_responses = request.input_responses;
    call
}

impl ServerHandler for HexServer {
    fn get_info(&self) -> ServerConfig {
        let mut implementation = Implementation::new("hex-mcp", env!("CARGO_PKG_VERSION"));
        implementation.title = Some("Hex".into());
        #[allow(deprecated)]
        let tools = ServerCapabilities::builder()
            .enable_logging()
            .enable_prompts()
            .enable_resources()
            .enable_tools();
        let capabilities = if self.inner.serving.tasks {
            tools.enable_tasks().build()
        } else {
            tools.build()
        };
        ServerConfig::new(capabilities)
            .with_server_info(implementation)
            .with_instructions(self.inner.instructions.clone())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools().to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools().iter().find(|tool| tool.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let _in_flight = self.inner.in_flight.enter();
        let started = std::time::Instant::now();
        let tool = request.name.to_string();
        let scope = CallScope::request(
            context.ct.clone(),
            context.peer.clone(),
            context.meta.get_progress_token(),
        )
        .with_caller(caller_of(&context));
        let ctx = self.inner.ctx.for_call(scope);
        let call = self.dispatch(call_of(request), Some(&context), ctx);
        let response = match self.inner.serving.call_timeout {
            None => Ok(call.await),
            Some(limit) => tokio::time::timeout(limit, call)
                .await
                .map_err(|_| self.timed_out(&tool, limit)),
        };
        // One line per call: which tool, how it ended, how long it took; never its arguments.
        let outcome = response.as_ref().map_or("timeout", outcome);
        let elapsed = started.elapsed();
        let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        tracing::info!(target: "hex_mcp::calls", tool = %tool, outcome, ms, "tool call");
        crate::metrics::call_ended(&tool, outcome, elapsed);
        self.log.call_ended(&context.peer, &tool, outcome, ms).await;
        response
    }

    #[allow(deprecated)]
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.log.set(request.level);
        Ok(())
    }

    /// Projects as resources, a page of Hex's ListProjects at a time (the cursor is Hex's).
    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let cursor = request.and_then(|request| request.cursor);
        let ctx = self.read_context(&context);
        self.bounded("resources/list", crate::resources::list(&ctx, cursor))
            .await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            crate::resources::templates(),
        ))
    }

    /// A project's metadata, notebook or export; an unknown URI or project is
    /// resource-not-found (which rmcp turns into -32602 with the URI for 2026-07-28 clients, per
    /// SEP-2164).
    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let ctx = self.read_context(&context);
        self.bounded("resources/read", crate::resources::read(&ctx, &request.uri))
            .await
            .map(Into::into)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(crate::prompts::list()))
    }

    /// A prompt's text, written for this session's tools.
    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        crate::prompts::get(
            &request.name,
            request.arguments,
            &self.inner.registry,
            &self.inner.selection,
        )
        .map(Into::into)
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, McpError> {
        Ok(GetTaskResult::new(
            self.inner.tasks.get_task(&request.task_id)?,
        ))
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.inner
            .tasks
            .update_task(&request.task_id, request.input_responses)
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.inner.tasks.cancel_task(&request.task_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A line the name lookup cannot find would be described at every start-up, silently slower.
    #[test]
    fn every_compiled_tool_is_found_by_its_name() {
        let registry = crate::tools::registry();
        let lines = compiled_lines();
        for tool in registry.all() {
            let found = lines
                .get(tool.spec.name)
                .and_then(|line| serde_json::from_str::<Tool>(line).ok());
            assert_eq!(
                found.map(|listed| listed.name),
                Some(tool.spec.name.into()),
                "{} is not found in catalog.jsonl",
                tool.spec.name
            );
        }
    }
}
