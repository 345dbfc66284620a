//! Endorsing a data connection's databases, schemas and tables (UpdateDataConnectionSchema).

use hex_client::Operation;
use hex_client::api::connections::{SchemaObjectUpdate, UpdateConnectionSchemaRequest};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::FINDER;
use crate::{
    context::ToolContext,
    input::{HexId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
    tools::semantic::{batch_error, check_batch, status_of},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![RegisteredTool::of::<UpdateConnectionSchema>()]
}

pub struct UpdateConnectionSchema;

input_enum!(
    /// `SchemaObjectUpdate.type`.
    SchemaKind: hex_client::api::connections::SchemaObjectType { Database, Schema, Table }
);

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaUpdateInput {
    #[serde(rename = "type")]
    kind: SchemaKind,
    /// db, db.schema or db.schema.table
    name: String,
    /// Workspace status; "" clears.
    status: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnectionSchemaInput {
    connection_id: HexId,
    #[schemars(length(max = 100))]
    updates: Vec<SchemaUpdateInput>,
}

impl HexTool for UpdateConnectionSchema {
    type Input = UpdateConnectionSchemaInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_data_connection_schema",
        title: "Endorse warehouse tables",
        description: "Set or clear statuses of a connection's databases, schemas and tables, all or nothing.",
        toolset: Toolset::Endorsements,
        effect: Effect::OVERWRITE,
        operations: &[Operation::UpdateDataConnectionSchema],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        check_batch(input.updates.len())?;
        let request = UpdateConnectionSchemaRequest {
            updates: input
                .updates
                .iter()
                .map(|update| SchemaObjectUpdate {
                    kind: update.kind.into(),
                    name: update.name.clone(),
                    status: status_of(&update.status),
                })
                .collect(),
        };
        let id = &input.connection_id;
        let answer = ctx
            .hex()?
            .connections()
            .update_schema(id.as_str(), &request)
            .await
            .map_err(|error| batch_error(error, "data connection", id, FINDER))?;
        Ok(json!({"updated": to_output(&answer.updated)?}))
    }
}
