//! Types of the projects operations (requests, responses, enums), re-exported by `api::projects`.

use serde::{Deserialize, Serialize};

use super::sharing::ProjectSharing;
use super::{SortDirection, cursor_params};
use crate::wire::{Extra, wire_enum};

wire_enum! {
    /// `ProjectTypeApiEnum`.
    ProjectType { Project = "PROJECT", Component = "COMPONENT" }
}

wire_enum! {
    /// `SortByEnum` of ListProjects.
    ProjectSortBy { CreatedAt = "CREATED_AT", LastEditedAt = "LAST_EDITED_AT", LastPublishedAt = "LAST_PUBLISHED_AT" }
}

wire_enum! {
    /// `ScheduleCadenceApiEnum`.
    ScheduleCadence { Hourly = "HOURLY", Daily = "DAILY", Weekly = "WEEKLY", Monthly = "MONTHLY", Custom = "CUSTOM" }
}

wire_enum! {
    /// `DayOfWeekApiEnum`.
    DayOfWeek {
        Sunday = "SUNDAY", Monday = "MONDAY", Tuesday = "TUESDAY", Wednesday = "WEDNESDAY",
        Thursday = "THURSDAY", Friday = "FRIDAY", Saturday = "SATURDAY",
    }
}

/// A project (`ProjectApiResource`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// The UUID in the project's logic URL.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `PROJECT` or `COMPONENT`.
    #[serde(rename = "type")]
    pub kind: ProjectType,
    /// Who created it.
    pub creator: EmailRef,
    /// Who owns it.
    pub owner: EmailRef,
    /// Status (nullable), e.g. an endorsement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProjectStatus>,
    /// Categories.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// Review settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviews: Option<Reviews>,
    /// View counts and dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics: Option<Analytics>,
    /// Last edit (ISO 8601).
    pub last_edited_at: String,
    /// Last publication (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_published_at: Option<String>,
    /// Creation (ISO 8601).
    pub created_at: String,
    /// When archived (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    /// When trashed (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trashed_at: Option<String>,
    /// Scheduled runs.
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    /// Present when asked for with `includeSharing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<ProjectSharing>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{email}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailRef {
    /// E-mail address.
    pub email: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{name}` of a project status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectStatus {
    /// Status name.
    pub name: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A project category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Category name.
    pub name: String,
    /// Description (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{required}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviews {
    /// Whether publishing needs a review.
    pub required: bool,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Project analytics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    /// App view counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_views: Option<AppViews>,
    /// Last view (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_viewed_at: Option<String>,
    /// Last update of published results (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_results_updated_at: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// App view counts: integers with no declared minimum (Hex's description), so any i64 reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppViews {
    /// All time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_time: Option<i64>,
    /// Last 7 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seven_days: Option<i64>,
    /// Last 14 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_fourteen_days: Option<i64>,
    /// Last 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_thirty_days: Option<i64>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A run schedule (`ScheduleApiResource`): the sub-object matching `cadence` is filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// How often.
    pub cadence: ScheduleCadence,
    /// Whether it is active.
    pub enabled: bool,
    /// For `HOURLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hourly: Option<ScheduleTime>,
    /// For `DAILY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily: Option<ScheduleTime>,
    /// For `WEEKLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly: Option<ScheduleTime>,
    /// For `MONTHLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly: Option<ScheduleTime>,
    /// For `CUSTOM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<ScheduleTime>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// When a schedule fires; which fields are set depends on the cadence (`hourly {timezone, minute}`,
/// `daily` adds `hour`, `weekly` adds `dayOfWeek`, `monthly` adds `day`, `custom {timezone, cron}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleTime {
    /// Timezone designator, e.g. `+08:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Minute (0..=59 in the legacy schema; unbounded in the new one, so any i64 reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minute: Option<i64>,
    /// Hour (0..=23 in the legacy schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hour: Option<i64>,
    /// Day of the week (weekly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_week: Option<DayOfWeek>,
    /// Day of the month (1..=28 in the legacy schema; monthly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<i64>,
    /// Cron expression (custom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ListProjects parameters. Booleans default to Hex's `false`; empty lists are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListProjectsParams {
    /// Include archived projects.
    pub include_archived: bool,
    /// Include components.
    pub include_components: bool,
    /// Include trashed projects.
    pub include_trashed: bool,
    /// Include each project's `sharing`.
    pub include_sharing: bool,
    /// Only these status names.
    pub statuses: Vec<String>,
    /// Only these category names.
    pub categories: Vec<String>,
    /// Only projects created by this e-mail.
    pub creator_email: Option<String>,
    /// Only projects owned by this e-mail.
    pub owner_email: Option<String>,
    /// Only projects in this collection.
    pub collection_id: Option<String>,
    /// Items per page (1..=100).
    pub limit: Option<u32>,
    /// Cursor for the next page.
    pub after: Option<String>,
    /// Cursor for the previous page.
    pub before: Option<String>,
    /// Sort field.
    pub sort_by: Option<ProjectSortBy>,
    /// Sort direction.
    pub sort_direction: Option<SortDirection>,
}

cursor_params!(ListProjectsParams);

/// GetProject parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetProjectParams {
    /// Include the project's `sharing`.
    pub include_sharing: bool,
}

/// CreateProject body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateProjectRequest {
    /// Title (required).
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// UpdateProject body: `status` is always sent, `null` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateProjectRequest {
    /// A status name, or `None` to remove the status.
    pub status: Option<String>,
}

/// A warehouse table queried by a project (GetQueriedTables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueriedTable {
    /// Connection id.
    pub data_connection_id: String,
    /// Connection name.
    pub data_connection_name: String,
    /// Table name.
    pub table_name: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Which version of a project ExportProject writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExportVersion {
    /// The current notebook (Hex's default).
    #[default]
    Draft,
    /// The latest published app version.
    Latest,
    /// A published version, counted from 1.
    Published(u32),
}

impl Serialize for ExportVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ExportVersion::Draft => serializer.serialize_str("draft"),
            ExportVersion::Latest => serializer.serialize_str("latest"),
            ExportVersion::Published(number) => serializer.serialize_u32(*number),
        }
    }
}

impl std::fmt::Display for ExportVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportVersion::Draft => f.write_str("draft"),
            ExportVersion::Latest => f.write_str("latest"),
            ExportVersion::Published(number) => write!(f, "{number}"),
        }
    }
}

/// ExportProject body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportProjectRequest {
    /// The project to export.
    pub project_id: String,
    /// Which version; `None` leaves Hex's default (`draft`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<ExportVersion>,
}

/// ExportProject's answer: the project as `*.hex.yaml` text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedProject {
    /// File name Hex suggests, e.g. `Revenue dashboard.hex.yaml`.
    pub filename: String,
    /// The YAML text itself (not base64, not a URL).
    pub content: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
