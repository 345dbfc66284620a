//! Guides that steer Hex's agent: ListDraftGuides, UpsertGuideDraft, DeleteGuideDraft, PublishGuideDrafts.

use crate::client::HexClient;

/// Guides operations; get one with [`HexClient::guides`].
#[derive(Debug, Clone, Copy)]
pub struct Guides<'a> {
    #[allow(dead_code)]
    pub(crate) client: &'a HexClient,
}
