//! Hex's agent (toolset `threads`): ask it a question or a follow-up and optionally wait for the
//! answer, follow a thread, list threads, read a thread's messages, list topics.

mod answer;
mod ask;
mod read;
mod wait;

use hex_client::api::threads::Attachments;
use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use self::wait::MAX_WAIT_SECONDS;
use crate::{
    errors::ToolError,
    input::{HexId, OpaqueId},
    registry::RegisteredTool,
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<ask::CreateThread>(),
        RegisteredTool::of::<ask::ContinueThread>(),
        RegisteredTool::of::<ask::GetThread>(),
        RegisteredTool::of::<read::ListThreads>(),
        RegisteredTool::of::<read::GetThreadMessages>(),
        RegisteredTool::of::<read::ListTopics>(),
    ]
}

// What a prompt refers to. Parsed strictly; its schema is one line (see the JsonSchema impl).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentsInput {
    data_connection_id: Option<HexId>,
    project_ids: Option<Vec<HexId>>,
    table_ids: Option<Vec<OpaqueId>>,
    semantic_dataset_ids: Option<Vec<OpaqueId>>,
    semantic_view_ids: Option<Vec<OpaqueId>>,
}

/// One sentence instead of five typed properties: the same information for a model at under
/// half the bytes, in two tools' schemas. Parsing still refuses unknown keys and bad ids.
impl JsonSchema for AttachmentsInput {
    fn schema_name() -> Cow<'static, str> {
        "Attachments".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "Ids: project_ids, table_ids, semantic_dataset_ids, semantic_view_ids (lists), data_connection_id."
        })
    }
}

impl AttachmentsInput {
    /// Hex's `attachments`, or `None` when nothing is attached.
    fn to_hex(&self) -> Option<Attachments> {
        let strings = |ids: &Option<Vec<OpaqueId>>| {
            ids.iter()
                .flatten()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        let attachments = Attachments {
            data_connection_id: self.data_connection_id.as_ref().map(ToString::to_string),
            table_ids: strings(&self.table_ids),
            semantic_dataset_ids: strings(&self.semantic_dataset_ids),
            semantic_view_ids: strings(&self.semantic_view_ids),
            project_ids: self
                .project_ids
                .iter()
                .flatten()
                .map(ToString::to_string)
                .collect(),
        };
        (!attachments.is_empty()).then_some(attachments)
    }
}

/// A prompt Hex would refuse (`minLength: 1`), or one that asks nothing.
fn check_prompt(prompt: &str) -> Result<(), ToolError> {
    if prompt.trim().is_empty() {
        return Err(ToolError::input(
            "prompt",
            "must not be empty: write the question or instruction for Hex's agent",
        ));
    }
    Ok(())
}

/// `wait_seconds`: 0..=600, refused above with a message naming the field (serde's path), so
/// no request is sent.
#[derive(Clone, Copy, Debug, Default)]
pub struct WaitSeconds(u32);

impl WaitSeconds {
    pub fn get(wait: Option<WaitSeconds>) -> u32 {
        wait.map_or(0, |wait| wait.0)
    }
}

impl<'de> Deserialize<'de> for WaitSeconds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let seconds = u32::deserialize(deserializer)?;
        if seconds > MAX_WAIT_SECONDS {
            return Err(serde::de::Error::custom(format!(
                "at most {MAX_WAIT_SECONDS} (got {seconds}); to wait longer, call get_hex_thread with wait_seconds again"
            )));
        }
        Ok(WaitSeconds(seconds))
    }
}

impl JsonSchema for WaitSeconds {
    fn schema_name() -> Cow<'static, str> {
        "WaitSeconds".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 0, "maximum": MAX_WAIT_SECONDS})
    }
}

fn thread_error(error: hex_client::HexError, thread_id: &OpaqueId) -> ToolError {
    ToolError::from(error).about("thread", thread_id, "list_hex_threads")
}
