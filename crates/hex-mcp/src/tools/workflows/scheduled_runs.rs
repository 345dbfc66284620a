//! check_hex_scheduled_runs: for the projects with an enabled schedule (optionally within a
//! collection or of one owner), the latest scheduled run's status, when it ran, how long it
//! took and its link, failures first.
//!
//! Finding the scheduled projects is one unpaced walk of ListProjects (their `schedules` come
//! with the list). Each latest run is one GetProjectRuns, in Hex's `hex-api` group (30/min by
//! default): a workspace of hundreds of scheduled projects takes minutes of that budget. So the
//! answer says up front how long all of them take, checks at most `limit` in one call, stops
//! early rather than wait when the client's pacing says the quota is spent (never tripping a
//! 429), and says how to continue.

use futures::StreamExt;
use hex_client::{
    HexError, Operation, RateLimitSource,
    api::{
        SortDirection,
        projects::{ListProjectsParams, Project, ProjectSortBy},
        runs::{GetProjectRunsParams, RunStatus, RunStatusKind, RunTriggerFilter},
    },
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::budget;
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::HexId,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
    tools::common::{SkippedInWalk, insert_skipped},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![RegisteredTool::of::<CheckScheduledRuns>()]
}

/// Projects checked per call unless `limit` says otherwise: within one minute's default quota,
/// with room for the agent's other calls.
const DEFAULT_LIMIT: u32 = 25;
const MAX_LIMIT: u32 = 100;

/// Latest-run requests in flight at once.
const CONCURRENCY: usize = 4;

pub struct CheckScheduledRuns;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledRunsInput {
    collection_id: Option<HexId>,
    owner_email: Option<String>,
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    limit: Option<u32>,
    /// continue_with.offset
    offset: Option<u32>,
}

impl HexTool for CheckScheduledRuns {
    type Input = ScheduledRunsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "check_hex_scheduled_runs",
        title: "Check scheduled runs",
        description: "Latest scheduled run of each scheduled project (status, start, duration, link), failures first; paced: says how long all take, continues by offset.",
        toolset: Toolset::Workflows,
        effect: Effect::READ,
        operations: &[Operation::ListProjects, Operation::GetProjectRuns],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let limit = input.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize;
        let offset = input.offset.unwrap_or(0) as usize;
        let found = scheduled_projects(&ctx, &input).await?;
        let remaining = found.projects.len().saturating_sub(offset);
        let limits = ctx.hex()?.rate_limits();
        let estimate = budget::estimate(limits, Operation::GetProjectRuns, remaining as u64);
        let batch: Vec<&Scheduled> = found.projects.iter().skip(offset).take(limit).collect();
        ctx.progress(
            0.0,
            Some(batch.len() as f64),
            format!(
                "{} scheduled projects to check, {estimate}; this call checks {}",
                remaining,
                batch.len()
            ),
        )
        .await;
        let checked = check_all(&ctx, &batch).await;
        let mut answer = shape(&batch, checked.results);
        answer.insert("scheduled".into(), json!(found.projects.len()));
        answer.insert("estimate".into(), json!(estimate));
        insert_skipped(&mut answer, found.skipped.items());
        let next_offset = offset + checked.done;
        if let Some(why) = checked.stopped {
            answer.insert("stopped_early".into(), json!(why));
        }
        if next_offset < found.projects.len() {
            answer.insert("continue_with".into(), json!({"offset": next_offset}));
        }
        if let Some(why) = found.incomplete {
            answer.insert("incomplete".into(), json!(why));
        }
        Ok(Value::Object(answer))
    }
}

/// A project with an enabled schedule.
struct Scheduled {
    id: String,
    title: String,
    cadence: String,
}

struct Found {
    projects: Vec<Scheduled>,
    skipped: SkippedInWalk,
    incomplete: Option<String>,
}

/// Walks the projects oldest first (so a continuation's offset still points at the same
/// project when new ones are created meanwhile) and keeps those with an enabled schedule.
async fn scheduled_projects(
    ctx: &ToolContext,
    input: &ScheduledRunsInput,
) -> Result<Found, ToolError> {
    let params = ListProjectsParams {
        collection_id: input.collection_id.as_ref().map(HexId::to_string),
        owner_email: input.owner_email.clone(),
        sort_by: Some(ProjectSortBy::CreatedAt),
        sort_direction: Some(SortDirection::Asc),
        limit: Some(hex_client::api::MAX_PAGE_SIZE),
        ..ListProjectsParams::default()
    };
    let mut pages = ctx
        .hex()?
        .projects()
        .pages(params, ctx.limits().search_caps());
    let mut found = Found {
        projects: Vec::new(),
        skipped: SkippedInWalk::default(),
        incomplete: None,
    };
    while let Some(page) = pages.next_page().await {
        let page = page?;
        found.skipped.page(&page);
        found
            .projects
            .extend(page.values.into_iter().filter_map(scheduled));
    }
    if let Some(reason) = pages.stop_reason().filter(|reason| reason.is_partial()) {
        found.incomplete = Some(format!(
            "the walk over the projects stopped early ({reason:?}) after {}: narrow it with collection_id or owner_email",
            pages.items_fetched()
        ));
    }
    Ok(found)
}

fn scheduled(project: Project) -> Option<Scheduled> {
    let cadence = project
        .schedules
        .iter()
        .filter(|schedule| schedule.enabled)
        .map(|schedule| schedule.cadence.as_str().to_string())
        .collect::<Vec<_>>();
    (!cadence.is_empty()).then(|| Scheduled {
        id: project.id,
        title: project.title,
        cadence: cadence.join(", "),
    })
}

/// What the latest-run check of one project came to.
enum Latest {
    Run(Box<RunStatus>),
    Never,
    Failed(HexError),
    /// Not checked: the quota is spent or the call was cancelled.
    Left,
}

struct Checked {
    /// In the batch's order.
    results: Vec<Latest>,
    /// How many of the batch, from its start, were checked (the continuation starts after).
    done: usize,
    stopped: Option<String>,
}

async fn check_all(ctx: &ToolContext, batch: &[&Scheduled]) -> Checked {
    let stop = std::sync::Mutex::new(None::<String>);
    let total = batch.len() as f64;
    // Made up front (nothing runs until polled): a stream mapping borrowed projects through a
    // closure is not provably `Send` for every lifetime.
    let work: Vec<_> = batch
        .iter()
        .enumerate()
        .map(|(index, project)| {
            let stop = &stop;
            async move { (index, latest(ctx, project, stop).await) }
        })
        .collect();
    let mut stream = futures::stream::iter(work).buffer_unordered(CONCURRENCY);
    let mut results: Vec<(usize, Latest)> = Vec::with_capacity(batch.len());
    while let Some(result) = stream.next().await {
        results.push(result);
        let message = format!("checked {} of {total}", results.len());
        ctx.progress(results.len() as f64, Some(total), message)
            .await;
    }
    drop(stream);
    results.sort_by_key(|(index, _)| *index);
    let results: Vec<Latest> = results.into_iter().map(|(_, latest)| latest).collect();
    let done = results
        .iter()
        .position(|latest| matches!(latest, Latest::Left))
        .unwrap_or(results.len());
    let stopped = stop
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Checked {
        results,
        done,
        stopped,
    }
}

/// The project's latest scheduled run, unless the check already stopped.
async fn latest(
    ctx: &ToolContext,
    project: &Scheduled,
    stop: &std::sync::Mutex<Option<String>>,
) -> Latest {
    let stopped = |why: String| {
        let mut stop = stop
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        stop.get_or_insert(why);
        Latest::Left
    };
    if stop
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .is_some()
    {
        return Latest::Left;
    }
    if ctx.is_cancelled() {
        return stopped("the call was cancelled".into());
    }
    let Ok(hex) = ctx.hex() else {
        return stopped("no Hex client".into());
    };
    let params = GetProjectRunsParams {
        limit: Some(1),
        run_trigger_filter: Some(RunTriggerFilter::Scheduled),
        ..GetProjectRunsParams::default()
    };
    match hex.runs().list(&project.id, &params).await {
        Ok(page) => page
            .runs
            .into_iter()
            .next()
            .map_or(Latest::Never, |run| Latest::Run(Box::new(run))),
        Err(HexError::RateLimited {
            retry_after,
            source,
        }) => {
            let who = match source {
                RateLimitSource::Server => "Hex answered 429",
                RateLimitSource::ClientPacing { .. } => "Hex's hex-api quota is spent for now",
            };
            let wait = retry_after.map_or(String::new(), |wait| {
                format!("; continue in {}", budget::about(wait))
            });
            stopped(format!("{who}{wait}"))
        }
        Err(error) => Latest::Failed(error),
    }
}

/// Failures first, then runs still going, then successes; the most recent first within each.
fn rank(run: &RunStatus) -> u8 {
    match run.status {
        RunStatusKind::Errored | RunStatusKind::UnableToAllocateKernel | RunStatusKind::Killed => 0,
        RunStatusKind::Unknown(_) => 1,
        RunStatusKind::Pending | RunStatusKind::Running => 2,
        RunStatusKind::Completed => 3,
    }
}

fn shape(batch: &[&Scheduled], results: Vec<Latest>) -> Map<String, Value> {
    let mut runs: Vec<(&Scheduled, Box<RunStatus>)> = Vec::new();
    let mut never = Vec::new();
    let mut unchecked = Vec::new();
    for (project, latest) in batch.iter().zip(results) {
        match latest {
            Latest::Run(run) => runs.push((project, run)),
            Latest::Never => never.push(json!({"id": project.id, "title": project.title})),
            Latest::Failed(error) => unchecked.push(json!({
                "id": project.id, "title": project.title, "error": error.to_string(),
            })),
            Latest::Left => {}
        }
    }
    runs.sort_by(|(_, a), (_, b)| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.start_time.cmp(&a.start_time))
    });
    let failed = runs.iter().filter(|(_, run)| rank(run) == 0).count();
    let mut answer = Map::new();
    answer.insert("checked".into(), json!(runs.len() + never.len()));
    answer.insert("failed".into(), json!(failed));
    let runs: Vec<Value> = runs
        .into_iter()
        .map(|(project, run)| {
            json!({
                "id": project.id,
                "title": project.title,
                "cadence": project.cadence,
                "status": run.status.as_str(),
                "startTime": run.start_time,
                "endTime": run.end_time,
                "elapsedTime": run.elapsed_time,
                "runUrl": run.run_url,
            })
        })
        .collect();
    answer.insert("runs".into(), Value::Array(runs));
    if !never.is_empty() {
        answer.insert("never_ran".into(), Value::Array(never));
    }
    if !unchecked.is_empty() {
        answer.insert("unchecked".into(), Value::Array(unchecked));
    }
    answer
}
