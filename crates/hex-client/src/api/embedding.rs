//! Embedding a published app: CreatePresignedUrl.

use crate::client::HexClient;

/// Embedding operations; get one with [`HexClient::embedding`].
#[derive(Debug, Clone, Copy)]
pub struct Embedding<'a> {
    #[allow(dead_code)]
    pub(crate) client: &'a HexClient,
}
