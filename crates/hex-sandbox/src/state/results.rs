//! Query results and charts: the latest output of SQL cells and the images of chart cells.

use super::Workspace;
use crate::seed::Rng;

/// The workspace's results.
#[derive(Default)]
pub(crate) struct ResultStore {}

/// Seeds this area after the rest of the workspace, from its own random stream (so the ids of
/// everything seeded before stay the same).
pub(crate) fn seed(_ws: &mut Workspace, _rng: &mut Rng) {}
