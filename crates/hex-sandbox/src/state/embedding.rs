//! Embedding: the presigned URLs issued for published apps.

use uuid::Uuid;

use super::SandboxState;

/// One URL CreatePresignedUrl issued.
pub(crate) struct IssuedUrl {
    pub(crate) project_id: Uuid,
    pub(crate) url: String,
    pub(crate) expires_in_ms: u64,
    pub(crate) test_mode: bool,
}

/// The workspace's issued URLs, oldest first.
#[derive(Default)]
pub(crate) struct EmbeddingStore {
    pub(crate) issued: Vec<IssuedUrl>,
}

impl SandboxState {
    /// Every presigned URL issued, oldest first: (project id, url, expiresIn in ms, test mode).
    pub fn presigned_urls(&self) -> Vec<(String, String, u64, bool)> {
        let ws = self.shared.read();
        ws.embedding
            .issued
            .iter()
            .map(|issued| {
                (
                    issued.project_id.to_string(),
                    issued.url.clone(),
                    issued.expires_in_ms,
                    issued.test_mode,
                )
            })
            .collect()
    }
}
