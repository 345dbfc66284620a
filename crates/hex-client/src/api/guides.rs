//! Guides that steer Hex's agent: ListDraftGuides, UpsertGuideDraft, DeleteGuideDraft,
//! PublishGuideDrafts. Drafts change nothing an agent reads until they are published.

mod types;

pub use types::*;

use super::{MAX_PAGE_SIZE, cursor_query, walk};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};

const LIST: Op = Op::get(Operation::ListDraftGuides);
// A PUT keyed by file path: repeating it writes the same drafts.
const UPSERT: Op = Op::new(Operation::UpsertGuideDraft, Repeat::Safe);
// A repeated delete cannot delete anything else.
const DELETE: Op = Op::new(Operation::DeleteGuideDraft, Repeat::Safe);
// A repeat after a lost answer would find no drafts left and fail misleadingly: sent once.
const PUBLISH: Op = Op::new(Operation::PublishGuideDrafts, Repeat::Never);

/// Guides operations; get one with [`HexClient::guides`].
#[derive(Debug, Clone, Copy)]
pub struct Guides<'a> {
    pub(crate) client: &'a HexClient,
}

impl Guides<'_> {
    /// ListDraftGuides: one page of the guides that have a draft.
    pub async fn list(&self, params: &ListDraftGuidesParams) -> Result<Page<GuideFile>, HexError> {
        let source = params
            .external_source
            .as_ref()
            .map(serde_json::Value::to_string);
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?
        .opt("externalSource", source);
        self.client
            .send_json(&LIST, Call::at(&["guides", "draft", "list"]).query(query))
            .await
    }

    /// ListDraftGuides: every page, lazily, within `caps`.
    pub fn pages(&self, params: ListDraftGuidesParams, caps: PageCaps) -> Paginator<GuideFile> {
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            |client, params| async move { client.guides().list(&params).await },
        )
    }

    /// UpsertGuideDraft: per file, creates the guide, or its draft, or updates the draft.
    pub async fn upsert(
        &self,
        request: &UpsertGuideDraftRequest,
    ) -> Result<UpsertGuideDraftResponse, HexError> {
        check_drafts(&request.files)?;
        self.client
            .send_json(&UPSERT, Call::at(&["guides", "draft"]).json(request)?)
            .await
    }

    /// DeleteGuideDraft (204).
    pub async fn delete(&self, org_guide_file_id: &str) -> Result<(), HexError> {
        let call = Call::at(&["guides", "draft", id("orgGuideFileId", org_guide_file_id)?]);
        self.client.send_empty(&DELETE, call).await
    }

    /// PublishGuideDrafts: the drafts become what every user's agent reads. Never retried.
    pub async fn publish(
        &self,
        request: &PublishGuideDraftsRequest,
    ) -> Result<PublishGuideDraftsResponse, HexError> {
        let all = request.publish_all_draft_guides == Some(true);
        let ids = request.org_guide_file_ids.as_deref().unwrap_or_default();
        if !all && ids.is_empty() {
            return Err(HexError::invalid_input(
                "nothing to publish: give orgGuideFileIds or publishAllDraftGuides: true",
            ));
        }
        for guide in ids {
            id("orgGuideFileIds[]", guide)?;
        }
        self.client
            .send_json(&PUBLISH, Call::at(&["guides", "publish"]).json(request)?)
            .await
    }
}

/// Hex's limits on drafts, checked before sending: at least one file, a path each, contents of
/// at most [`MAX_GUIDE_CHARS`] characters.
fn check_drafts(files: &[GuideDraft]) -> Result<(), HexError> {
    if files.is_empty() {
        return Err(HexError::invalid_input(
            "nothing to write: give at least one file",
        ));
    }
    for (index, file) in files.iter().enumerate() {
        if file.file_path.trim().is_empty() {
            return Err(HexError::invalid_input(format!(
                "files[{index}].filePath must not be empty"
            )));
        }
        let chars = file.contents.chars().count();
        if chars > MAX_GUIDE_CHARS {
            return Err(HexError::invalid_input(format!(
                "files[{index}].contents has {chars} characters; Hex accepts at most {MAX_GUIDE_CHARS}"
            )));
        }
    }
    Ok(())
}
