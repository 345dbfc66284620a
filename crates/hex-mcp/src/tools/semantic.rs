//! Semantic projects (toolset `semantic`): ingest a project's files (a dry run unless asked to
//! write), and endorse its datasets and views. Hex has no operation that lists semantic
//! projects: their ids are in Hex under Settings → Semantic projects.

pub mod archive;

use hex_client::api::semantic::{
    IngestOptions, SemanticObjectUpdate, UpdateSemanticProjectRequest,
};
use hex_client::{ErrorDetails, HexError, Operation};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<IngestSemanticProject>(),
        RegisteredTool::of::<UpdateSemanticProject>(),
    ]
}

/// Where semantic project ids are found (no tool lists them), for 404 hints.
const FINDER: &str = "Hex's Settings → Semantic projects";

/// Most updates in one status batch (Hex states none).
pub const MAX_UPDATES: usize = 100;

/// A status argument: a status name of the workspace, or `""` to remove the status (a `null`
/// argument would be dropped as absent).
pub fn status_of(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Maps a status batch's error: a rejection that lists its items speaks for itself; anything
/// else is about the object the batch was sent to.
pub fn batch_error(
    error: HexError,
    kind: &'static str,
    id: &HexId,
    finder: &'static str,
) -> ToolError {
    let lists_items = matches!(
        &error,
        HexError::Api { details: Some(details), .. } if matches!(**details, ErrorDetails::Items(_))
    );
    if lists_items {
        ToolError::from(error)
    } else {
        ToolError::from(error).about(kind, id, finder)
    }
}

/// Refuses an empty batch or one over [`MAX_UPDATES`] before anything is sent.
pub fn check_batch(len: usize) -> Result<(), ToolError> {
    if len == 0 || len > MAX_UPDATES {
        return Err(ToolError::input(
            "updates",
            format!("give 1 to {MAX_UPDATES} updates per call"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------

pub struct IngestSemanticProject;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestSemanticProjectInput {
    semantic_project_id: HexId,
    /// .zip or directory under an --allow-path dir.
    path: String,
    dry_run: Option<bool>,
    verbose: Option<bool>,
    debug: Option<bool>,
}

impl HexTool for IngestSemanticProject {
    type Input = IngestSemanticProjectInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "ingest_hex_semantic_project",
        title: "Ingest a semantic project",
        description: "Upload a semantic project's files, replacing its datasets and views; a dry run unless dry_run: false. 3/min.",
        toolset: Toolset::Semantic,
        effect: Effect::OVERWRITE,
        operations: &[Operation::IngestSemanticProject],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let allowed = ctx.files().clone();
        let path = input.path.clone();
        let archive = tokio::task::spawn_blocking(move || archive::build(&allowed, &path))
            .await
            .map_err(|error| {
                ToolError::internal(format!("building the archive failed: {error}"))
            })??;
        let dry_run = input.dry_run.unwrap_or(true);
        let options = IngestOptions {
            verbose: input.verbose,
            debug: input.debug,
            dry_run: Some(dry_run),
        };
        let answer = ctx
            .hex()?
            .semantic()
            .ingest(input.semantic_project_id.as_str(), &archive.bytes, &options)
            .await
            .map_err(|error| {
                ToolError::from(error).about("semantic project", &input.semantic_project_id, FINDER)
            })?;
        let mut output = to_output(&answer)?;
        if let Value::Object(fields) = &mut output {
            fields.remove("traceId");
            fields.insert("files".into(), json!(archive.files));
            fields.insert("dryRun".into(), json!(dry_run));
            if dry_run {
                fields.insert(
                    "next".into(),
                    json!("dry run: nothing was written; call again with dry_run: false to write"),
                );
            }
        }
        Ok(output)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateSemanticProject;

input_enum!(
    /// `SemanticObjectUpdate.type`.
    SemanticKind: hex_client::api::semantic::SemanticObjectType { Dataset, View }
);

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SemanticUpdateInput {
    #[serde(rename = "type")]
    kind: SemanticKind,
    name: String,
    /// Workspace status; "" clears.
    status: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSemanticProjectInput {
    semantic_project_id: HexId,
    #[schemars(length(max = 100))]
    updates: Vec<SemanticUpdateInput>,
}

impl HexTool for UpdateSemanticProject {
    type Input = UpdateSemanticProjectInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_semantic_project",
        title: "Endorse semantic objects",
        description: "Set or clear statuses of a semantic project's datasets and views, all or nothing.",
        toolset: Toolset::Semantic,
        effect: Effect::OVERWRITE,
        operations: &[Operation::UpdateSemanticProject],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        check_batch(input.updates.len())?;
        let request = UpdateSemanticProjectRequest {
            updates: input
                .updates
                .iter()
                .map(|update| SemanticObjectUpdate {
                    kind: update.kind.into(),
                    name: update.name.clone(),
                    status: status_of(&update.status),
                })
                .collect(),
        };
        let id = &input.semantic_project_id;
        let answer = ctx
            .hex()?
            .semantic()
            .update(id.as_str(), &request)
            .await
            .map_err(|error| batch_error(error, "semantic project", id, FINDER))?;
        Ok(json!({"updated": to_output(&answer.updated)?}))
    }
}
