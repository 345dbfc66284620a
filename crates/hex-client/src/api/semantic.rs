//! Semantic projects: IngestSemanticProject, UpdateSemanticProject.

use crate::client::HexClient;

/// Semantic operations; get one with [`HexClient::semantic`].
#[derive(Debug, Clone, Copy)]
pub struct Semantic<'a> {
    #[allow(dead_code)]
    pub(crate) client: &'a HexClient,
}
