//! Runs: start a published project, follow a run (optionally waiting for its end), list a
//! project's runs with offset paging, cancel a run.

mod wait;

use hex_client::Operation;
use hex_client::api::runs::{
    GetProjectRunsParams, GetRunStatusParams, ProjectRuns, RunNotification, RunProjectRequest,
    RunStatus,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use self::wait::{run_error, status_output, wait_for_end};
use super::{
    common::{MAX_WAIT_SECONDS, add_skipped},
    vocab::MAX_PAGE_SIZE,
};
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, OpaqueId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<RunProject>(),
        RegisteredTool::of::<GetRunStatusTool>(),
        RegisteredTool::of::<GetProjectRuns>(),
        RegisteredTool::of::<CancelRun>(),
    ]
}

input_enum!(
    /// `ProjectRunStatus`.
    RunStatusName: hex_client::api::runs::RunStatusKind {
        Pending, Running, Errored, Completed, Killed, UnableToAllocateKernel,
    }
);

input_enum!(
    /// `RunTypeFilter`.
    RunTriggerName: hex_client::api::runs::RunTriggerFilter { Api, Scheduled, AppRefresh, All }
);

input_enum!(
    /// `RunNotificationType`.
    NotifyOn: hex_client::api::runs::RunNotificationType { Success, Failure, All }
);

input_enum!(
    /// `ScreenshotFormatType`.
    ScreenshotFormat: hex_client::api::runs::ScreenshotFormat { Png, Pdf }
);

fn project_error(error: hex_client::HexError, project_id: &HexId) -> ToolError {
    ToolError::from(error).about("project", project_id, "search_hex_projects")
}

// ---------------------------------------------------------------------------------------------

pub struct RunProject;

// A notification Hex sends when the run ends (no doc comments: each would cost schema bytes).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationInput {
    #[serde(rename = "type")]
    kind: NotifyOn,
    include_success_screenshot: Option<bool>,
    screenshot_format: Option<ScreenshotFormat>,
    user_ids: Option<Vec<HexId>>,
    group_ids: Option<Vec<HexId>>,
    slack_channel_ids: Option<Vec<String>>,
    subject: Option<String>,
    body: Option<String>,
}

impl NotificationInput {
    fn to_hex(&self) -> RunNotification {
        let ids = |ids: &Option<Vec<HexId>>| {
            ids.as_ref()
                .map(|ids| ids.iter().map(ToString::to_string).collect())
        };
        RunNotification {
            kind: self.kind.into(),
            include_success_screenshot: self.include_success_screenshot.unwrap_or(false),
            screenshot_format: self.screenshot_format.map(|format| format.into()),
            slack_channel_ids: self.slack_channel_ids.clone(),
            user_ids: ids(&self.user_ids),
            group_ids: ids(&self.group_ids),
            subject: self.subject.clone(),
            body: self.body.clone(),
        }
    }

    fn has_recipient(&self) -> bool {
        let some = |len: Option<usize>| len.is_some_and(|len| len > 0);
        some(self.user_ids.as_ref().map(Vec::len))
            || some(self.group_ids.as_ref().map(Vec::len))
            || some(self.slack_channel_ids.as_ref().map(Vec::len))
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunProjectInput {
    project_id: HexId,
    /// By variable name; not with view_id.
    input_params: Option<Map<String, Value>>,
    /// Also refresh the app's results.
    update_published_results: Option<bool>,
    use_cached_sql_results: Option<bool>,
    dry_run: Option<bool>,
    /// A saved view's inputs.
    view_id: Option<OpaqueId>,
    #[serde(default)]
    #[schemars(schema_with = "notifications_schema")]
    notifications: Option<Vec<NotificationInput>>,
    // Deprecated by Hex (use the two flags above); still accepted, not advertised.
    #[schemars(skip)]
    update_cache: Option<bool>,
    #[schemars(range(max = 600))]
    wait_seconds: Option<u32>,
}

impl RunProjectInput {
    /// The combinations Hex refuses, refused here before anything is sent.
    fn check(&self) -> Result<(), ToolError> {
        let custom_inputs = self.custom_inputs().is_some();
        if custom_inputs && self.view_id.is_some() {
            return Err(ToolError::input(
                "view_id",
                "cannot be combined with input_params: a saved view brings its own inputs",
            ));
        }
        if custom_inputs && self.update_published_results == Some(true) {
            return Err(ToolError::input(
                "update_published_results",
                "cannot be true with input_params: published results come from the app's own inputs",
            ));
        }
        check_wait(self.wait_seconds)?;
        for (index, notification) in self.notifications.iter().flatten().enumerate() {
            if !notification.has_recipient() {
                return Err(ToolError::input(
                    format!("notifications[{index}]"),
                    "names no recipient: give user_ids, group_ids or slack_channel_ids",
                ));
            }
        }
        Ok(())
    }

    /// `input_params` when it sets anything (an empty object means the app's defaults).
    fn custom_inputs(&self) -> Option<&Map<String, Value>> {
        self.input_params
            .as_ref()
            .filter(|params| !params.is_empty())
    }

    fn request(&self) -> RunProjectRequest {
        RunProjectRequest {
            input_params: self.custom_inputs().cloned(),
            dry_run: self.dry_run,
            update_cache: self.update_cache,
            notifications: self
                .notifications
                .as_ref()
                .map(|list| list.iter().map(NotificationInput::to_hex).collect()),
            update_published_results: self.update_published_results,
            use_cached_sql_results: self.use_cached_sql_results,
            view_id: self.view_id.as_ref().map(|id| id.to_string()),
            flag_config_override: None,
        }
    }
}

/// The notifications' shape in words: typed items would cost five times the bytes in every
/// session's context, and the parser checks each field strictly anyway, naming it on error.
fn notifications_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {"type": "object"},
        "description": "[{type: SUCCESS|FAILURE|ALL, user_ids|group_ids|slack_channel_ids, subject, body, include_success_screenshot, screenshot_format}]"
    })
}

fn check_wait(wait_seconds: Option<u32>) -> Result<(), ToolError> {
    match wait_seconds {
        Some(seconds) if seconds > MAX_WAIT_SECONDS => Err(ToolError::input(
            "wait_seconds",
            format!("at most {MAX_WAIT_SECONDS}; for longer runs call get_hex_run_status again"),
        )),
        _ => Ok(()),
    }
}

impl HexTool for RunProject {
    type Input = RunProjectInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "run_hex_project",
        title: "Run a project",
        description: "Run a project's published version; wait_seconds waits for its end, reporting progress.",
        toolset: Toolset::Runs,
        effect: Effect::CREATE,
        operations: &[Operation::RunProject, Operation::GetRunStatus],
        confirm: Confirm::Never,
    };

    const CREATED_CHECK: &'static str = "look for the run with get_hex_project_runs";

    fn waits(input: &Self::Input) -> bool {
        input.wait_seconds.unwrap_or(0) > 0 && input.dry_run != Some(true)
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        input.check()?;
        let hex = ctx.hex()?;
        let run = hex
            .runs()
            .run(input.project_id.as_str(), &input.request())
            .await
            .map_err(|error| project_error(error, &input.project_id))?;
        let mut answer = to_output(&run)?;
        let Value::Object(object) = &mut answer else {
            return Ok(answer);
        };
        if input.dry_run == Some(true) {
            object.insert(
                "note".into(),
                json!("dry run: Hex validated the call; nothing runs and runId is a placeholder"),
            );
            return Ok(answer);
        }
        let seconds = input.wait_seconds.unwrap_or(0);
        if seconds > 0 {
            // The run exists whatever happens while waiting: a failed wait is reported beside
            // it, never instead of it.
            match wait_for_end(&ctx, hex, &run.project_id, &run.run_id, seconds, None).await {
                Ok(waited) => {
                    object.insert("runStatus".into(), status_beside_run(&waited.status)?);
                    for (key, note) in waited.notes() {
                        object.insert(key.into(), note);
                    }
                }
                Err(error) => {
                    // The run's end is unknown: a pipeline must not read this as success.
                    ctx.set_outcome(crate::context::WaitOutcome::StillRunning);
                    object.insert(
                        "waitError".into(),
                        json!(format!(
                            "{error}; the run was started: follow it with get_hex_run_status"
                        )),
                    );
                }
            }
        }
        Ok(answer)
    }
}

/// The status of a run shown beside the run itself: without the ids and URLs already there.
fn status_beside_run(status: &RunStatus) -> ToolResult {
    let mut value = to_output(status)?;
    if let Value::Object(object) = &mut value {
        for key in ["projectId", "projectVersion", "runId", "runUrl", "traceId"] {
            object.remove(key);
        }
    }
    Ok(value)
}

// ---------------------------------------------------------------------------------------------

pub struct GetRunStatusTool;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRunStatusInput {
    project_id: HexId,
    run_id: HexId,
    #[schemars(range(max = 600))]
    wait_seconds: Option<u32>,
}

impl HexTool for GetRunStatusTool {
    type Input = GetRunStatusInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_run_status",
        title: "Get a run's status",
        description: "A run's status and times; wait_seconds waits for its end.",
        toolset: Toolset::Runs,
        effect: Effect::READ,
        operations: &[Operation::GetRunStatus],
        confirm: Confirm::Never,
    };

    fn waits(input: &Self::Input) -> bool {
        input.wait_seconds.unwrap_or(0) > 0
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        check_wait(input.wait_seconds)?;
        let hex = ctx.hex()?;
        let (project_id, run_id) = (input.project_id.as_str(), input.run_id.as_str());
        let status = hex
            .runs()
            .status(project_id, run_id, &GetRunStatusParams::default())
            .await
            .map_err(|error| run_error(error, run_id))?;
        let seconds = input.wait_seconds.unwrap_or(0);
        if seconds == 0 {
            return to_output(&status);
        }
        let waited = wait_for_end(&ctx, hex, project_id, run_id, seconds, Some(status)).await?;
        status_output(&waited)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct GetProjectRuns;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetProjectRunsInput {
    project_id: HexId,
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    offset: Option<u32>,
    status_filter: Option<RunStatusName>,
    run_trigger_filter: Option<RunTriggerName>,
}

impl HexTool for GetProjectRuns {
    type Input = GetProjectRunsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_project_runs",
        title: "List runs",
        description: "A project's runs, newest first; pass pagination.next_offset as offset.",
        toolset: Toolset::Runs,
        effect: Effect::READ,
        operations: &[Operation::GetProjectRuns],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let limit = input.limit.unwrap_or(25).clamp(1, MAX_PAGE_SIZE);
        let offset = input.offset.unwrap_or(0);
        let params = GetProjectRunsParams {
            limit: Some(limit),
            offset: Some(offset),
            status_filter: input.status_filter.map(|status| status.into()),
            run_trigger_filter: input.run_trigger_filter.map(|trigger| trigger.into()),
        };
        let runs = ctx
            .hex()?
            .runs()
            .list(input.project_id.as_str(), &params)
            .await
            .map_err(|error| project_error(error, &input.project_id))?;
        runs_output(runs, offset, limit)
    }
}

/// `{values, pagination: {next_offset, previous_offset}}`: Hex's page URLs turned into the
/// offsets to pass back, and each run without what the list already says (project, traceId).
fn runs_output(runs: ProjectRuns, offset: u32, limit: u32) -> ToolResult {
    let next = runs
        .next_page
        .as_deref()
        .map(|url| offset_in(url).unwrap_or(offset.saturating_add(limit)));
    let previous = runs
        .previous_page
        .as_deref()
        .map(|url| offset_in(url).unwrap_or(offset.saturating_sub(limit)));
    let values: Vec<RunStatus> = runs
        .runs
        .into_iter()
        .map(|run| RunStatus {
            trace_id: None,
            ..run
        })
        .collect();
    let mut values = to_output(&values)?;
    if let Value::Array(items) = &mut values {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            item.remove("projectId");
        }
    }
    let mut answer = json!({
        "values": values,
        "pagination": {"next_offset": next, "previous_offset": previous},
    });
    add_skipped(&mut answer, &runs.skipped);
    Ok(answer)
}

/// The `offset` query parameter of one of Hex's page URLs.
fn offset_in(url: &str) -> Option<u32> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "offset")
        .and_then(|(_, value)| value.parse().ok())
}

// ---------------------------------------------------------------------------------------------

pub struct CancelRun;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRunInput {
    project_id: HexId,
    run_id: HexId,
}

impl HexTool for CancelRun {
    type Input = CancelRunInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "cancel_hex_run",
        title: "Cancel a run",
        description: "Stop a PENDING or RUNNING run; it ends KILLED.",
        toolset: Toolset::Runs,
        effect: Effect::DELETE,
        operations: &[Operation::CancelRun],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let run_id = input.run_id.as_str();
        ctx.hex()?
            .runs()
            .cancel(input.project_id.as_str(), run_id)
            .await
            .map_err(|error| run_error(error, run_id))?;
        Ok(json!({
            "cancelled": true,
            "runId": run_id,
            "projectId": input.project_id,
            "next": "Hex accepted the cancel; get_hex_run_status shows KILLED once the run has stopped",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_become_offsets() {
        let url =
            "https://app.hex.tech/api/v1/projects/x/runs?limit=10&offset=30&statusFilter=COMPLETED";
        assert_eq!(offset_in(url), Some(30));
        assert_eq!(
            offset_in("https://app.hex.tech/api/v1/projects/x/runs"),
            None
        );
    }

    #[test]
    fn an_unreadable_page_url_still_gives_the_next_offset() {
        let runs = ProjectRuns {
            runs: Vec::new(),
            skipped: Vec::new(),
            next_page: Some("opaque".into()),
            previous_page: Some("opaque".into()),
            trace_id: None,
            extra: Default::default(),
        };
        let output = runs_output(runs, 20, 10).unwrap();
        assert_eq!(output["pagination"]["next_offset"], 30);
        assert_eq!(output["pagination"]["previous_offset"], 10);
    }
}
