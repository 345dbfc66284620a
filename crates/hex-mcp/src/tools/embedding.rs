//! Embedding (toolset `embedding`): signed URLs that embed a published app.

use std::collections::BTreeMap;

use hex_client::Operation;
use hex_client::api::embedding::{
    DisplayOptions, EmbedScope, EmbedTheme, MAX_EXPIRES_IN_MS, PresignedUrlRequest,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, input_enum},
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![RegisteredTool::of::<CreatePresignedUrl>()]
}

input_enum!(
    /// What the viewer may export.
    Scope: hex_client::api::embedding::EmbedScope { ExportPdf, ExportCsv }
);

input_enum!(
    /// `displayOptions`, as flags.
    Display {
        Dark = "dark",
        Light = "light",
        RunButton = "run_button",
        NoPadding = "no_padding",
        NoOutline = "no_outline",
        NoFooter = "no_footer",
    }
);

pub struct CreatePresignedUrl;

/// Input values keyed by input name, any JSON value.
fn object_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "object"})
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePresignedUrlInput {
    project_id: HexId,
    /// Default 15, max 300.
    expires_in_seconds: Option<f64>,
    scope: Option<Vec<Scope>>,
    user_attributes: Option<BTreeMap<String, String>>,
    #[serde(default)]
    #[schemars(schema_with = "object_schema")]
    input_parameters: Option<Map<String, Value>>,
    display: Option<Vec<Display>>,
    /// Dry run, not counted.
    test_mode: Option<bool>,
}

impl CreatePresignedUrlInput {
    fn request(&self) -> Result<PresignedUrlRequest, ToolError> {
        let expires_in = self
            .expires_in_seconds
            .map(|seconds| {
                let ms = (seconds * 1000.0).round();
                if seconds.is_finite() && ms >= 1.0 && ms <= MAX_EXPIRES_IN_MS as f64 {
                    // Within 1..=300,000, so the cast is exact.
                    Ok(ms as u64)
                } else {
                    Err(ToolError::input(
                        "expires_in_seconds",
                        "must be above 0 and at most 300 (Hex's limit for presigned URLs)",
                    ))
                }
            })
            .transpose()?;
        Ok(PresignedUrlRequest {
            hex_user_attributes: self.user_attributes.clone(),
            scope: self
                .scope
                .as_ref()
                .map(|scope| scope.iter().map(|s| EmbedScope::from(*s)).collect()),
            input_parameters: self.input_parameters.clone(),
            expires_in,
            display_options: self.display.as_deref().map(display_options).transpose()?,
            test_mode: self.test_mode,
        })
    }
}

fn display_options(flags: &[Display]) -> Result<DisplayOptions, ToolError> {
    let has = |flag: Display| flags.contains(&flag);
    let theme = match (has(Display::Dark), has(Display::Light)) {
        (true, true) => {
            return Err(ToolError::input(
                "display",
                "choose dark or light, not both",
            ));
        }
        (true, false) => Some(EmbedTheme::Dark),
        (false, true) => Some(EmbedTheme::Light),
        (false, false) => None,
    };
    let flag = |flag: Display| has(flag).then_some(true);
    Ok(DisplayOptions {
        theme,
        show_embedded_run_button: flag(Display::RunButton),
        no_embed_header_padding: flag(Display::NoPadding),
        no_embed_base_padding: flag(Display::NoPadding),
        no_embed_outline: flag(Display::NoOutline),
        no_embed_footer: flag(Display::NoFooter),
        ..DisplayOptions::default()
    })
}

impl HexTool for CreatePresignedUrl {
    type Input = CreatePresignedUrlInput;

    // Not risky enough to confirm: the URL opens the app once, within at most 5 minutes, with
    // the access the token already has.
    const SPEC: ToolSpec = ToolSpec {
        name: "create_hex_presigned_url",
        title: "Embed URL",
        description: "Single-use URL that embeds a published app.",
        toolset: Toolset::Embedding,
        effect: Effect::CREATE,
        operations: &[Operation::CreatePresignedUrl],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let request = input.request()?;
        let url = ctx
            .hex()?
            .embedding()
            .create_presigned_url(input.project_id.as_str(), &request)
            .await
            .map_err(|error| {
                ToolError::from(error).about("project", &input.project_id, "search_hex_projects")
            })?;
        let seconds = request.expires_in.map_or(15.0, |ms| ms as f64 / 1000.0);
        Ok(json!({
            "url": url.url,
            "expiresInSeconds": seconds,
            "singleUse": true,
            "testMode": request.test_mode.unwrap_or(false),
        }))
    }
}
