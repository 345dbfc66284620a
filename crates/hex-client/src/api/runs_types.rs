//! Types of the runs operations (requests, responses, enums), re-exported by `api::runs`.

use serde::{Deserialize, Serialize};

use crate::tolerant::{SkippedItem, Tolerant};
use crate::wire::{Extra, lenient_i64, lenient_string, wire_enum};

wire_enum! {
    /// `ProjectRunStatus`.
    RunStatusKind {
        Pending = "PENDING", Running = "RUNNING", Errored = "ERRORED", Completed = "COMPLETED",
        Killed = "KILLED", UnableToAllocateKernel = "UNABLE_TO_ALLOCATE_KERNEL",
    }
}

impl RunStatusKind {
    /// Whether the run has ended (`ERRORED`, `COMPLETED`, `KILLED`, `UNABLE_TO_ALLOCATE_KERNEL`).
    /// Unknown values count as not ended, so a poller keeps asking rather than stopping early.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Errored | Self::Completed | Self::Killed | Self::UnableToAllocateKernel
        )
    }
}

wire_enum! {
    /// `ProjectStatusRunTrigger`: what started a run.
    RunTrigger { Api = "API", Scheduled = "SCHEDULED", AppRefresh = "APP_REFRESH" }
}

wire_enum! {
    /// `RunTypeFilter` of GetProjectRuns.
    RunTriggerFilter { Api = "API", Scheduled = "SCHEDULED", AppRefresh = "APP_REFRESH", All = "ALL" }
}

wire_enum! {
    /// `RunNotificationType`: when to notify.
    RunNotificationType { Success = "SUCCESS", Failure = "FAILURE", All = "ALL" }
}

wire_enum! {
    /// `NotificationRecipientType`.
    NotificationRecipientType { User = "USER", Group = "GROUP", SlackChannel = "SLACK_CHANNEL" }
}

wire_enum! {
    /// `ScreenshotFormatType`.
    ScreenshotFormat { Png = "png", Pdf = "pdf" }
}

/// RunProject body; every field is optional. `inputParams` and `viewId` exclude each other.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunProjectRequest {
    /// Input values by variable name (only inputs added to the published app count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_params: Option<serde_json::Map<String, serde_json::Value>>,
    /// Validate and return a dummy answer without running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// Legacy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_cache: Option<bool>,
    /// Notifications sent when the run ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Vec<RunNotification>>,
    /// Update the published app's cached results (needs "Can Edit"; not with `inputParams`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_published_results: Option<bool>,
    /// Use cached SQL results (Hex's default `true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_cached_sql_results: Option<bool>,
    /// Run with a saved view's inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_id: Option<String>,
    /// Sent as the `flag-config-override` header, not in the body.
    #[serde(skip)]
    pub flag_config_override: Option<String>,
}

/// A notification to send when a run ends (`ProjectRunNotification`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunNotification {
    /// On success, failure or both.
    #[serde(rename = "type")]
    pub kind: RunNotificationType,
    /// Attach a screenshot on success.
    pub include_success_screenshot: bool,
    /// Screenshot format (Hex's default png).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screenshot_format: Option<ScreenshotFormat>,
    /// Slack channel ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_channel_ids: Option<Vec<String>>,
    /// Hex user ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
    /// Hex group ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    /// Subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// A notification as Hex reports it (`ProjectRunNotificationRecipient`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationRecipient {
    /// On success, failure or both.
    #[serde(rename = "type")]
    pub kind: RunNotificationType,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// User, group or Slack channel.
    pub recipient_type: NotificationRecipientType,
    /// Screenshot on success.
    #[serde(default)]
    pub include_success_screenshot: bool,
    /// Screenshot formats (an array here, a single value in the request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshot_format: Option<Vec<ScreenshotFormat>>,
    /// Who.
    pub recipient: Recipient,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{id, name, isPrivate?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// User, group or channel id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Private Slack channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_private: Option<bool>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// RunProject's answer (`ProjectRunResponsePayload`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRun {
    /// Project id.
    pub project_id: String,
    /// Run id.
    pub run_id: String,
    /// The run in Hex's UI.
    pub run_url: String,
    /// The API URL of the run's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_status_url: Option<String>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The project version that runs.
    #[serde(
        default,
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_version: Option<i64>,
    /// Notifications that will be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Vec<NotificationRecipient>>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A run's status (`ProjectStatusResponsePayload`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunStatus {
    /// Project id.
    pub project_id: String,
    /// Project version: a string, `"1"`, `"2"`… for published versions, `"draft"` for notebook
    /// runs (a number is read as its digits).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_version: Option<String>,
    /// Run id.
    pub run_id: String,
    /// The run in Hex's UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
    /// Where the run is.
    pub status: RunStatusKind,
    /// What started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_trigger: Option<RunTrigger>,
    /// Start (null until it starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// End (null until it ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// Milliseconds (null until it ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_time: Option<f64>,
    /// Only with expanded stats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_config_override: Option<String>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Vec<NotificationRecipient>>,
    /// Only with expanded stats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_events: Option<Vec<StateEvent>>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{type, value, timestamp}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateEvent {
    /// Event type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// GetRunStatus options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetRunStatusParams {
    /// Sends `enable-expanded-stats: true`, which adds `stateEvents` and `flagConfigOverride`.
    pub expanded_stats: bool,
}

/// GetProjectRuns parameters (offset pagination, the one list without cursors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetProjectRunsParams {
    /// Runs per page (1..=100).
    pub limit: Option<u32>,
    /// Runs to skip.
    pub offset: Option<u32>,
    /// Only runs in this status.
    pub status_filter: Option<RunStatusKind>,
    /// Only runs started this way.
    pub run_trigger_filter: Option<RunTriggerFilter>,
}

/// GetProjectRuns' answer. Runs are read one by one: a run that does not read is left out of
/// `runs` and listed in `skipped`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "RawProjectRuns")]
pub struct ProjectRuns {
    /// The runs that read.
    pub runs: Vec<RunStatus>,
    /// The runs that did not read (malformed), with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedItem>,
    /// URL of the next page (null on the last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<String>,
    /// URL of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_page: Option<String>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProjectRuns {
    runs: Tolerant<RunStatus>,
    #[serde(default)]
    next_page: Option<String>,
    #[serde(default)]
    previous_page: Option<String>,
    #[serde(default)]
    trace_id: Option<String>,
    #[serde(flatten)]
    extra: Extra,
}

impl From<RawProjectRuns> for ProjectRuns {
    fn from(raw: RawProjectRuns) -> Self {
        ProjectRuns {
            runs: raw.runs.items,
            skipped: raw.runs.skipped,
            next_page: raw.next_page,
            previous_page: raw.previous_page,
            trace_id: raw.trace_id,
            extra: raw.extra,
        }
    }
}

/// A chart as rendered in a run (GetChartImageFromRun).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunChartImage {
    /// Project id.
    pub project_id: String,
    /// Run id.
    pub run_id: String,
    /// The cell's static id.
    pub static_id: String,
    /// PNG, base64.
    pub image_base64: String,
    /// E.g. `image/png`.
    pub mime_type: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
