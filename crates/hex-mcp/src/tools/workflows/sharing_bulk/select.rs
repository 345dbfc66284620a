//! Which projects a bulk change is about, and what each of its principals has on them now: one
//! walk of ListProjects with `includeSharing` (Hex states no rate limit for it, so a
//! 500-project selection costs five unpaced pages, not 500 paced GetProject calls).

use std::collections::HashSet;

use hex_client::{
    SkippedItem,
    api::{
        projects::{ListProjectsParams, Project},
        sharing::AccessLevel,
    },
};

use super::targets::Target;
use crate::{context::ToolContext, errors::ToolError, input::HexId, tools::common::SkippedInWalk};

/// The most projects one change takes: its preview, token and results stay bounded.
pub const MAX_SELECTED: usize = 5_000;

/// How the projects are chosen.
pub enum Choose<'a> {
    Ids(&'a [HexId]),
    Filters(Box<ListProjectsParams>),
}

/// A selected project and, per target, its principal's access now (`None`: Hex sent no sharing
/// for it, so it cannot be known and is treated as needing the change).
pub struct Seen {
    pub id: String,
    pub title: String,
    pub from: Vec<Option<AccessLevel>>,
}

/// What the walk found.
pub struct Walked {
    pub projects: Vec<Seen>,
    /// Ids asked for that no page held.
    pub missing: Vec<String>,
    /// Why the selection may be incomplete, when it may.
    pub incomplete: Option<String>,
    pub skipped: Vec<SkippedItem>,
}

pub async fn walk(
    ctx: &ToolContext,
    choose: Choose<'_>,
    targets: &[Target],
) -> Result<Walked, ToolError> {
    let (params, mut wanted) = match choose {
        Choose::Ids(ids) => {
            let params = ListProjectsParams {
                include_archived: true,
                include_components: true,
                include_trashed: true,
                ..ListProjectsParams::default()
            };
            let wanted: HashSet<String> = ids.iter().map(HexId::to_string).collect();
            (params, Some(wanted))
        }
        Choose::Filters(params) => (*params, None),
    };
    let params = ListProjectsParams {
        include_sharing: true,
        limit: Some(hex_client::api::MAX_PAGE_SIZE),
        ..params
    };
    let mut pages = ctx
        .hex()?
        .projects()
        .pages(params, ctx.limits().search_caps());
    let mut walked = Walked {
        projects: Vec::new(),
        missing: Vec::new(),
        incomplete: None,
        skipped: Vec::new(),
    };
    let mut skipped = SkippedInWalk::default();
    while let Some(page) = pages.next_page().await {
        let page = page?;
        skipped.page(&page);
        for project in page.values {
            if let Some(wanted) = wanted.as_mut()
                && !wanted.remove(&project.id.to_ascii_lowercase())
            {
                continue;
            }
            walked.projects.push(seen(project, targets));
        }
        if walked.projects.len() > MAX_SELECTED {
            walked.incomplete = Some(format!(
                "more than {MAX_SELECTED} projects match: narrow the filters"
            ));
            break;
        }
        if wanted.as_ref().is_some_and(HashSet::is_empty) {
            break;
        }
    }
    if walked.incomplete.is_none()
        && let Some(reason) = pages.stop_reason().filter(|reason| reason.is_partial())
    {
        walked.incomplete = Some(format!(
            "the walk over the projects stopped early ({reason:?}) after {} of them: narrow the filters",
            pages.items_fetched()
        ));
    }
    walked.missing = wanted.into_iter().flatten().collect();
    walked.missing.sort();
    walked.skipped = skipped.items().to_vec();
    Ok(walked)
}

fn seen(project: Project, targets: &[Target]) -> Seen {
    let from = targets
        .iter()
        .map(|target| {
            project
                .sharing
                .as_ref()
                .map(|sharing| target.current(sharing))
        })
        .collect();
    Seen {
        id: project.id,
        title: project.title,
        from,
    }
}
