//! Guides that steer Hex's agent (toolset `guides`): list and write drafts, delete a draft, and
//! publish drafts. Drafts change nothing an agent reads; publishing does, for every user of the
//! workspace, so it is confirmed like other risky changes.

use hex_client::Operation;
use hex_client::api::guides::{
    ExternalSource, GuideDraft, ListDraftGuidesParams, MAX_GUIDE_CHARS, PublishGuideDraftsRequest,
    UpsertGuideDraftRequest,
};
use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde_json::json;

use super::{common::page_output, vocab::MAX_PAGE_SIZE};
use crate::subject::Subject;
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<ListGuideDrafts>(),
        RegisteredTool::of::<UpsertGuideDraft>(),
        RegisteredTool::of::<DeleteGuideDraft>(),
        RegisteredTool::of::<PublishGuideDrafts>(),
    ]
}

/// The tool that finds guide ids, for 404 hints.
const FINDER: &str = "list_hex_guide_drafts";

/// Most files one upsert writes (Hex states none; 20 keeps a request of full-size guides small).
const MAX_FILES: usize = 20;

// ---------------------------------------------------------------------------------------------

pub struct ListGuideDrafts;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListGuideDraftsInput {
    /// Default 100.
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
}

impl HexTool for ListGuideDrafts {
    type Input = ListGuideDraftsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_guide_drafts",
        title: "List draft guides",
        description: "List guides with an unpublished draft (id, filePath). Page with pagination.after.",
        toolset: Toolset::Guides,
        effect: Effect::READ,
        operations: &[Operation::ListDraftGuides],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = ListDraftGuidesParams {
            limit: Some(input.limit.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)),
            after: input.after,
            before: input.before,
            external_source: None,
        };
        let page = ctx.hex()?.guides().list(&params).await?;
        page_output(page, |guide| guide)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpsertGuideDraft;

input_enum!(
    /// `ExternalSource.source`.
    SourceKind { Github = "github", Unknown = "unknown" }
);

/// Where a file comes from. Parsed strictly; its schema is one line of description (the eight
/// typed properties would cost every session's context ~250 bytes for a rarely used argument).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    source: SourceKind,
    owner: Option<String>,
    repo: Option<String>,
    branch: Option<String>,
    commit_hash: Option<String>,
    path: Option<String>,
    base: Option<String>,
    id: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuideFileInput {
    file_path: String,
    /// Markdown, ≤100000 chars.
    contents: String,
    external_source: Option<SourceInput>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpsertGuideDraftInput {
    #[schemars(length(max = 20))]
    files: Vec<GuideFileInput>,
    /// Overwrite guides from another source.
    force_write: Option<bool>,
}

impl JsonSchema for SourceInput {
    fn schema_name() -> Cow<'static, str> {
        "ExternalSource".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "{source: github, owner, repo, branch, commit_hash, path, base?} or {source: unknown, id?}"
        })
    }
}

impl SourceInput {
    fn to_source(&self, field: &str) -> Result<ExternalSource, ToolError> {
        if self.source == SourceKind::Unknown {
            return Ok(ExternalSource::Unknown {
                id: self.id.clone(),
            });
        }
        let required = |name: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| {
                    ToolError::input(format!("{field}.{name}"), "required for a github source")
                })
        };
        Ok(ExternalSource::Github {
            owner: required("owner", &self.owner)?,
            repo: required("repo", &self.repo)?,
            base: self.base.clone(),
            branch: required("branch", &self.branch)?,
            commit_hash: required("commit_hash", &self.commit_hash)?,
            path: required("path", &self.path)?,
        })
    }
}

impl UpsertGuideDraftInput {
    fn request(&self) -> Result<UpsertGuideDraftRequest, ToolError> {
        if self.files.is_empty() || self.files.len() > MAX_FILES {
            return Err(ToolError::input(
                "files",
                format!("give 1 to {MAX_FILES} files per call"),
            ));
        }
        let mut files = Vec::with_capacity(self.files.len());
        for (index, file) in self.files.iter().enumerate() {
            files.push(file.draft(index)?);
        }
        Ok(UpsertGuideDraftRequest {
            files,
            force_write: self.force_write,
        })
    }
}

impl GuideFileInput {
    fn draft(&self, index: usize) -> Result<GuideDraft, ToolError> {
        if self.file_path.trim().is_empty() {
            return Err(ToolError::input(
                format!("files[{index}].file_path"),
                "must not be empty",
            ));
        }
        let chars = self.contents.chars().count();
        if chars > MAX_GUIDE_CHARS {
            return Err(ToolError::input(
                format!("files[{index}].contents"),
                format!("{chars} characters; Hex accepts at most {MAX_GUIDE_CHARS}"),
            ));
        }
        let external_source = self
            .external_source
            .as_ref()
            .map(|source| source.to_source(&format!("files[{index}].external_source")))
            .transpose()?;
        Ok(GuideDraft {
            file_path: self.file_path.clone(),
            contents: self.contents.clone(),
            external_source,
        })
    }
}

impl HexTool for UpsertGuideDraft {
    type Input = UpsertGuideDraftInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "upsert_hex_guide_draft",
        title: "Write guide drafts",
        description: "Create or update guide drafts by path; agents read them once published. warnings: files not written.",
        toolset: Toolset::Guides,
        effect: Effect::OVERWRITE,
        operations: &[Operation::UpsertGuideDraft],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let request = input.request()?;
        let answer = ctx.hex()?.guides().upsert(&request).await?;
        Ok(json!({"files": to_output(&answer.files)?, "warnings": to_output(&answer.warnings)?}))
    }
}

// ---------------------------------------------------------------------------------------------

pub struct DeleteGuideDraft;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteGuideDraftInput {
    guide_id: HexId,
}

impl HexTool for DeleteGuideDraft {
    type Input = DeleteGuideDraftInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "delete_hex_guide_draft",
        title: "Delete a guide draft",
        description: "Discard a guide's draft; a published version stays. Asks for confirmation.",
        toolset: Toolset::Guides,
        effect: Effect::DELETE,
        operations: &[Operation::DeleteGuideDraft],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::Guide(input.guide_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        Some(format!(
            "Delete the draft of guide {}: its unpublished text is lost (a guide never published disappears). This cannot be undone.",
            input.guide_id
        ))
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        ctx.hex()?
            .guides()
            .delete(input.guide_id.as_str())
            .await
            .map_err(|error| {
                ToolError::from(error).about("draft guide", &input.guide_id, FINDER)
            })?;
        Ok(json!({"deleted": true, "guideId": input.guide_id}))
    }
}

// ---------------------------------------------------------------------------------------------

pub struct PublishGuideDrafts;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishGuideDraftsInput {
    guide_ids: Option<Vec<HexId>>,
    /// Every draft instead.
    all: Option<bool>,
}

impl PublishGuideDraftsInput {
    fn request(&self) -> Result<PublishGuideDraftsRequest, ToolError> {
        let ids = self.guide_ids.as_deref().unwrap_or_default();
        match (self.all == Some(true), ids.is_empty()) {
            (true, true) => Ok(PublishGuideDraftsRequest::all()),
            (false, false) => Ok(PublishGuideDraftsRequest::ids(
                ids.iter().map(HexId::to_string),
            )),
            (true, false) => Err(ToolError::input(
                "all",
                "give guide_ids or all: true, not both",
            )),
            (false, true) => Err(ToolError::input(
                "guide_ids",
                "give the guides to publish (ids from list_hex_guide_drafts) or all: true",
            )),
        }
    }
}

impl HexTool for PublishGuideDrafts {
    type Input = PublishGuideDraftsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "publish_hex_guide_drafts",
        title: "Publish guide drafts",
        description: "Publish guide drafts (ids or all): every user's Hex agent then reads them. Asks for confirmation.",
        toolset: Toolset::Guides,
        effect: Effect::OVERWRITE,
        operations: &[Operation::PublishGuideDrafts],
        confirm: Confirm::WhenRisky,
    };

    /// Arguments that cannot be sent need no confirmation: the call refuses them.
    fn risk(input: &Self::Input) -> Option<String> {
        let request = input.request().ok()?;
        let what = match request.org_guide_file_ids {
            Some(ids) => format!("the drafts of guides {}", ids.join(", ")),
            None => "every draft guide of the workspace".to_owned(),
        };
        Some(format!(
            "Publish {what}: they replace the published guides, and every user's Hex agent reads them from then on."
        ))
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let request = input.request()?;
        let answer = ctx.hex()?.guides().publish(&request).await?;
        Ok(json!({
            "message": answer.message,
            "publishedGuides": to_output(&answer.published_guides)?,
        }))
    }
}
