//! Embedding a published app: CreatePresignedUrl.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::transport::{Call, Op, id};
use crate::wire::{Extra, wire_enum};

// Each call signs a new single-use URL: never repeated.
const PRESIGN: Op = Op::create(Operation::CreatePresignedUrl);

/// The longest a presigned URL may live: 300 s, in milliseconds as `expiresIn` counts.
pub const MAX_EXPIRES_IN_MS: u64 = 300_000;

wire_enum! {
    /// What the embedded app lets its viewer export.
    EmbedScope { ExportPdf = "EXPORT_PDF", ExportCsv = "EXPORT_CSV" }
}

wire_enum! {
    /// `displayOptions.theme`.
    EmbedTheme { Light = "light", Dark = "dark" }
}

/// Embedding operations; get one with [`HexClient::embedding`].
#[derive(Debug, Clone, Copy)]
pub struct Embedding<'a> {
    pub(crate) client: &'a HexClient,
}

/// CreatePresignedUrl body (`EmbeddingRequest`); every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PresignedUrlRequest {
    /// Values for `hex_user_attributes` in the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex_user_attributes: Option<BTreeMap<String, String>>,
    /// Exports the viewer may make.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<EmbedScope>>,
    /// Default input values, keyed by input name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_parameters: Option<Map<String, Value>>,
    /// Lifetime in milliseconds (Hex's default 15,000; at most 300,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// How the embedded app looks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_options: Option<DisplayOptions>,
    /// Does not run the app and does not count toward rate limits or embedding usage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_mode: Option<bool>,
}

/// `displayOptions` (Hex allows keys beyond these).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisplayOptions {
    /// Light or dark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<EmbedTheme>,
    /// Show the run button.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_embedded_run_button: Option<bool>,
    /// No padding above the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_embed_header_padding: Option<bool>,
    /// No padding around the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_embed_base_padding: Option<bool>,
    /// No outline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_embed_outline: Option<bool>,
    /// No footer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_embed_footer: Option<bool>,
    /// Other display options, passed as given.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CreatePresignedUrl's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignedUrl {
    /// The signed, single-use URL.
    pub url: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Embedding<'_> {
    /// CreatePresignedUrl: a single-use URL that embeds the project's published app. Never
    /// retried; `expires_in` above 300,000 ms is refused before sending.
    pub async fn create_presigned_url(
        &self,
        project_id: &str,
        request: &PresignedUrlRequest,
    ) -> Result<PresignedUrl, HexError> {
        if let Some(ms) = request.expires_in
            && (ms == 0 || ms > MAX_EXPIRES_IN_MS)
        {
            return Err(HexError::invalid_input(format!(
                "expiresIn must be between 1 and {MAX_EXPIRES_IN_MS} ms (Hex allows at most 300 s; got {ms})"
            )));
        }
        let call = Call::at(&[
            "embedding",
            "createPresignedUrl",
            id("projectId", project_id)?,
        ])
        .json(request)?;
        self.client.send_json(&PRESIGN, call).await
    }
}
