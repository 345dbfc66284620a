//! MCP resources, for clients that browse rather than call: each project the token can see
//! (`resources/list`, paged by Hex's own cursor), and three templates per project — its
//! metadata, its notebook as readable text, and its `.hex.yaml` export. Reads go through the same
//! client, pacing and error wording as the tools; a project Hex does not know is
//! resource-not-found, other failures are JSON-RPC errors carrying the tools' error details
//! (never a secret).

use hex_client::api::MAX_PAGE_SIZE;
use hex_client::api::projects::{
    ExportProjectRequest, ExportVersion, GetProjectParams, ListProjectsParams,
};
use rmcp::{
    ErrorData as McpError,
    model::{
        ListResourcesResult, ReadResourceResult, Resource, ResourceContents, ResourceTemplate,
    },
};
use serde_json::json;

use crate::{context::ToolContext, errors::ToolError, input::HexId, output};

mod notebook;

const PREFIX: &str = "hex://projects/";
const JSON: &str = "application/json";
const MARKDOWN: &str = "text/markdown";
const YAML: &str = "application/yaml";

/// The URI of a project's metadata resource.
pub fn project_uri(project_id: &str) -> String {
    format!("{PREFIX}{project_id}")
}

/// What `resources/templates/list` offers.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("hex://projects/{id}", "project")
            .with_title("Project")
            .with_description("A project's metadata and sharing (GetProject)")
            .with_mime_type(JSON),
        ResourceTemplate::new("hex://projects/{id}/cells", "project-cells")
            .with_title("Notebook")
            .with_description(
                "A project's draft cells in order: type, label and source (ListCells, every page)",
            )
            .with_mime_type(MARKDOWN),
        ResourceTemplate::new("hex://projects/{id}/export", "project-export")
            .with_title("Export")
            .with_description(
                "A project's draft as .hex.yaml (ExportProject; some Hex organizations only)",
            )
            .with_mime_type(YAML),
        ResourceTemplate::new(
            "hex://projects/{id}/export/{version}",
            "project-export-version",
        )
        .with_title("Export of a version")
        .with_description(
            "A project as .hex.yaml at a version: draft, latest, or a published version number",
        )
        .with_mime_type(YAML),
    ]
}

/// What a URI names.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Project(HexId),
    Cells(HexId),
    Export(HexId, ExportVersion),
}

/// Reads a `hex://projects/…` URI; `None` for anything else.
fn target(uri: &str) -> Option<Target> {
    let rest = uri.strip_prefix(PREFIX)?;
    let mut parts = rest.split('/');
    let id = HexId::parse(parts.next()?).ok()?;
    let target = match (parts.next(), parts.next(), parts.next()) {
        (None, ..) => Target::Project(id),
        (Some("cells"), None, _) => Target::Cells(id),
        (Some("export"), None, _) => Target::Export(id, ExportVersion::Draft),
        (Some("export"), Some(version), None) => Target::Export(id, export_version(version)?),
        _ => return None,
    };
    Some(target)
}

fn export_version(text: &str) -> Option<ExportVersion> {
    match text {
        "draft" => Some(ExportVersion::Draft),
        "latest" => Some(ExportVersion::Latest),
        number => number
            .parse()
            .ok()
            .filter(|number| *number >= 1)
            .map(ExportVersion::Published),
    }
}

/// One page of projects as resources; the cursor is Hex's own `after`.
pub async fn list(
    ctx: &ToolContext,
    cursor: Option<String>,
) -> Result<ListResourcesResult, McpError> {
    let params = ListProjectsParams {
        limit: Some(MAX_PAGE_SIZE),
        after: cursor,
        ..ListProjectsParams::default()
    };
    let page = ctx
        .hex()
        .map_err(|error| failed(&error))?
        .projects()
        .list(&params)
        .await
        .map_err(|error| match error.status() {
            // The cursor is the client's to give back unchanged; Hex refusing it is its mistake.
            Some(400 | 422) => McpError::invalid_params(
                "the cursor is not one this server gave out: list again from the start",
                None,
            ),
            _ => failed(&ToolError::from(error)),
        })?;
    let resources = page
        .values
        .into_iter()
        .map(|project| {
            let title = output::sanitise_text(&project.title).into_owned();
            let resource = Resource::new(project_uri(&project.id), title.clone())
                .with_title(title)
                .with_mime_type(JSON);
            match project
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                Some(description) => resource.with_description(output::cut_text(
                    &output::sanitise_text(description),
                    200,
                    "read the resource",
                )),
                None => resource,
            }
        })
        .collect();
    let mut result = ListResourcesResult::with_all_items(resources);
    result.next_cursor = page.pagination.after;
    Ok(result)
}

/// Reads one resource.
pub async fn read(ctx: &ToolContext, uri: &str) -> Result<ReadResourceResult, McpError> {
    let Some(target) = target(uri) else {
        return Err(McpError::resource_not_found(
            format!(
                "no resource {}: hex-mcp serves hex://projects/{{id}}, …/cells, …/export and …/export/{{version}}",
                crate::input::excerpt(uri)
            ),
            Some(json!({ "uri": uri })),
        ));
    };
    let hex = ctx.hex().map_err(|error| failed(&error))?;
    let contents = match &target {
        Target::Project(id) => {
            let params = GetProjectParams {
                include_sharing: true,
            };
            let project = hex
                .projects()
                .get(id.as_str(), &params)
                .await
                .map_err(|error| about(error, id, uri))?;
            let mut value = output::to_output(&project).map_err(|error| failed(&error))?;
            output::sanitise_strings(&mut value);
            ResourceContents::text(value.to_string(), uri).with_mime_type(JSON)
        }
        Target::Cells(id) => {
            let text = notebook::render(ctx, id)
                .await
                .map_err(|error| match error {
                    ToolError::Hex { error, .. } => about(*error, id, uri),
                    other => failed(&other),
                })?;
            ResourceContents::text(text, uri).with_mime_type(MARKDOWN)
        }
        Target::Export(id, version) => {
            let request = ExportProjectRequest {
                project_id: id.to_string(),
                version: Some(*version),
            };
            let export = hex.projects().export(&request).await.map_err(|error| {
                if error.status() == Some(404) {
                    return about(error, id, uri);
                }
                failed(
                    &ToolError::from(error)
                        .about("project", id, "search_hex_projects")
                        .for_limited_feature("Exporting projects"),
                )
            })?;
            ResourceContents::text(export.content, uri).with_mime_type(YAML)
        }
    };
    Ok(ReadResourceResult::new(vec![contents]))
}

/// A failure about a project: resource-not-found when Hex does not know it.
fn about(error: hex_client::HexError, id: &HexId, uri: &str) -> McpError {
    if error.status() == Some(404) {
        return McpError::resource_not_found(
            format!("no project with id {id} is visible to this token (Hex answered 404)"),
            Some(json!({ "uri": uri })),
        );
    }
    failed(&ToolError::from(error).about("project", id, "search_hex_projects"))
}

/// Any other failure: the tools' one-line message, and their error details as data.
fn failed(error: &ToolError) -> McpError {
    let mut details = error.details();
    output::prune_nulls(&mut details);
    McpError::internal_error(error.to_string(), Some(details))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f2b7c1e-8a4d-4c2e-9b1a-0d6e5f4a3b2c";

    #[test]
    fn uris_name_a_project_its_cells_or_an_export() {
        let id = HexId::parse(ID).unwrap();
        assert_eq!(target(&project_uri(ID)), Some(Target::Project(id.clone())));
        assert_eq!(
            target(&format!("{PREFIX}{ID}/cells")),
            Some(Target::Cells(id.clone()))
        );
        assert_eq!(
            target(&format!("{PREFIX}{ID}/export")),
            Some(Target::Export(id.clone(), ExportVersion::Draft))
        );
        assert_eq!(
            target(&format!("{PREFIX}{ID}/export/latest")),
            Some(Target::Export(id.clone(), ExportVersion::Latest))
        );
        assert_eq!(
            target(&format!("{PREFIX}{ID}/export/3")),
            Some(Target::Export(id, ExportVersion::Published(3)))
        );
    }

    #[test]
    fn anything_else_is_no_resource() {
        for uri in [
            "hex://projects/",
            "hex://projects/not-an-id",
            &format!("{PREFIX}{ID}/runs"),
            &format!("{PREFIX}{ID}/cells/extra"),
            &format!("{PREFIX}{ID}/export/0"),
            &format!("{PREFIX}{ID}/export/latest/x"),
            &format!("file:///{ID}"),
            "test://static-text",
        ] {
            assert_eq!(target(uri), None, "{uri}");
        }
    }

    #[test]
    fn every_template_reads_back_as_its_target() {
        for template in templates() {
            let uri = template
                .uri_template
                .replace("{id}", ID)
                .replace("{version}", "2");
            assert!(target(&uri).is_some(), "{uri}");
        }
    }
}
