//! export_hex_project: a project as `*.hex.yaml`, inline as an embedded resource or written to a
//! file under a directory the operator allowed.

use std::{borrow::Cow, path::Path};

use hex_client::Operation;
use hex_client::api::projects::{ExportProjectRequest, ExportVersion, ExportedProject};
use rmcp::model::{ContentBlock, Resource, ResourceContents};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use super::project_error;
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::HexId,
    registry::{Confirm, Effect, HexTool, ToolResult, ToolSpec, Toolset},
};

/// The media type of `*.hex.yaml` content.
pub const YAML: &str = "application/yaml";

/// The largest export answered inline; a larger one is written to a file (`output_path`).
pub const INLINE_MAX_BYTES: usize = 256 * 1024;

pub struct ExportProject;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportProjectInput {
    project_id: HexId,
    version: Option<VersionInput>,
    /// A file under an --allow-path directory.
    output_path: Option<String>,
    overwrite: Option<bool>,
}

/// `draft` (default), `latest` or a published version number from 1; also `"3"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionInput(ExportVersion);

impl<'de> Deserialize<'de> for VersionInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let problem =
            || serde::de::Error::custom("use draft, latest or a published version number from 1");
        match Value::deserialize(deserializer)? {
            Value::String(word) => match word.trim().to_ascii_lowercase().as_str() {
                "draft" => Ok(VersionInput(ExportVersion::Draft)),
                "latest" => Ok(VersionInput(ExportVersion::Latest)),
                digits => digits.parse().ok().and_then(published).ok_or_else(problem),
            },
            Value::Number(number) => number
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .and_then(published)
                .ok_or_else(problem),
            _ => Err(problem()),
        }
    }
}

fn published(number: u32) -> Option<VersionInput> {
    (number >= 1).then_some(VersionInput(ExportVersion::Published(number)))
}

impl JsonSchema for VersionInput {
    fn schema_name() -> Cow<'static, str> {
        "ExportVersion".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"anyOf": [{"enum": ["draft", "latest"]}, {"type": "integer", "minimum": 1}]})
    }
}

impl HexTool for ExportProject {
    type Input = ExportProjectInput;

    // READ: it changes nothing in Hex. Writing a local file happens only with output_path, only
    // under directories the operator allowed, and never over a file without overwrite.
    const SPEC: ToolSpec = ToolSpec {
        name: "export_hex_project",
        title: "Export a project",
        description: "Export a project (default: its draft) as .hex.yaml: a resource up to 256 KiB, or a file at output_path.",
        toolset: Toolset::Projects,
        effect: Effect::READ,
        operations: &[Operation::ExportProject],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let version = input.version.map_or(ExportVersion::Draft, |v| v.0);
        if input.overwrite.is_some() && input.output_path.is_none() {
            return Err(ToolError::input(
                "overwrite",
                "only applies with output_path",
            ));
        }
        if let Some(path) = &input.output_path {
            // Checked before asking Hex, so a refused path costs no export.
            check_writable(&ctx, path)?;
        }
        let request = ExportProjectRequest {
            project_id: input.project_id.to_string(),
            version: Some(version),
        };
        let export = ctx
            .hex()?
            .projects()
            .export(&request)
            .await
            .map_err(|error| {
                project_error(error, &input.project_id).for_limited_feature("Exporting projects")
            })?;
        let mut summary = Map::new();
        summary.insert("projectId".into(), json!(input.project_id));
        summary.insert("version".into(), json!(version.to_string()));
        summary.insert("filename".into(), json!(export.filename));
        summary.insert("bytes".into(), json!(export.content.len()));
        match &input.output_path {
            Some(path) => write_file(&ctx, summary, &export, path, input.overwrite == Some(true)),
            None => Ok(inline(&ctx, summary, export, &input.project_id, version)),
        }
    }
}

/// Refuses a path whose directory is outside the allowed ones (or any path when files are off)
/// before anything is sent; the write checks again, links resolved.
fn check_writable(ctx: &ToolContext, path: &str) -> Result<(), ToolError> {
    let directory = Path::new(path.trim())
        .parent()
        .map(|dir| dir.to_string_lossy().into_owned())
        .filter(|dir| !dir.is_empty())
        .unwrap_or_else(|| ".".into());
    ctx.files().existing("output_path", &directory).map(drop)
}

/// The YAML as an embedded resource, unless it is larger than the inline cap.
fn inline(
    ctx: &ToolContext,
    mut summary: Map<String, Value>,
    export: ExportedProject,
    project_id: &HexId,
    version: ExportVersion,
) -> Value {
    if export.content.len() > INLINE_MAX_BYTES {
        let how = if ctx.files().is_enabled() {
            "pass output_path to write it to a file"
        } else {
            "ask the operator to start hex-mcp with --allow-path DIR, then pass output_path"
        };
        summary.insert("inline".into(), json!(false));
        let next = format!(
            "the export is larger than the {} KiB answered inline: {how}",
            INLINE_MAX_BYTES / 1024
        );
        summary.insert("next".into(), json!(next));
        return Value::Object(summary);
    }
    let uri = format!("hex://projects/{project_id}/export/{version}");
    ctx.attach(ContentBlock::resource(
        ResourceContents::text(export.content, &uri).with_mime_type(YAML),
    ));
    summary.insert("resource".into(), json!(uri));
    Value::Object(summary)
}

/// Writes the YAML under an allowed directory and answers a link to the file.
fn write_file(
    ctx: &ToolContext,
    mut summary: Map<String, Value>,
    export: &ExportedProject,
    path: &str,
    overwrite: bool,
) -> ToolResult {
    let written = ctx
        .files()
        .write("output_path", path, export.content.as_bytes(), overwrite)?;
    let uri = file_uri(&written);
    let link = Resource::new(&uri, &export.filename)
        .with_mime_type(YAML)
        .with_size(export.content.len() as u64);
    ctx.attach(ContentBlock::resource_link(link));
    summary.insert("path".into(), json!(written.display().to_string()));
    summary.insert("resource".into(), json!(uri));
    Ok(Value::Object(summary))
}

/// `file://` URI of an absolute path, percent-encoding what a URI path cannot hold.
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_words_and_numbers() {
        let read = |value: Value| serde_json::from_value::<VersionInput>(value).map(|v| v.0);
        assert_eq!(read(json!("Draft")).unwrap(), ExportVersion::Draft);
        assert_eq!(read(json!("latest")).unwrap(), ExportVersion::Latest);
        assert_eq!(read(json!(3)).unwrap(), ExportVersion::Published(3));
        assert_eq!(read(json!("12")).unwrap(), ExportVersion::Published(12));
        for bad in [
            json!(0),
            json!("0"),
            json!(-1),
            json!(1.5),
            json!("v2"),
            json!(true),
        ] {
            assert!(read(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_uris_are_percent_encoded() {
        assert_eq!(
            file_uri(Path::new("/tmp/Q3 revenue%.hex.yaml")),
            "file:///tmp/Q3%20revenue%25.hex.yaml"
        );
    }
}
