//! Projects: ListProjects, GetProject, CreateProject, UpdateProject (status), GetQueriedTables.

use serde::{Deserialize, Serialize};

use super::sharing::ProjectSharing;
use super::{MAX_PAGE_SIZE, PageParams, SortDirection, cursor_params, cursor_query, walk};
use crate::client::HexClient;
use crate::error::HexError;
use crate::limits::RateGroup;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::retry::Repeat;
use crate::transport::{Call, Op, Verb, id};
use crate::wire::{Extra, wire_enum};

const LIST: Op = Op::get("ListProjects", "/v1/projects");
const GET: Op = Op::get("GetProject", "/v1/projects/{projectId}");
const CREATE: Op = Op::create("CreateProject", "/v1/projects").paced(RateGroup::HexApi);
// Setting a status twice leaves the same status.
const UPDATE: Op = Op::new(
    "UpdateProject",
    Verb::Patch,
    "/v1/projects/{projectId}",
    Repeat::Safe,
);
const QUERIED_TABLES: Op = Op::get("GetQueriedTables", "/v1/projects/{projectId}/queriedTables");

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

/// App view counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppViews {
    /// All time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_time: Option<u64>,
    /// Last 7 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seven_days: Option<u64>,
    /// Last 14 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_fourteen_days: Option<u64>,
    /// Last 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_thirty_days: Option<u64>,
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
    /// Minute 0..=59.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minute: Option<u32>,
    /// Hour 0..=23.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hour: Option<u32>,
    /// Day of the week (weekly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_week: Option<DayOfWeek>,
    /// Day of the month 1..=28 (monthly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
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

/// Project operations; get one with [`HexClient::projects`].
#[derive(Debug, Clone, Copy)]
pub struct Projects<'a> {
    pub(crate) client: &'a HexClient,
}

impl Projects<'_> {
    /// ListProjects: one page.
    pub async fn list(&self, params: &ListProjectsParams) -> Result<Page<Project>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?
        .flag("includeArchived", params.include_archived)
        .flag("includeComponents", params.include_components)
        .flag("includeTrashed", params.include_trashed)
        .flag("includeSharing", params.include_sharing)
        .many("statuses", &params.statuses)
        .many("categories", &params.categories)
        .opt("creatorEmail", params.creator_email.as_deref())
        .opt("ownerEmail", params.owner_email.as_deref())
        .opt("collectionId", params.collection_id.as_deref())
        .opt("sortBy", params.sort_by.as_ref())
        .opt("sortDirection", params.sort_direction.as_ref());
        self.client
            .send_json(&LIST, Call::at(&["projects"]).query(query))
            .await
    }

    /// ListProjects: every page, lazily, within `caps`.
    pub fn pages(&self, params: ListProjectsParams, caps: PageCaps) -> Paginator<Project> {
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            |client, params| async move { client.projects().list(&params).await },
        )
    }

    /// GetProject.
    pub async fn get(
        &self,
        project_id: &str,
        params: &GetProjectParams,
    ) -> Result<Project, HexError> {
        let call = Call::at(&["projects", id("projectId", project_id)?])
            .query(crate::wire::Query::new().flag("includeSharing", params.include_sharing));
        self.client.send_json(&GET, call).await
    }

    /// CreateProject (201). Never retried.
    pub async fn create(&self, request: &CreateProjectRequest) -> Result<Project, HexError> {
        if request.title.trim().is_empty() {
            return Err(HexError::invalid_input("title must not be empty"));
        }
        self.client
            .send_json(&CREATE, Call::at(&["projects"]).json(request)?)
            .await
    }

    /// UpdateProject: sets the project's status by name, or clears it with `None`.
    pub async fn update_status(
        &self,
        project_id: &str,
        status: Option<&str>,
    ) -> Result<Project, HexError> {
        let body = UpdateProjectRequest {
            status: status.map(str::to_owned),
        };
        let call = Call::at(&["projects", id("projectId", project_id)?]).json(&body)?;
        self.client.send_json(&UPDATE, call).await
    }

    /// GetQueriedTables: one page.
    pub async fn queried_tables(
        &self,
        project_id: &str,
        params: &PageParams,
    ) -> Result<Page<QueriedTable>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?;
        let call =
            Call::at(&["projects", id("projectId", project_id)?, "queriedTables"]).query(query);
        self.client.send_json(&QUERIED_TABLES, call).await
    }

    /// GetQueriedTables: every page, lazily, within `caps`.
    pub fn queried_tables_pages(
        &self,
        project_id: &str,
        params: PageParams,
        caps: PageCaps,
    ) -> Paginator<QueriedTable> {
        let project_id = project_id.to_owned();
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            move |client, params| {
                let project_id = project_id.clone();
                async move { client.projects().queried_tables(&project_id, &params).await }
            },
        )
    }
}
