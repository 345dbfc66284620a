//! Asking Hex's agent (a new thread or a follow-up) and following a thread, each optionally
//! waiting for the answer. Waiting calls are served as tasks to clients that use them.

use hex_client::api::threads::{
    ContinueThreadRequest, CreateThreadRequest, Thread, ThreadStatus, Threads,
};
use hex_client::{HexError, Operation};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::answer::{add_wait, answer, details};
use super::wait::{Follower, describe, outcome_of, unless_cancelled};
use super::{AttachmentsInput, WaitSeconds, check_prompt, thread_error};
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, OpaqueId},
    registry::{Confirm, Effect, HexTool, ToolResult, ToolSpec, Toolset},
};

/// The `next` of a call that did not wait.
const FOLLOW_IT: &str = "Hex's agent is working (often minutes): call get_hex_thread with thread_id and wait_seconds for its answer";

/// A request that the client cancelled before Hex answered.
fn cancelled_while(what: &str) -> ToolError {
    ToolError::refused(format!(
        "the call was cancelled while {what}; Hex may have received it: check with list_hex_threads"
    ))
}

/// Waits for the thread after a prompt was sent, and adds the answer to `out`.
async fn wait_after_prompt(
    ctx: &ToolContext,
    mut follower: Follower<'_>,
    thread_id: &str,
    out: &mut Map<String, Value>,
) -> Result<(), ToolError> {
    follower
        .report("RUNNING: prompt sent; Hex's agent is working".to_owned())
        .await;
    let followed = follower.follow(thread_id, None, None).await;
    ctx.set_outcome(followed.outcome());
    if let Some(thread) = &followed.thread {
        out.extend(answer(thread)?);
    }
    add_wait(out, &followed);
    Ok(())
}

// ---------------------------------------------------------------------------------------------

pub struct CreateThread;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateThreadInput {
    prompt: String,
    project_id: Option<HexId>,
    /// Work in a new project.
    new_project: Option<bool>,
    /// Hide from stats (no project only).
    muted: Option<bool>,
    attachments: Option<AttachmentsInput>,
    wait_seconds: Option<WaitSeconds>,
}

impl CreateThreadInput {
    fn check(&self) -> Result<(), ToolError> {
        check_prompt(&self.prompt)?;
        if self.project_id.is_some() && self.new_project == Some(true) {
            return Err(ToolError::input(
                "new_project",
                "cannot be true with project_id: Hex works either in a given project or in a new one",
            ));
        }
        Ok(())
    }

    fn request(&self) -> CreateThreadRequest {
        CreateThreadRequest {
            prompt: self.prompt.clone(),
            attachments: self.attachments.as_ref().and_then(AttachmentsInput::to_hex),
            preview_id: None,
            project_id: self.project_id.as_ref().map(ToString::to_string),
            new_project: self.new_project,
            muted: self.muted,
        }
    }
}

impl HexTool for CreateThread {
    type Input = CreateThreadInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "create_hex_thread",
        title: "Ask Hex's agent",
        description: "Ask Hex's agent (takes minutes; may add cells or projects). Returns threadId; wait_seconds waits for the answer.",
        toolset: Toolset::Threads,
        effect: Effect::CREATE,
        operations: &[Operation::CreateThread, Operation::GetThread],
        confirm: Confirm::Never,
    };

    const CREATED_CHECK: &'static str = "look for the thread with list_hex_threads";

    fn waits(input: &Self::Input) -> bool {
        WaitSeconds::get(input.wait_seconds) > 0
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        input.check()?;
        let hex = ctx.hex()?;
        let follower = Follower::new(&ctx, hex, WaitSeconds::get(input.wait_seconds));
        let created = unless_cancelled(&ctx, hex.threads().create(&input.request()))
            .await
            .ok_or_else(|| cancelled_while("asking Hex's agent"))?;
        let created = created.map_err(|error| {
            let error = match &input.project_id {
                Some(project_id) => {
                    ToolError::from(error).about("project", project_id, "search_hex_projects")
                }
                None => ToolError::from(error),
            };
            error.for_limited_feature("Asking Hex's agent through the API")
        })?;
        let mut out = Map::new();
        out.insert("threadId".into(), json!(created.thread_id));
        out.insert("url".into(), json!(created.url));
        out.insert("createdAt".into(), json!(created.created_at));
        out.insert("projectId".into(), json!(created.project_id));
        if WaitSeconds::get(input.wait_seconds) == 0 {
            out.insert("next".into(), json!(FOLLOW_IT));
        } else {
            wait_after_prompt(&ctx, follower, &created.thread_id, &mut out).await?;
        }
        Ok(Value::Object(out))
    }
}

// ---------------------------------------------------------------------------------------------

pub struct ContinueThread;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinueThreadInput {
    thread_id: OpaqueId,
    prompt: String,
    attachments: Option<AttachmentsInput>,
    wait_seconds: Option<WaitSeconds>,
}

impl HexTool for ContinueThread {
    type Input = ContinueThreadInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "continue_hex_thread",
        title: "Follow up with Hex's agent",
        description: "Ask a follow-up in an IDLE thread of Hex's agent; wait_seconds as in create_hex_thread.",
        toolset: Toolset::Threads,
        effect: Effect::CREATE,
        operations: &[Operation::ContinueThread, Operation::GetThread],
        confirm: Confirm::Never,
    };

    const CREATED_CHECK: &'static str = "read the thread with get_hex_thread_messages";

    fn waits(input: &Self::Input) -> bool {
        WaitSeconds::get(input.wait_seconds) > 0
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        check_prompt(&input.prompt)?;
        let hex = ctx.hex()?;
        let follower = Follower::new(&ctx, hex, WaitSeconds::get(input.wait_seconds));
        let request = ContinueThreadRequest {
            prompt: input.prompt.clone(),
            attachments: input
                .attachments
                .as_ref()
                .and_then(AttachmentsInput::to_hex),
        };
        let id = &input.thread_id;
        let sent = unless_cancelled(&ctx, hex.threads().follow_up(id.as_str(), &request))
            .await
            .ok_or_else(|| cancelled_while("sending the follow-up"))?;
        let continued = match sent {
            Ok(continued) => continued,
            Err(error) if error.status() == Some(400) => {
                return Err(refusal(&ctx, hex.threads(), id, error).await);
            }
            Err(error) => {
                return Err(thread_error(error, id)
                    .for_limited_feature("Asking Hex's agent through the API"));
            }
        };
        let mut out = Map::new();
        out.insert("threadId".into(), json!(continued.thread_id));
        out.insert("url".into(), json!(continued.url));
        if WaitSeconds::get(input.wait_seconds) == 0 {
            out.insert("next".into(), json!(FOLLOW_IT));
        } else {
            wait_after_prompt(&ctx, follower, &continued.thread_id, &mut out).await?;
        }
        Ok(Value::Object(out))
    }
}

/// Hex refused a follow-up with 400. It takes follow-ups only on IDLE threads and does not say
/// so in a machine-readable way, so the thread's status decides how to word the refusal.
async fn refusal(
    ctx: &ToolContext,
    threads: Threads<'_>,
    id: &OpaqueId,
    error: HexError,
) -> ToolError {
    let thread = unless_cancelled(ctx, threads.get(id.as_str()))
        .await
        .and_then(Result::ok);
    let (status, next) = match thread.map(|thread| thread.status) {
        Some(ThreadStatus::Running) => (
            "still RUNNING",
            "follow it with get_hex_thread (wait_seconds) and continue once it is IDLE",
        ),
        Some(ThreadStatus::Error) => (
            "in ERROR",
            "a thread that ended in ERROR takes no follow-ups: ask again with create_hex_thread",
        ),
        _ => return thread_error(error, id),
    };
    ToolError::refused(format!(
        "Hex refused the follow-up: thread {id} is {status}, and Hex takes follow-ups only when a thread is IDLE (Hex said: {error}). Nothing was sent to the agent. Next: {next}"
    ))
}

// ---------------------------------------------------------------------------------------------

pub struct GetThread;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetThreadInput {
    thread_id: OpaqueId,
    /// Follow it up to N s until it finishes.
    wait_seconds: Option<WaitSeconds>,
}

impl HexTool for GetThread {
    type Input = GetThreadInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_thread",
        title: "Get a thread of Hex's agent",
        description: "A thread of Hex's agent: status (RUNNING, IDLE, ERROR), answer text, cells, projects, tasks.",
        toolset: Toolset::Threads,
        effect: Effect::READ,
        operations: &[Operation::GetThread],
        confirm: Confirm::Never,
    };

    fn waits(input: &Self::Input) -> bool {
        WaitSeconds::get(input.wait_seconds) > 0
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let hex = ctx.hex()?;
        let seconds = WaitSeconds::get(input.wait_seconds);
        let mut follower = Follower::new(&ctx, hex, seconds);
        let id = &input.thread_id;
        let read = unless_cancelled(&ctx, hex.threads().get(id.as_str()))
            .await
            .ok_or_else(|| ToolError::refused("the call was cancelled"))?;
        let thread: Thread = read.map_err(|error| thread_error(error, id))?;
        let polled_at = Instant::now();
        if seconds == 0 || thread.status.is_done() {
            ctx.set_outcome(outcome_of(&thread.status));
            return Ok(Value::Object(details(&thread)?));
        }
        follower.report(describe(&thread)).await;
        let followed = follower
            .follow(id.as_str(), Some(thread), Some(polled_at))
            .await;
        ctx.set_outcome(followed.outcome());
        let mut out = match &followed.thread {
            Some(thread) => details(thread)?,
            None => Map::new(),
        };
        add_wait(&mut out, &followed);
        Ok(Value::Object(out))
    }
}
