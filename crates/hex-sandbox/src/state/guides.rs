//! Guides for Hex's agent: drafts and published versions.

use super::Workspace;
use crate::seed::Rng;

/// The workspace's guides.
#[derive(Default)]
pub(crate) struct GuideStore {}

/// Seeds this area after the rest of the workspace, from its own random stream (so the ids of
/// everything seeded before stay the same).
pub(crate) fn seed(_ws: &mut Workspace, _rng: &mut Rng) {}
