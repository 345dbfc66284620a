//! Types of the semantic-project operations, re-exported by `api::semantic`.

use serde::{Deserialize, Serialize};

use crate::wire::{Extra, wire_enum};

wire_enum! {
    /// `SemanticObjectUpdate.type`.
    SemanticObjectType { Dataset = "DATASET", View = "VIEW" }
}

wire_enum! {
    /// `ProblemSeverity`.
    ProblemSeverity { Fatal = "fatal", Error = "error", Warning = "warning" }
}

/// One status change of an UpdateSemanticProject batch: `status: None` removes the status (it is
/// sent as `null`; the key is required).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SemanticObjectUpdate {
    /// DATASET or VIEW.
    #[serde(rename = "type")]
    pub kind: SemanticObjectType,
    /// The dataset's or view's name.
    pub name: String,
    /// A status name of the workspace, or `None` to remove the status.
    pub status: Option<String>,
}

/// UpdateSemanticProject's body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateSemanticProjectRequest {
    /// Applied all together or not at all.
    pub updates: Vec<SemanticObjectUpdate>,
}

/// An object and the status it now has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedStatus {
    /// Its name.
    pub name: String,
    /// Its status, `None` when removed.
    #[serde(default)]
    pub status: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// UpdateSemanticProject's 200 answer: `{updated: {datasets, views}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSemanticProjectResponse {
    /// What changed.
    #[serde(default)]
    pub updated: UpdatedSemanticObjects,
    /// Hex's trace id, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `updated` of UpdateSemanticProject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatedSemanticObjects {
    /// Datasets whose status was set or removed.
    #[serde(default)]
    pub datasets: Vec<NamedStatus>,
    /// Views whose status was set or removed.
    #[serde(default)]
    pub views: Vec<NamedStatus>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// IngestSemanticProject's flags (Hex's defaults: verbose true, debug false, no dry run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestOptions {
    /// Answer with the components synced (`contents`).
    pub verbose: Option<bool>,
    /// Add debug information.
    pub debug: Option<bool>,
    /// Validate only: write nothing.
    pub dry_run: Option<bool>,
}

/// A key of a path inside the semantic project: a name or a list index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathKey {
    /// An object key.
    Name(String),
    /// A list index (a JSON number; Hex types it as a double).
    Index(f64),
    /// Anything else, kept as sent.
    Other(serde_json::Value),
}

/// One problem Hex found in a semantic project (`HexSLProblemWithDisplay`). Hex writes these
/// field names in snake case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// fatal, error or warning.
    pub severity: ProblemSeverity,
    /// What is wrong.
    #[serde(default)]
    pub message: String,
    /// Where the cause is: key paths into the project's files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cause_paths: Vec<Vec<PathKey>>,
    /// What the problem affects: key paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impact_paths: Vec<Vec<PathKey>>,
    /// Whether a JSON schema found it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validated_by_json_schema: Option<bool>,
    /// How Hex displays it (its type is not described; kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<serde_json::Value>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// IngestSemanticProject's 201 answer (`SemanticProjectsSyncResponsePayload`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SemanticSyncResponse {
    /// Hex's trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The components synced (with `verbose`).
    #[serde(default)]
    pub contents: Vec<String>,
    /// Warnings about the project.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// What was skipped, and why (an open map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<serde_json::Map<String, serde_json::Value>>,
    /// Problems found (those that did not stop the sync).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// Debug information (with `debug`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug: Option<serde_json::Value>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
