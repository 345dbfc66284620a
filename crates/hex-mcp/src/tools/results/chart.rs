//! get_hex_chart_image: a chart cell as an MCP image, from the draft notebook
//! (GetChartImageFromLogic) or from a completed run (GetChartImageFromRun).

use base64::Engine;
use hex_client::api::cells::{CHART_SIZE_RANGE, ChartImageParams};
use hex_client::{HexError, Operation};
use rmcp::model::ContentBlock;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{
    context::ToolContext,
    errors::ToolError,
    input::HexId,
    registry::{Confirm, Effect, HexTool, ToolResult, ToolSpec, Toolset},
};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

pub struct GetChartImage;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetChartImageInput {
    /// Id or static id.
    cell_id: Option<HexId>,
    project_id: Option<HexId>,
    run_id: Option<HexId>,
    static_id: Option<HexId>,
    /// Pixels, with height.
    #[schemars(range(min = 100, max = 2000))]
    width: Option<u32>,
    #[schemars(range(min = 100, max = 2000))]
    height: Option<u32>,
    include_title: Option<bool>,
}

/// Where the chart comes from.
enum Source<'a> {
    Notebook(&'a HexId),
    Run {
        project_id: &'a HexId,
        run_id: &'a HexId,
        static_id: &'a HexId,
    },
}

impl GetChartImageInput {
    /// Exactly one source, and a size given whole, checked before anything is sent.
    fn check(&self) -> Result<(Source<'_>, ChartImageParams), ToolError> {
        let source = match (
            &self.cell_id,
            &self.project_id,
            &self.run_id,
            &self.static_id,
        ) {
            (Some(cell_id), None, None, None) => Source::Notebook(cell_id),
            (None, Some(project_id), Some(run_id), Some(static_id)) => Source::Run {
                project_id,
                run_id,
                static_id,
            },
            (Some(_), ..) => {
                return Err(ToolError::input(
                    "cell_id",
                    "give cell_id alone (the notebook's chart), or project_id, run_id and static_id (a run's chart), not both",
                ));
            }
            _ => {
                return Err(ToolError::input(
                    "cell_id",
                    "give cell_id, or all of project_id, run_id and static_id",
                ));
            }
        };
        let params = ChartImageParams {
            width: self.width,
            height: self.height,
            include_title: self.include_title,
        };
        for (field, size) in [("width", self.width), ("height", self.height)] {
            if size.is_some_and(|s| !CHART_SIZE_RANGE.contains(&s)) {
                return Err(ToolError::input(
                    field,
                    "must be between 100 and 2000 pixels",
                ));
            }
        }
        if self.width.is_some() != self.height.is_some() {
            let missing = if self.width.is_some() {
                "height"
            } else {
                "width"
            };
            return Err(ToolError::input(
                missing,
                "give both width and height, or neither (Hex applies a size only when both are set)",
            ));
        }
        Ok((source, params))
    }
}

impl HexTool for GetChartImage {
    type Input = GetChartImageInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_chart_image",
        title: "Get a chart as an image",
        description: "A chart as a PNG image, from the notebook (cell_id) or a completed run (project_id, run_id, static_id).",
        toolset: Toolset::Results,
        effect: Effect::READ,
        operations: &[
            Operation::GetChartImageFromLogic,
            Operation::GetChartImageFromRun,
        ],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let (source, params) = input.check()?;
        let hex = ctx.hex()?;
        let (mut answer, base64, operation) = match source {
            Source::Notebook(cell_id) => {
                let image = hex
                    .cells()
                    .chart_image(cell_id.as_str(), &params)
                    .await
                    .map_err(|e| ToolError::from(e).about("cell", cell_id, "list_hex_cells"))?;
                let mut answer = Map::new();
                answer.insert("cellId".into(), json!(image.cell_id));
                (answer, image.image_base64, "GetChartImageFromLogic")
            }
            Source::Run {
                project_id,
                run_id,
                static_id,
            } => {
                let image = hex
                    .runs()
                    .chart_image(
                        project_id.as_str(),
                        run_id.as_str(),
                        static_id.as_str(),
                        &params,
                    )
                    .await
                    .map_err(|e| ToolError::from(e).about("run", run_id, "get_hex_project_runs"))?;
                let mut answer = Map::new();
                answer.insert("projectId".into(), json!(image.project_id));
                answer.insert("runId".into(), json!(image.run_id));
                answer.insert("staticId".into(), json!(image.static_id));
                (answer, image.image_base64, "GetChartImageFromRun")
            }
        };
        let (width, height, bytes) = check_png(&base64, operation)?;
        answer.insert("mimeType".into(), json!("image/png"));
        answer.insert("width".into(), json!(width));
        answer.insert("height".into(), json!(height));
        answer.insert("bytes".into(), json!(bytes));
        answer.insert("image".into(), json!("attached as an image content block"));
        ctx.attach(ContentBlock::image(base64, "image/png"));
        Ok(Value::Object(answer))
    }
}

/// Width, height and size of a base64 PNG, or a decode error: what is passed on as an image must
/// be one.
fn check_png(base64: &str, operation: &'static str) -> Result<(u32, u32, usize), ToolError> {
    let not_png = |message: &str| {
        ToolError::from(HexError::Decode {
            operation,
            status: 200,
            message: format!("imageBase64 {message}"),
            excerpt: base64.chars().take(24).collect(),
        })
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|_| not_png("is not valid base64"))?;
    let header = bytes
        .get(..24)
        .ok_or_else(|| not_png("is too short for a PNG"))?;
    if header.get(..8) != Some(PNG_SIGNATURE) || header.get(12..16) != Some(b"IHDR") {
        return Err(not_png("is not a PNG (no PNG signature)"));
    }
    let number = |range: std::ops::Range<usize>| {
        header
            .get(range)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_be_bytes)
    };
    Ok((number(16..20), number(20..24), bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pngs_pass() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(&[0, 0, 0, 13]);
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&360u32.to_be_bytes());
        let encoded = base64::engine::general_purpose::STANDARD.encode(&png);
        assert_eq!(check_png(&encoded, "X").unwrap(), (640, 360, 24));
        let jpeg = base64::engine::general_purpose::STANDARD.encode([0xFF, 0xD8, 0xFF, 0xE0]);
        for bad in ["not base64!", jpeg.as_str(), ""] {
            let error = check_png(bad, "GetChartImageFromLogic")
                .unwrap_err()
                .to_string();
            assert!(error.contains("imageBase64"), "{error}");
        }
    }
}
