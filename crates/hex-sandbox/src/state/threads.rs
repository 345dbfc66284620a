//! Hex's agent: threads (their life RUNNING → IDLE, messages) and topics.

use super::Workspace;
use crate::seed::Rng;

/// The workspace's threads.
#[derive(Default)]
pub(crate) struct ThreadStore {}

/// Seeds this area after the rest of the workspace, from its own random stream (so the ids of
/// everything seeded before stay the same).
pub(crate) fn seed(_ws: &mut Workspace, _rng: &mut Rng) {}
