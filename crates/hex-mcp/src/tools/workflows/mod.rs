//! Workflows: multi-step jobs an agent would otherwise replay call by call (resolve what a person
//! pasted, find and replace code across notebooks, bulk sharing, access audits, scheduled-run
//! checks), each bounded, paced inside Hex's limits and, where it changes anything, previewed
//! first. Not in the default toolsets: the default catalog's byte budget is spent on the Python
//! server's tools.

use crate::registry::RegisteredTool;

mod access_audit;
mod budget;
mod cell_replace;
mod cell_search;
mod resolve;
mod scheduled_runs;
mod sharing_bulk;

pub fn tools() -> Vec<RegisteredTool> {
    let parts: [fn() -> Vec<RegisteredTool>; 6] = [
        resolve::tools,
        cell_search::tools,
        cell_replace::tools,
        sharing_bulk::tools,
        access_audit::tools,
        scheduled_runs::tools,
    ];
    parts.iter().flat_map(|part| part()).collect()
}
