//! Projects beyond finding and reading them: create, set status, export, queried tables.

use hex_client::Operation;
use hex_client::api::PageParams;
use hex_client::api::projects::{CreateProjectRequest, Project};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    context::ToolContext,
    errors::ToolError,
    input::HexId,
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
    tools::{common::page_output, vocab::MAX_PAGE_SIZE},
};

mod export;

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<CreateProject>(),
        RegisteredTool::of::<UpdateProject>(),
        RegisteredTool::of::<export::ExportProject>(),
        RegisteredTool::of::<GetQueriedTables>(),
    ]
}

fn project_error(error: hex_client::HexError, project_id: &HexId) -> ToolError {
    ToolError::from(error).about("project", project_id, "search_hex_projects")
}

// ---------------------------------------------------------------------------------------------

pub struct CreateProject;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProjectInput {
    title: String,
    description: Option<String>,
}

impl HexTool for CreateProject {
    type Input = CreateProjectInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "create_hex_project",
        title: "Create a project",
        description: "Create an empty, unpublished project owned by the token's user.",
        toolset: Toolset::Projects,
        effect: Effect::CREATE,
        operations: &[Operation::CreateProject],
        confirm: Confirm::Never,
    };

    const CREATED_CHECK: &'static str = "look for a project of that title with search_hex_projects";

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let title = input.title.trim();
        if title.is_empty() {
            return Err(ToolError::input("title", "give the project a title"));
        }
        let request = CreateProjectRequest {
            title: title.to_string(),
            description: input.description.filter(|d| !d.trim().is_empty()),
        };
        let project = ctx.hex()?.projects().create(&request).await?;
        to_output(&project)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateProject;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProjectInput {
    project_id: HexId,
    /// Status name; "" removes it.
    status: String,
}

impl HexTool for UpdateProject {
    type Input = UpdateProjectInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_project",
        title: "Set a project's status",
        description: "Set or remove a project's status (endorsements included), replacing the one it had.",
        toolset: Toolset::Endorsements,
        effect: Effect::OVERWRITE,
        operations: &[Operation::UpdateProject],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let status = Some(input.status.trim()).filter(|name| !name.is_empty());
        let project = ctx
            .hex()?
            .projects()
            .update_status(input.project_id.as_str(), status)
            .await
            .map_err(|error| project_error(error, &input.project_id))?;
        Ok(status_output(&project, status.is_none()))
    }
}

/// Which project, and the status it has now.
fn status_output(project: &Project, cleared: bool) -> Value {
    let removed = cleared && project.status.is_none();
    json!({
        "id": project.id,
        "title": project.title,
        "status": project.status.as_ref().map(|status| &status.name),
        "statusRemoved": removed.then_some(true),
    })
}

// ---------------------------------------------------------------------------------------------

pub struct GetQueriedTables;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetQueriedTablesInput {
    project_id: HexId,
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
}

impl HexTool for GetQueriedTables {
    type Input = GetQueriedTablesInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_queried_tables",
        title: "Tables a project queries",
        description: "Warehouse tables a project's SQL reads, with their data connections.",
        toolset: Toolset::Projects,
        effect: Effect::READ,
        operations: &[Operation::GetQueriedTables],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = PageParams {
            limit: Some(input.limit.unwrap_or(25).clamp(1, MAX_PAGE_SIZE)),
            after: input.after,
            before: input.before,
        };
        let page = ctx
            .hex()?
            .projects()
            .queried_tables(input.project_id.as_str(), &params)
            .await
            .map_err(|error| project_error(error, &input.project_id))?;
        page_output(page, |table| table)
    }
}
