//! The MCP server: lists the enabled tools and runs calls through validation, confirmation
//! and the Hex client.

use std::{collections::HashMap, sync::Arc};

use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams,
        CreateTaskResult, ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction,
        ElicitationSchema, GetTaskParams, GetTaskResult, Implementation, InputRequest,
        InputRequests, InputRequiredResult, JsonObject, ListToolsResult, PaginatedRequestParams,
        ProtocolVersion, ServerCapabilities, ServerConfig, Tool, UpdateTaskParams,
    },
    service::RequestContext,
    task_manager::{TaskManager, TaskOptions},
};
use serde_json::{Value, json};

use crate::{
    call_scope::{CallScope, WaitOutcome},
    confirm::{Confirmations, TOKEN_LIFETIME},
    context::ToolContext,
    errors::ToolError,
    in_flight::InFlight,
    output,
    registry::{CONFIRMATION_TOKEN, PreparedCall, RegisteredTool, Registry, Selection},
};

/// How often a task's client is told to poll `tasks/get` (a run or Hex's agent moves on the
/// scale of seconds).
const TASK_POLL_MS: u64 = 2_000;

/// The field of the confirmation form, and the key of the input request.
const CONFIRM_FIELD: &str = "confirm";

/// Everything a session needs; cheap to clone (the HTTP transport makes one per session).
#[derive(Clone)]
pub struct HexServer {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Arc<Registry>,
    selection: Selection,
    /// The enabled tools as `tools/list` shows them, built once.
    tools: Catalog,
    instructions: String,
    ctx: ToolContext,
    confirmations: Confirmations,
    /// `--no-confirm`: act without asking.
    confirm: bool,
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
        confirm: bool,
    ) -> HexServer {
        let tools = Catalog::start(registry.clone(), selection.clone());
        let instructions = crate::instructions::for_selection(&registry, &selection, confirm);
        HexServer {
            inner: Arc::new(Inner {
                registry,
                selection,
                tools,
                instructions,
                ctx,
                confirmations: Confirmations::default(),
                confirm,
                tasks: TaskManager::new(),
                in_flight: InFlight::default(),
            }),
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
        match (&prepared.risk, self.inner.confirm) {
            (Some(risk), true) => {
                let risk = risk.clone();
                self.confirm_then_run(call, prepared, &risk, peer, ctx)
                    .await
            }
            _ => self.run_or_spawn(prepared, peer, ctx).await,
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
        if !(prepared.waits && peer.is_some_and(client_uses_tasks)) {
            return run(prepared, ctx).await.into();
        }
        let server_ctx = self.inner.ctx.clone();
        let in_flight = self.inner.in_flight.clone();
        let options = TaskOptions::new()
            .with_poll_interval_ms(TASK_POLL_MS)
            .with_status_message("started");
        let task = self.inner.tasks.spawn(options, move |task| {
            Box::pin(async move {
                let _in_flight = in_flight.enter();
                let ctx = server_ctx.for_call(CallScope::task(task));
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

    /// Asks before a risky change: through elicitation where the client supports it (a
    /// server-to-client request before 2026-07-28, an input-required result since), otherwise
    /// with a preview and a single-use token bound to these exact arguments.
    async fn confirm_then_run(
        &self,
        call: Call,
        prepared: PreparedCall,
        risk: &str,
        peer: Option<&RequestContext<RoleServer>>,
        ctx: ToolContext,
    ) -> CallToolResponse {
        let confirmations = &self.inner.confirmations;
        if let Some(token) = &call.token {
            return match confirmations.redeem(token, &call.name, &call.arguments) {
                Ok(()) => run(prepared, ctx).await.into(),
                Err(rejection) => output::failure(&ToolError::refused(format!(
                    "{}; nothing was changed. Call {} again without {CONFIRMATION_TOKEN} to get a new preview",
                    rejection.explain(),
                    call.name
                )))
                .into(),
            };
        }
        if let Some(state) = &call.request_state {
            return match confirmations.redeem(state, &call.name, &call.arguments) {
                Ok(()) => match elicited_answer(call.input_responses.as_ref()) {
                    Ok(()) => run(prepared, ctx).await.into(),
                    Err(error) => output::failure(&error).into(),
                },
                Err(rejection) => output::failure(&ToolError::refused(format!(
                    "{}; nothing was changed",
                    rejection.explain()
                )))
                .into(),
            };
        }
        // Asking a person: name what they approve, not only its id.
        let risk = match &prepared.subject {
            Some(subject) => subject.name_in(risk, &ctx).await,
            None => risk.to_string(),
        };
        let risk = risk.as_str();
        let Some(context) = peer.filter(|context| client_can_elicit(context)) else {
            return self.preview(&call, risk).into();
        };
        let message = format!("{risk}\n\nDo you want hex-mcp to make this change?");
        if uses_input_required(context) {
            let state = confirmations.issue(&call.name, &call.arguments);
            let mut requests = InputRequests::new();
            requests.insert(
                CONFIRM_FIELD.to_string(),
                InputRequest::Elicitation(ElicitRequest::new(form(message))),
            );
            return InputRequiredResult::new(Some(requests), Some(state)).into();
        }
        match context.peer.create_elicitation(form(message)).await {
            Ok(answer) => match check_answer(&answer) {
                Ok(()) => run(prepared, ctx).await.into(),
                Err(error) => output::failure(&error).into(),
            },
            Err(error) => output::failure(&ToolError::refused(format!(
                "could not ask for confirmation ({error}); nothing was changed"
            )))
            .into(),
        }
    }

    fn preview(&self, call: &Call, risk: &str) -> CallToolResult {
        let token = self.inner.confirmations.issue(&call.name, &call.arguments);
        output::success(json!({
            "confirmationRequired": true,
            "change": risk,
            "confirmationToken": token,
            "expiresInSeconds": TOKEN_LIFETIME.as_secs(),
            "next": format!(
                "Nothing was changed. Show this change to the user; only if they agree, call {} again with the same arguments plus {CONFIRMATION_TOKEN}.",
                call.name
            ),
        }))
    }
}

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

/// One `tools/call`, with the confirmation parameters taken out of the arguments.
struct Call {
    name: String,
    arguments: JsonObject,
    token: Option<String>,
    request_state: Option<String>,
    input_responses: Option<rmcp::model::InputResponses>,
}

impl Call {
    fn new(name: &str, mut arguments: JsonObject) -> Call {
        let token = match arguments.remove(CONFIRMATION_TOKEN) {
            Some(Value::String(token)) if !token.trim().is_empty() => Some(token),
            _ => None,
        };
        Call {
            name: name.to_string(),
            arguments,
            token,
            request_state: None,
            input_responses: None,
        }
    }

    fn from_request(request: CallToolRequestParams) -> Call {
        let mut call = Call::new(&request.name, request.arguments.unwrap_or_default());
        call.request_state = request.request_state;
        call.input_responses = request.input_responses;
        call
    }
}

fn form(message: String) -> ElicitRequestParams {
    let schema = ElicitationSchema::builder()
        .required_bool_with(CONFIRM_FIELD, |field| {
            field
                .title("Make this change")
                .description("Tick to confirm; leave unticked or decline to cancel.")
        })
        .build()
        .unwrap_or_else(|_| ElicitationSchema::builder().build_unchecked());
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema: schema,
    }
}

fn client_can_elicit(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .and_then(|capabilities| capabilities.elicitation)
        .is_some_and(|elicitation| elicitation.form.is_some() || elicitation.url.is_none())
}

/// Since 2026-07-28 a server may not send requests to the client; it answers input-required.
fn uses_input_required(context: &RequestContext<RoleServer>) -> bool {
    context
        .protocol_version()
        .is_some_and(|version| version.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
}

fn elicited_answer(responses: Option<&rmcp::model::InputResponses>) -> Result<(), ToolError> {
    let answer = responses
        .and_then(|responses| responses.get(CONFIRM_FIELD))
        .and_then(|value| serde_json::from_value::<ElicitResult>(value.clone()).ok())
        .ok_or_else(|| {
            ToolError::refused("no confirmation answer was received; nothing was changed")
        })?;
    check_answer(&answer)
}

fn check_answer(answer: &ElicitResult) -> Result<(), ToolError> {
    let confirmed = answer
        .content
        .as_ref()
        .and_then(|content| content.get(CONFIRM_FIELD))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match answer.action {
        ElicitationAction::Accept if confirmed => Ok(()),
        ElicitationAction::Accept => Err(ToolError::refused(
            "the user did not tick the confirmation; nothing was changed",
        )),
        ElicitationAction::Decline => Err(ToolError::refused(
            "the user declined the change; nothing was changed",
        )),
        _ => Err(ToolError::refused(
            "the user cancelled the confirmation; nothing was changed",
        )),
    }
}

impl ServerHandler for HexServer {
    fn get_info(&self) -> ServerConfig {
        let mut implementation = Implementation::new("hex-mcp", env!("CARGO_PKG_VERSION"));
        implementation.title = Some("Hex".into());
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tasks()
                .build(),
        )
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
        );
        let ctx = self.inner.ctx.for_call(scope);
        let response = self
            .dispatch(Call::from_request(request), Some(&context), ctx)
            .await;
        // One line per call: which tool, how it ended, how long it took; never its arguments.
        let outcome = outcome(&response);
        let elapsed = started.elapsed();
        tracing::info!(
            target: "hex_mcp::calls",
            tool = %tool,
            outcome,
            ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            "tool call"
        );
        crate::metrics::call_ended(&tool, outcome, elapsed);
        Ok(response)
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
