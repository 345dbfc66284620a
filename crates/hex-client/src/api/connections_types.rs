//! Types of the connections operations (requests, responses, enums), re-exported by `api::connections`.

use serde::{Deserialize, Serialize};

use super::connection_details::{ConnectionDetailsUpdate, NewConnectionDetails};
use super::connection_info::ConnectionDetails;
use super::projects::{DayOfWeek, ScheduleCadence};
use super::{IdRef, SortDirection, cursor_params};
use crate::wire::{Extra, wire_enum};

wire_enum! {
    /// `DataConnectionApiType`.
    DataConnectionType {
        Athena = "athena", BigQuery = "bigquery", ClickHouse = "clickhouse", Databricks = "databricks",
        Postgres = "postgres", Redshift = "redshift", Snowflake = "snowflake", Trino = "trino",
    }
}

wire_enum! {
    /// `ListDataConnectionsSortByEnum`.
    ConnectionSortBy { CreatedAt = "CREATED_AT", Name = "NAME" }
}

wire_enum! {
    /// `DataConnectionSharingAccessLevelEnum` (public access takes only `NONE` or `VIEW_RESULTS`).
    ConnectionAccess { NoAccess = "NONE", Query = "QUERY", ViewResults = "VIEW_RESULTS" }
}

wire_enum! {
    /// `DataConnectionSchemaRefreshAccess`: who may refresh the schema.
    SchemaRefreshAccess { Admins = "ADMINS", UsersWithQueryAccess = "USERS_WITH_QUERY_ACCESS" }
}

wire_enum! {
    /// `SchemaFilterMatchType`.
    SchemaFilterMatchType { Exact = "EXACT", Prefix = "PREFIX", Regex = "REGEX", Suffix = "SUFFIX" }
}

/// A data connection. List items may be the lean form (`id`, `name`, `type`, `description`), so
/// everything else is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataConnection {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Warehouse type.
    #[serde(rename = "type")]
    pub kind: DataConnectionType,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Connection details without secrets (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_details: Option<ConnectionDetails>,
    /// Connects through an SSH tunnel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_via_ssh: Option<bool>,
    /// Hex Magic may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_magic: Option<bool>,
    /// Writeback cells allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_writeback_cells: Option<bool>,
    /// Which databases, schemas and tables are browsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_filters: Option<SchemaFilters>,
    /// Schema refresh schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_refresh_schedule: Option<SchemaRefreshSchedule>,
    /// Who may refresh the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_refresh_access: Option<SchemaRefreshAccess>,
    /// Who may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<ConnectionSharing>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{databases?, schemas?, tables?}`, as read and as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaFilters {
    /// Database filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub databases: Option<SchemaEntityFilter>,
    /// Schema filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schemas: Option<SchemaEntityFilter>,
    /// Table filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<SchemaEntityFilter>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{include?, exclude?}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaEntityFilter {
    /// Keep only matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<FilterRule>,
    /// Drop matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<FilterRule>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{values, matchType}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterRule {
    /// Patterns.
    pub values: Vec<String>,
    /// How they match.
    pub match_type: SchemaFilterMatchType,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Schema refresh schedule (`SchemaRefreshScheduleApiResource`). Its times use `timezoneString`,
/// and there is no `hourly` object although `HOURLY` is a cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaRefreshSchedule {
    /// How often.
    pub cadence: ScheduleCadence,
    /// Active.
    pub enabled: bool,
    /// For `DAILY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily: Option<RefreshTime>,
    /// For `WEEKLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly: Option<RefreshTime>,
    /// For `MONTHLY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly: Option<RefreshTime>,
    /// For `CUSTOM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<RefreshTime>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// When a refresh fires: `daily {timezoneString, minute, hour}`, `weekly` adds `dayOfWeek`,
/// `monthly` adds `day`, `custom {timezoneString, cron}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTime {
    /// Timezone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone_string: Option<String>,
    /// Minute (Hex takes 0..=59; reads any i64, as the new schema gives no bounds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minute: Option<i64>,
    /// Hour (Hex takes 0..=23).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hour: Option<i64>,
    /// Day of the week (weekly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_week: Option<DayOfWeek>,
    /// Day of the month (Hex takes 1..=28; monthly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<i64>,
    /// Cron expression (custom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A connection's sharing as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSharing {
    /// Workspace-wide access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<ConnectionWorkspaceSharing>,
    /// Groups with access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<ConnectionGroupShare>>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{public?, guests?, members?}`, as read and as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionWorkspaceSharing {
    /// Public access (writes accept `NONE` or `VIEW_RESULTS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<ConnectionAccess>,
    /// Guests' access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guests: Option<ConnectionAccess>,
    /// Members' access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<ConnectionAccess>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{access, group: {id, name}}` as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionGroupShare {
    /// Access level.
    pub access: ConnectionAccess,
    /// The group.
    pub group: ConnectionGroupRef,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{id, name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionGroupRef {
    /// Group id.
    pub id: String,
    /// Group name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{access, group: {id}}` as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionGroupGrant {
    /// Access level.
    pub access: ConnectionAccess,
    /// The group's id.
    pub group: IdRef,
}

impl ConnectionGroupGrant {
    /// Gives `group_id` the access level `access`.
    pub fn new(group_id: impl Into<String>, access: ConnectionAccess) -> Self {
        Self {
            access,
            group: IdRef::new(group_id),
        }
    }
}

/// Sharing of a new connection: `groups` is a plain list here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewConnectionSharing {
    /// Workspace-wide access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<ConnectionWorkspaceSharing>,
    /// Groups with access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<ConnectionGroupGrant>>,
}

/// Sharing changes of an edit: `groups` is wrapped in `upsert` here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionSharingUpdate {
    /// Workspace-wide access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<ConnectionWorkspaceSharing>,
    /// `{upsert: [...]}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<ConnectionGroupsUpsert>,
}

/// `{upsert: [{access, group: {id}}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionGroupsUpsert {
    /// Group access to add or change.
    pub upsert: Vec<ConnectionGroupGrant>,
}

/// CreateDataConnection body. Build it with [`CreateDataConnectionRequest::new`], which sets `type`
/// from the details.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDataConnectionRequest {
    /// Name.
    pub name: String,
    /// Must match the key of `connection_details`.
    #[serde(rename = "type")]
    pub kind: DataConnectionType,
    /// `{"<type>": {...}}` with secrets.
    pub connection_details: NewConnectionDetails,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Connect through an SSH tunnel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_via_ssh: Option<bool>,
    /// Let Hex Magic use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_magic: Option<bool>,
    /// Allow writeback cells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_writeback_cells: Option<bool>,
    /// Schema browsing filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_filters: Option<SchemaFilters>,
    /// Schema refresh schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_refresh_schedule: Option<SchemaRefreshSchedule>,
    /// Who may refresh the schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_refresh_access: Option<SchemaRefreshAccess>,
    /// Who may use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing: Option<NewConnectionSharing>,
}

impl CreateDataConnectionRequest {
    /// A connection named `name` with these details; everything else left to Hex's defaults.
    pub fn new(name: impl Into<String>, details: NewConnectionDetails) -> Self {
        Self {
            name: name.into(),
            kind: details.kind(),
            connection_details: details,
            description: None,
            connect_via_ssh: None,
            include_magic: None,
            allow_writeback_cells: None,
            schema_filters: None,
            schema_refresh_schedule: None,
            schema_refresh_access: None,
            sharing: None,
        }
    }
}

/// EditDataConnection body; only the fields set are changed. `schema_refresh_schedule: Some(None)`
/// sends `null` (clears the schedule).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDataConnectionRequest {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Detail fields to change (same type as the connection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_details: Option<ConnectionDetailsUpdate>,
    /// Connect through an SSH tunnel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_via_ssh: Option<bool>,
    /// Let Hex Magic use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_magic: Option<bool>,
    /// Allow writeback cells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_writeback_cells: Option<bool>,
    /// Schema browsing filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_filters: Option<SchemaFilters>,
    /// New schedule, or `Some(None)` to clear it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_refresh_schedule: Option<Option<SchemaRefreshSchedule>>,
    /// Who may refresh the schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_refresh_access: Option<SchemaRefreshAccess>,
    /// Sharing changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing: Option<ConnectionSharingUpdate>,
}

/// ListDataConnections parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListDataConnectionsParams {
    /// Connections per page (1..=100).
    pub limit: Option<u32>,
    /// Cursor for the next page.
    pub after: Option<String>,
    /// Cursor for the previous page.
    pub before: Option<String>,
    /// Sort field (Hex's default `NAME`).
    pub sort_by: Option<ConnectionSortBy>,
    /// Sort direction (Hex's default `ASC`).
    pub sort_direction: Option<SortDirection>,
}

cursor_params!(ListDataConnectionsParams);
