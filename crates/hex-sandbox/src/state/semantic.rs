//! Semantic projects: their datasets and views, with statuses, and past ingests.

use super::Workspace;
use crate::seed::Rng;

/// The workspace's semantic.
#[derive(Default)]
pub(crate) struct SemanticStore {}

/// Seeds this area after the rest of the workspace, from its own random stream (so the ids of
/// everything seeded before stay the same).
pub(crate) fn seed(_ws: &mut Workspace, _rng: &mut Rng) {}
