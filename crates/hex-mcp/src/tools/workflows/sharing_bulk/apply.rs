//! Applying a previewed bulk change: a few projects at a time, every request paced by the
//! client inside its group's quota, each project's result kept, and a clean stop (deadline,
//! cancellation, Hex's 429) that leaves the rest for the next call.
//!
//! The pace is Hex's: the client books each request a slot in its group's sliding window. When
//! the window is full for longer than the client will sleep, it refuses at once with the wait;
//! the worker sleeps that long and books again, so the job runs at the floor the quotas set
//! and never sends a request Hex's limit would refuse.

use std::time::Duration;

use futures::StreamExt;
use hex_client::{
    HexClient, HexError, RateLimitSource,
    api::sharing::{
        AccessLevel, CollectionGrant, GroupGrant, SharingError, SharingUpdate, UserGrant,
        WorkspaceSharing,
    },
};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::{
    plan::{MAX_LISTED, Plan, Step},
    targets::{Kind, Target},
};
use crate::{
    context::ToolContext, errors::ToolError, registry::ToolResult, tools::sharing::reasons,
};

/// Projects in flight at once: enough to keep a quota's window busy when Hex answers slowly,
/// few enough that Hex never sees a burst beyond what its window lets through anyway.
const CONCURRENCY: usize = 8;

/// The longest one call applies for; what is left is applied by calling again (the next
/// preview shows the applied projects as already so).
pub const APPLY_BUDGET: Duration = Duration::from_secs(600);

/// Why the job stopped before the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Halt {
    Deadline,
    Cancelled,
    /// Hex answered 429 despite the pacing (its limits are tighter than configured).
    HexRateLimited,
}

/// What became of one project.
enum Outcome {
    Applied,
    /// Hex answered 200 but listed some of the changes as not applied.
    Partial(Vec<SharingError>),
    Failed(HexError),
    Left,
}

struct Done<'a> {
    /// The step's place in the plan, to report in the preview's order.
    index: usize,
    step: &'a Step,
    outcome: Outcome,
}

pub async fn run(
    ctx: &ToolContext,
    targets: &[Target],
    access: &AccessLevel,
    plan: Plan,
) -> ToolResult {
    let hex = ctx.hex()?;
    let deadline = Instant::now() + APPLY_BUDGET;
    let total = plan.steps.len();
    let halted = std::sync::Mutex::new(None::<Halt>);
    let mut finished = 0usize;
    let mut done: Vec<Done<'_>> = Vec::with_capacity(total);
    // The futures are made up front (they do nothing until polled): a stream that maps
    // borrowed steps through a closure is not provably `Send` for every lifetime.
    let work: Vec<_> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let halted = &halted;
            async move {
                let outcome = one(ctx, hex, targets, access, step, deadline, halted).await;
                Done {
                    index,
                    step,
                    outcome,
                }
            }
        })
        .collect();
    let mut results = futures::stream::iter(work).buffer_unordered(CONCURRENCY);
    while let Some(result) = results.next().await {
        finished += 1;
        ctx.progress(
            finished as f64,
            Some(total as f64),
            format!("{finished} of {total} projects"),
        )
        .await;
        done.push(result);
    }
    drop(results);
    done.sort_by_key(|done| done.index);
    let halt = *halted
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    report(done, halt)
}

/// Applies the change to one project, unless the job already stopped.
async fn one(
    ctx: &ToolContext,
    hex: &HexClient,
    targets: &[Target],
    access: &AccessLevel,
    step: &Step,
    deadline: Instant,
    halted: &std::sync::Mutex<Option<Halt>>,
) -> Outcome {
    let stop = |halt: Halt| {
        let mut halted = halted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        halted.get_or_insert(halt);
    };
    let already_halted = halted
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .is_some();
    if already_halted {
        return Outcome::Left;
    }
    if ctx.is_cancelled() {
        stop(Halt::Cancelled);
        return Outcome::Left;
    }
    if Instant::now() >= deadline {
        stop(Halt::Deadline);
        return Outcome::Left;
    }
    let mut errors = Vec::new();
    let mut sent = false;
    for request in requests(targets, access, step) {
        let failure = match paced(ctx, deadline, || request.send(hex, &step.id)).await {
            Ok(update) => {
                sent = true;
                errors.extend(update.errors);
                continue;
            }
            Err(Paced::Halt(halt)) => {
                stop(halt);
                "not sent: the job stopped".to_string()
            }
            Err(Paced::Failed(error)) => {
                if matches!(error, HexError::RateLimited { .. }) {
                    stop(Halt::HexRateLimited);
                }
                if !sent {
                    return Outcome::Failed(error);
                }
                format!("failed: {error}")
            }
        };
        if !sent {
            return Outcome::Left;
        }
        // An earlier request for this project was applied: the project is partly changed.
        errors.push(not_applied(&request, failure));
        return Outcome::Partial(errors);
    }
    if errors.is_empty() {
        Outcome::Applied
    } else {
        Outcome::Partial(errors)
    }
}

/// A request of a project that was not applied, as Hex words its own per-item errors.
fn not_applied(request: &Request, why: String) -> SharingError {
    let what = match request {
        Request::Users(_) => "the users",
        Request::Groups(_) => "the groups",
        Request::Collections(_) => "the collections",
        Request::Workspace(_) => "the workspace or public web",
    };
    SharingError {
        user_ids: None,
        group_ids: None,
        collection_ids: None,
        kind: None,
        reason: Some(format!("{what}: {why}")),
        extra: Default::default(),
    }
}

/// One PATCH: the principals of one kind whose access differs on this project.
enum Request {
    Users(Vec<UserGrant>),
    Groups(Vec<GroupGrant>),
    Collections(Vec<CollectionGrant>),
    Workspace(WorkspaceSharing),
}

impl Request {
    async fn send(&self, hex: &HexClient, project_id: &str) -> Result<SharingUpdate, HexError> {
        let sharing = hex.sharing();
        match self {
            Request::Users(grants) => sharing.users(project_id, grants).await,
            Request::Groups(grants) => sharing.groups(project_id, grants).await,
            Request::Collections(grants) => sharing.collections(project_id, grants).await,
            Request::Workspace(body) => sharing.workspace_and_public(project_id, body).await,
        }
    }
}

/// The requests one project needs: one per kind of principal that differs, the workspace and
/// the public web in one.
fn requests(targets: &[Target], access: &AccessLevel, step: &Step) -> Vec<Request> {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut collections = Vec::new();
    let mut workspace = WorkspaceSharing::default();
    let differing = targets
        .iter()
        .zip(&step.from)
        .filter(|(_, from)| from.is_some());
    for (target, _) in differing {
        let id = target
            .id
            .as_ref()
            .map(|id| id.to_string())
            .unwrap_or_default();
        match target.kind {
            Kind::User => users.push(UserGrant::new(id, access.clone())),
            Kind::Group => groups.push(GroupGrant::new(id, access.clone())),
            Kind::Collection => collections.push(CollectionGrant::new(id, access.clone())),
            Kind::Workspace => workspace.workspace = Some(access.clone()),
            Kind::PublicWeb => workspace.public_web = Some(access.clone()),
        }
    }
    let mut requests = Vec::new();
    if !users.is_empty() {
        requests.push(Request::Users(users));
    }
    if !groups.is_empty() {
        requests.push(Request::Groups(groups));
    }
    if !collections.is_empty() {
        requests.push(Request::Collections(collections));
    }
    if workspace.workspace.is_some() || workspace.public_web.is_some() {
        requests.push(Request::Workspace(workspace));
    }
    requests
}

enum Paced {
    Halt(Halt),
    Failed(HexError),
}

/// Sends a request, waiting out the client's pacing refusals (nothing was sent) until the
/// deadline; stops within a second when the call is cancelled.
async fn paced<T, F, Fut>(ctx: &ToolContext, deadline: Instant, send: F) -> Result<T, Paced>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, HexError>>,
{
    loop {
        let wait = match send().await {
            Err(HexError::RateLimited {
                retry_after,
                source: RateLimitSource::ClientPacing { .. },
            }) => retry_after.unwrap_or(Duration::from_secs(1)),
            Err(error) => return Err(Paced::Failed(error)),
            Ok(answer) => return Ok(answer),
        };
        if Instant::now() + wait > deadline {
            return Err(Paced::Halt(Halt::Deadline));
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = ctx.cancelled() => return Err(Paced::Halt(Halt::Cancelled)),
        }
    }
}

/// `{status, message, applied, projects, partial?, failed?, left?, next?}`; an error when
/// nothing was applied and something failed, as for a single project.
fn report(done: Vec<Done<'_>>, halt: Option<Halt>) -> ToolResult {
    let mut applied = Vec::new();
    let mut partial = Vec::new();
    let mut failed = Vec::new();
    let mut left = 0usize;
    let mut first_error = None;
    for Done { step, outcome, .. } in done {
        let project = |more: Value| {
            let mut item = json!({"id": step.id, "title": step.title});
            if let (Value::Object(item), Value::Object(more)) = (&mut item, more) {
                item.extend(more);
            }
            item
        };
        match outcome {
            Outcome::Applied => applied.push(project(json!({}))),
            Outcome::Partial(errors) => {
                partial.push(project(json!({"notApplied": reasons(&errors)})));
            }
            Outcome::Failed(error) => {
                failed.push(project(json!({"error": error.to_string()})));
                first_error.get_or_insert((error, step.id.clone()));
            }
            Outcome::Left => left += 1,
        }
    }
    // Nothing applied: the failure is the answer, as for a single project (the first one's,
    // when several failed: they rarely fail for different reasons).
    if applied.is_empty()
        && partial.is_empty()
        && let Some((error, project)) = first_error
    {
        return Err(ToolError::from(error).about("project", project, "search_hex_projects"));
    }
    let count = applied.len();
    let status = if failed.is_empty() && partial.is_empty() && left == 0 {
        "applied"
    } else if left > 0 {
        "stopped"
    } else {
        "partial"
    };
    let mut message = format!("Applied to {count} project{}.", plural(count));
    if !partial.is_empty() {
        message.push_str(&format!(" {} only in part (see partial).", partial.len()));
    }
    if !failed.is_empty() {
        message.push_str(&format!(" {} failed (see failed).", failed.len()));
    }
    if let Some(halt) = halt.filter(|_| left > 0) {
        let why = match halt {
            Halt::Deadline => "this call's time for applying ran out",
            Halt::Cancelled => "the call was cancelled",
            Halt::HexRateLimited => "Hex answered 429 Too Many Requests",
        };
        message.push_str(&format!(" Stopped with {left} not yet sent: {why}."));
    }
    let mut answer = Map::new();
    answer.insert("status".into(), json!(status));
    answer.insert("message".into(), json!(message));
    answer.insert("applied".into(), json!(count));
    applied.truncate(MAX_LISTED);
    answer.insert("projects".into(), Value::Array(applied));
    if !partial.is_empty() {
        answer.insert("partial".into(), Value::Array(partial));
    }
    if !failed.is_empty() {
        answer.insert("failed".into(), Value::Array(failed));
    }
    if left > 0 {
        answer.insert("left".into(), json!(left));
    }
    if status != "applied" {
        answer.insert(
            "next".into(),
            json!("Call again with the same arguments and no apply_token: the new preview lists only what is left (applied projects show as already so), then apply it."),
        );
    }
    Ok(Value::Object(answer))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
