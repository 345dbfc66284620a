//! UpdateDataConnectionSchema: statuses (endorsements) of a connection's databases, schemas and
//! tables, set or removed in one all-or-nothing batch.

use serde::{Deserialize, Serialize};

use super::Connections;
use crate::api::semantic::{NamedStatus, check_updates};
use crate::error::HexError;
use crate::operations::Operation;
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};
use crate::wire::{Extra, wire_enum};

// The batch sets statuses to given values: repeating it changes nothing more.
const UPDATE_SCHEMA: Op = Op::new(Operation::UpdateDataConnectionSchema, Repeat::Safe);

wire_enum! {
    /// `SchemaObjectUpdate.type`.
    SchemaObjectType { Database = "DATABASE", Schema = "SCHEMA", Table = "TABLE" }
}

/// One status change: a simple name for a DATABASE, a qualified one (`db.schema`,
/// `db.schema.table`) for a SCHEMA or TABLE; `status: None` removes the status (sent as `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaObjectUpdate {
    /// DATABASE, SCHEMA or TABLE.
    #[serde(rename = "type")]
    pub kind: SchemaObjectType,
    /// The object's name.
    pub name: String,
    /// A status name of the workspace, or `None` to remove the status.
    pub status: Option<String>,
}

/// UpdateDataConnectionSchema's body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateConnectionSchemaRequest {
    /// Applied all together or not at all.
    pub updates: Vec<SchemaObjectUpdate>,
}

/// UpdateDataConnectionSchema's 200 answer: `{updated: {databases, schemas, tables}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateConnectionSchemaResponse {
    /// What changed.
    #[serde(default)]
    pub updated: UpdatedSchemaObjects,
    /// Hex's trace id, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `updated` of UpdateDataConnectionSchema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatedSchemaObjects {
    /// Databases whose status was set or removed.
    #[serde(default)]
    pub databases: Vec<NamedStatus>,
    /// Schemas whose status was set or removed.
    #[serde(default)]
    pub schemas: Vec<NamedStatus>,
    /// Tables whose status was set or removed.
    #[serde(default)]
    pub tables: Vec<NamedStatus>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Connections<'_> {
    /// UpdateDataConnectionSchema: a rejected item fails the whole batch with
    /// [`crate::ErrorDetails::Items`] naming it (reasons `not_found`, `invalid_status`,
    /// `ambiguous_name`, `database_not_supported`, `invalid_name_format`).
    pub async fn update_schema(
        &self,
        data_connection_id: &str,
        request: &UpdateConnectionSchemaRequest,
    ) -> Result<UpdateConnectionSchemaResponse, HexError> {
        check_updates(request.updates.iter().map(|update| update.name.as_str()))?;
        let call = Call::at(&[
            "data-connections",
            id("dataConnectionId", data_connection_id)?,
            "schema",
        ])
        .json(request)?;
        self.client.send_json(&UPDATE_SCHEMA, call).await
    }
}
