//! Hex's agent: CreateThread, ContinueThread, GetThread, ListThreads, GetThreadMessages, ListTopics.

use crate::client::HexClient;

/// Threads operations; get one with [`HexClient::threads`].
#[derive(Debug, Clone, Copy)]
pub struct Threads<'a> {
    #[allow(dead_code)]
    pub(crate) client: &'a HexClient,
}
