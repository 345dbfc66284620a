//! Types of the guides operations, re-exported by `api::guides`.

use serde::{Deserialize, Serialize};

use crate::api::cursor_params;
use crate::wire::Extra;

/// Longest guide Hex accepts, in characters.
pub const MAX_GUIDE_CHARS: usize = 100_000;

/// Where a guide is synced from (`ExternalSource`), e.g. a file in a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum ExternalSource {
    /// `{source: "unknown", id?}`.
    Unknown {
        /// An identifier of the source, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// `{source: "github", owner, repo, base?, branch, commitHash, path}`.
    #[serde(rename_all = "camelCase")]
    Github {
        /// Repository owner.
        owner: String,
        /// Repository name.
        repo: String,
        /// `https://github.com` unless self-hosted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        base: Option<String>,
        /// Branch the file was read from.
        branch: String,
        /// Commit the file was read at.
        commit_hash: String,
        /// The file's path in the repository.
        path: String,
    },
}

/// ListDraftGuides' query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListDraftGuidesParams {
    /// Items per page (1..=100; Hex's default is 100).
    pub limit: Option<u32>,
    /// Cursor from a previous page's `pagination.after`.
    pub after: Option<String>,
    /// Cursor from a previous page's `pagination.before`.
    pub before: Option<String>,
    /// Only guides synced from this source (sent as URI-encoded JSON; Hex matches on the
    /// fields given, e.g. `{source, owner, repo}`).
    pub external_source: Option<serde_json::Value>,
}

cursor_params!(ListDraftGuidesParams);

/// A guide file: `{id, filePath}` (list items, upserted and published guides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuideFile {
    /// The guide's id (`orgGuideFileId`).
    pub id: String,
    /// Its path, e.g. `sales/definitions.md`.
    pub file_path: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One file of an UpsertGuideDraft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuideDraft {
    /// The guide's path; a guide with this path is created or its draft updated.
    pub file_path: String,
    /// Markdown, at most [`MAX_GUIDE_CHARS`] characters.
    pub contents: String,
    /// Where the file comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_source: Option<ExternalSource>,
}

/// UpsertGuideDraft's body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpsertGuideDraftRequest {
    /// The files to write.
    pub files: Vec<GuideDraft>,
    /// Overwrite same-named guides synced from another source (Hex's default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_write: Option<bool>,
}

/// A file Hex did not write as asked, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuideWarning {
    /// The file's path.
    #[serde(default)]
    pub file_path: String,
    /// What happened.
    #[serde(default)]
    pub message: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// UpsertGuideDraft's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpsertGuideDraftResponse {
    /// The drafts written.
    #[serde(default)]
    pub files: Vec<GuideFile>,
    /// Files not written as asked.
    #[serde(default)]
    pub warnings: Vec<GuideWarning>,
    /// Hex's trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// PublishGuideDrafts' body: some drafts by id, or all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishGuideDraftsRequest {
    /// The guides whose drafts to publish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_guide_file_ids: Option<Vec<String>>,
    /// Publish every draft (the ids are then ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_all_draft_guides: Option<bool>,
}

impl PublishGuideDraftsRequest {
    /// Publish these guides' drafts.
    pub fn ids<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        PublishGuideDraftsRequest {
            org_guide_file_ids: Some(ids.into_iter().map(Into::into).collect()),
            publish_all_draft_guides: None,
        }
    }

    /// Publish every draft guide.
    pub fn all() -> Self {
        PublishGuideDraftsRequest {
            org_guide_file_ids: None,
            publish_all_draft_guides: Some(true),
        }
    }
}

/// PublishGuideDrafts' answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishGuideDraftsResponse {
    /// Hex's summary.
    #[serde(default)]
    pub message: String,
    /// The guides published.
    #[serde(default)]
    pub published_guides: Vec<GuideFile>,
    /// Hex's trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
