//! Data connections: list, read, create and edit. Secret fields (passwords, keys, tokens) can be
//! given by reference (`{"env": "VAR"}`, `{"file": "/path"}`) so they never pass through the
//! model, and no output ever carries one: Hex's read types have none, and every output is also
//! redacted by field name.

use std::borrow::Cow;

use hex_client::Operation;
use hex_client::api::connections::{
    CreateDataConnectionRequest, DataConnection, ListDataConnectionsParams, SchemaFilters,
    SchemaRefreshSchedule, UpdateDataConnectionRequest,
};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    common::page_output,
    vocab::{MAX_PAGE_SIZE, SortDirection},
};
use crate::subject::Subject;
use crate::{
    context::ToolContext,
    errors::ToolError,
    files::AllowedPaths,
    input::{HexId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

mod details;
mod schema;
mod secrets;
mod settings;

use details::Details;
use settings::Sharing;

pub fn tools() -> Vec<RegisteredTool> {
    let mut tools = vec![
        RegisteredTool::of::<ListConnections>(),
        RegisteredTool::of::<GetConnection>(),
        RegisteredTool::of::<CreateConnection>(),
        RegisteredTool::of::<UpdateConnection>(),
    ];
    tools.extend(schema::tools());
    tools
}

/// The tool that finds connection ids, for 404 hints.
const FINDER: &str = "list_hex_data_connections";

input_enum!(
    /// The types Hex can create through its API (`clickhouse` can only be read).
    ConnectionType: hex_client::api::connections::DataConnectionType {
        Athena, BigQuery, Databricks, Postgres, Redshift, Snowflake, Trino,
    }
);

input_enum!(
    /// `ListDataConnectionsSortByEnum`.
    SortBy: hex_client::api::connections::ConnectionSortBy { CreatedAt, Name }
);

input_enum!(
    /// `DataConnectionSchemaRefreshAccess`.
    RefreshAccess: hex_client::api::connections::SchemaRefreshAccess {
        Admins, UsersWithQueryAccess,
    }
);

/// Every connection output: Hex's fields, nulls pruned, anything named like a secret redacted.
fn output(value: &impl serde::Serialize) -> ToolResult {
    let mut value = to_output(value)?;
    secrets::redact(&mut value);
    Ok(value)
}

/// A connection output with the notices of names that were mapped to Hex's.
fn output_with_notices(value: &impl serde::Serialize, notices: Vec<String>) -> ToolResult {
    let mut value = output(value)?;
    if let (Value::Object(object), false) = (&mut value, notices.is_empty()) {
        object.insert("notices".into(), json!(notices));
    }
    Ok(value)
}

fn not_found_hint(id: &HexId) -> impl FnOnce(hex_client::HexError) -> ToolError + '_ {
    move |error| ToolError::from(error).about("data connection", id, FINDER)
}

/// `connection_details`: a plain object in the schema, its fields listed in the description.
/// Its `Debug` never shows the values (they may be secrets).
#[derive(Deserialize)]
#[serde(transparent)]
pub struct DetailsArg(Map<String, Value>);

impl std::fmt::Debug for DetailsArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&String> = self.0.keys().collect();
        write!(f, "DetailsArg({keys:?}: …)")
    }
}

impl JsonSchema for DetailsArg {
    fn schema_name() -> Cow<'static, str> {
        "ConnectionDetails".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let description = format!(
            "{{<type>: {{fields}}}}, [optional], †secret. {}",
            details::field_list()
        );
        json_schema!({"type": "object", "description": description})
    }
}

/// What create and update share besides the details.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSettings {
    description: Option<String>,
    connect_via_ssh: Option<bool>,
    include_magic: Option<bool>,
    allow_writeback_cells: Option<bool>,
    schema_filters: Option<Map<String, Value>>,
    schema_refresh_schedule: Option<Map<String, Value>>,
    schema_refresh_access: Option<RefreshAccess>,
    /// {workspace: {members, guests, public}, groups: [{group: {id}, access}]}; NONE|QUERY|VIEW_RESULTS
    sharing: Option<Map<String, Value>>,
}

/// The settings' object parameters, checked.
struct Checked {
    filters: Option<SchemaFilters>,
    schedule: Option<SchemaRefreshSchedule>,
    sharing: Option<Sharing>,
}

impl Checked {
    /// Whether it gives public access.
    fn public(&self) -> bool {
        self.sharing.as_ref().is_some_and(|sharing| sharing.public)
    }

    fn notices(&self) -> Vec<String> {
        self.sharing
            .as_ref()
            .map(|sharing| sharing.notices.clone())
            .unwrap_or_default()
    }
}

impl ConnectionSettings {
    fn check(&self) -> Result<Checked, ToolError> {
        Ok(Checked {
            filters: self
                .schema_filters
                .as_ref()
                .map(settings::schema_filters)
                .transpose()?,
            schedule: self
                .schema_refresh_schedule
                .as_ref()
                .map(settings::schedule)
                .transpose()?,
            sharing: self.sharing.as_ref().map(settings::sharing).transpose()?,
        })
    }

    fn is_empty(&self) -> bool {
        self.description.is_none()
            && self.connect_via_ssh.is_none()
            && self.include_magic.is_none()
            && self.allow_writeback_cells.is_none()
            && self.schema_filters.is_none()
            && self.schema_refresh_schedule.is_none()
            && self.schema_refresh_access.is_none()
            && self.sharing.is_none()
    }
}

fn check_name(name: &str) -> Result<(), ToolError> {
    if name.trim().is_empty() {
        return Err(ToolError::input("name", "must not be empty"));
    }
    Ok(())
}

/// The public-access part of a risk sentence.
const PUBLIC_RISK: &str = "public access VIEW_RESULTS (its query results become viewable beyond the workspace's members and guests)";

// ---------------------------------------------------------------------------------------------

pub struct ListConnections;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListConnectionsInput {
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
    sort_by: Option<SortBy>,
    sort_direction: Option<SortDirection>,
}

impl HexTool for ListConnections {
    type Input = ListConnectionsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_data_connections",
        title: "List data connections",
        description: "List data connections (never their secrets).",
        toolset: Toolset::Connections,
        effect: Effect::READ,
        operations: &[Operation::ListDataConnections],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = ListDataConnectionsParams {
            limit: Some(input.limit.unwrap_or(25).clamp(1, MAX_PAGE_SIZE)),
            after: input.after,
            before: input.before,
            sort_by: input.sort_by.map(|sort| sort.into()),
            sort_direction: input.sort_direction.map(|direction| direction.into()),
        };
        let page = ctx.hex()?.connections().list(&params).await?;
        let mut answer = page_output(page, summary)?;
        secrets::redact(&mut answer);
        Ok(answer)
    }
}

/// A connection as lists show it: what identifies it and where it points.
fn summary(connection: DataConnection) -> Value {
    json!({
        "id": connection.id,
        "name": connection.name,
        "type": connection.kind,
        "description": connection.description,
        "connectionDetails": connection.connection_details,
    })
}

// ---------------------------------------------------------------------------------------------

pub struct GetConnection;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetConnectionInput {
    connection_id: HexId,
}

impl HexTool for GetConnection {
    type Input = GetConnectionInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_data_connection",
        title: "Get a data connection",
        description: "Get a data connection: details (never secrets), settings and sharing.",
        toolset: Toolset::Connections,
        effect: Effect::READ,
        operations: &[Operation::GetDataConnection],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let connection = ctx
            .hex()?
            .connections()
            .get(input.connection_id.as_str())
            .await
            .map_err(not_found_hint(&input.connection_id))?;
        output(&connection)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct CreateConnection;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConnectionInput {
    name: String,
    connection_type: ConnectionType,
    connection_details: DetailsArg,
    #[serde(flatten)]
    settings: ConnectionSettings,
}

impl CreateConnectionInput {
    /// Everything that can be checked without reading a secret: the name, the details' fields
    /// (seed names mapped, unsupported settings refused), the settings.
    fn check(&self) -> Result<(Details<'_>, Checked), ToolError> {
        check_name(&self.name)?;
        let details = Details::read(&self.connection_details.0, true)?;
        if details.kind() != self.connection_type {
            return Err(ToolError::input(
                "connection_details",
                format!(
                    "holds {} fields but connection_type is {}; use {{\"{}\": {{…}}}}",
                    details.kind(),
                    self.connection_type,
                    self.connection_type
                ),
            ));
        }
        Ok((details, self.settings.check()?))
    }

    /// The CreateDataConnection body with secrets resolved (files only under `files`), and the
    /// notices of names mapped to Hex's.
    fn request(
        &self,
        files: &AllowedPaths,
    ) -> Result<(CreateDataConnectionRequest, Vec<String>), ToolError> {
        let (details, checked) = self.check()?;
        let mut notices = details.notices.clone();
        notices.extend(checked.notices());
        let settings = &self.settings;
        let mut request = CreateDataConnectionRequest::new(&self.name, details.new_details(files)?);
        request.description = settings.description.clone();
        request.connect_via_ssh = settings.connect_via_ssh;
        request.include_magic = settings.include_magic;
        request.allow_writeback_cells = settings.allow_writeback_cells;
        request.schema_filters = checked.filters;
        request.schema_refresh_schedule = checked.schedule;
        request.schema_refresh_access = settings.schema_refresh_access.map(|access| access.into());
        request.sharing = checked.sharing.map(Sharing::for_create);
        Ok((request, notices))
    }
}

impl HexTool for CreateConnection {
    type Input = CreateConnectionInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "create_hex_data_connection",
        title: "Create a data connection",
        description: "Create a data connection; a secret is a string or {env: VAR} / {file: path} read on the server.",
        toolset: Toolset::Connections,
        effect: Effect::CREATE,
        operations: &[Operation::CreateDataConnection],
        confirm: Confirm::WhenRisky,
    };

    const CREATED_CHECK: &'static str =
        "look for a connection of that name with list_hex_data_connections";

    fn risk(input: &Self::Input) -> Option<String> {
        // Arguments that fail the checks change nothing: the call reports the error instead.
        let (_, checked) = input.check().ok()?;
        checked.public().then(|| {
            format!(
                "Create data connection \"{}\" with {PUBLIC_RISK}.",
                crate::input::excerpt(&input.name)
            )
        })
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let (request, notices) = input.request(ctx.files())?;
        let connection = ctx.hex()?.connections().create(&request).await?;
        output_with_notices(&connection, notices)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateConnection;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnectionInput {
    connection_id: HexId,
    name: Option<String>,
    /// Only the fields to change.
    connection_details: Option<Map<String, Value>>,
    // The settings again, described once in create_hex_data_connection to keep this short.
    description: Option<String>,
    connect_via_ssh: Option<bool>,
    include_magic: Option<bool>,
    allow_writeback_cells: Option<bool>,
    schema_filters: Option<Map<String, Value>>,
    schema_refresh_schedule: Option<Map<String, Value>>,
    schema_refresh_access: Option<RefreshAccess>,
    sharing: Option<Map<String, Value>>,
}

/// An EditDataConnection checked as far as it can be without reading a secret: what in it needs
/// a human's yes.
struct Plan<'a> {
    details: Option<Details<'a>>,
    checked: Checked,
    /// e.g. `["connection_details.postgres.password"]`.
    credentials: Vec<String>,
}

impl UpdateConnectionInput {
    fn settings(&self) -> ConnectionSettings {
        ConnectionSettings {
            description: self.description.clone(),
            connect_via_ssh: self.connect_via_ssh,
            include_magic: self.include_magic,
            allow_writeback_cells: self.allow_writeback_cells,
            schema_filters: self.schema_filters.clone(),
            schema_refresh_schedule: self.schema_refresh_schedule.clone(),
            schema_refresh_access: self.schema_refresh_access,
            sharing: self.sharing.clone(),
        }
    }

    fn plan(&self) -> Result<Plan<'_>, ToolError> {
        let settings = &self.settings();
        if self.name.is_none() && self.connection_details.is_none() && settings.is_empty() {
            return Err(ToolError::input(
                "",
                "nothing to update: give at least one of name, connection_details, description, connect_via_ssh, include_magic, allow_writeback_cells, schema_filters, schema_refresh_schedule, schema_refresh_access, sharing",
            ));
        }
        if let Some(name) = &self.name {
            check_name(name)?;
        }
        let details = self
            .connection_details
            .as_ref()
            .map(|map| Details::read(map, false))
            .transpose()?;
        let credentials = details
            .iter()
            .flat_map(|details| {
                details
                    .secret_fields()
                    .into_iter()
                    .map(|field| format!("connection_details.{}.{field}", details.kind()))
            })
            .collect();
        Ok(Plan {
            details,
            checked: settings.check()?,
            credentials,
        })
    }

    /// The EditDataConnection body with secrets resolved, and the notices of mapped names.
    fn request(
        &self,
        files: &AllowedPaths,
    ) -> Result<(UpdateDataConnectionRequest, Vec<String>), ToolError> {
        let Plan {
            details, checked, ..
        } = self.plan()?;
        let mut notices = details
            .as_ref()
            .map(|details| details.notices.clone())
            .unwrap_or_default();
        notices.extend(checked.notices());
        let settings = self.settings();
        let request = UpdateDataConnectionRequest {
            name: self.name.clone(),
            description: settings.description.clone(),
            connection_details: details.map(|details| details.changes(files)).transpose()?,
            connect_via_ssh: settings.connect_via_ssh,
            include_magic: settings.include_magic,
            allow_writeback_cells: settings.allow_writeback_cells,
            schema_filters: checked.filters,
            schema_refresh_schedule: checked.schedule.map(Some),
            schema_refresh_access: settings.schema_refresh_access.map(|access| access.into()),
            sharing: checked.sharing.map(Sharing::for_update),
        };
        Ok((request, notices))
    }
}

impl HexTool for UpdateConnection {
    type Input = UpdateConnectionInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_data_connection",
        title: "Update a data connection",
        description: "Change only the given fields of a data connection; new credentials or public access ask first.",
        toolset: Toolset::Connections,
        effect: Effect::OVERWRITE,
        operations: &[Operation::EditDataConnection],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::DataConnection(input.connection_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        // Arguments that fail the checks change nothing: the call reports the error instead.
        let plan = input.plan().ok()?;
        let mut changes = Vec::new();
        if !plan.credentials.is_empty() {
            changes.push(format!(
                "replace its credentials ({}); the old values cannot be recovered and everything using the connection will use the new ones",
                plan.credentials.join(", ")
            ));
        }
        if plan.checked.public() {
            changes.push(format!("give it {PUBLIC_RISK}"));
        }
        (!changes.is_empty()).then(|| {
            format!(
                "Update data connection {}: {}.",
                input.connection_id,
                changes.join("; and ")
            )
        })
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let (request, notices) = input.request(ctx.files())?;
        let connection = ctx
            .hex()?
            .connections()
            .update(input.connection_id.as_str(), &request)
            .await
            .map_err(not_found_hint(&input.connection_id))?;
        output_with_notices(&connection, notices)
    }
}
