//! The walk over notebooks: the projects of the scope (ListProjects), then each project's cells
//! page by page to the end (ListCells, 100 a page: a notebook is never cut short), each page
//! examined off the I/O threads. It stops at the caller's result cap or the call's budget and
//! says where to go on.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use hex_client::{
    HexClient, HexError, SkippedItem,
    api::{
        cells::{Cell, CellType, ListCellsParams},
        projects::ListProjectsParams,
    },
};

use super::{
    budget::{Budget, Halt},
    cursor::Position,
    selection::{Scope, Selection},
};
use crate::{context::ToolContext, errors::ToolError, tools::vocab::MAX_PAGE_SIZE};

/// Projects listed up front to say how long the walk takes (2,000): beyond, the estimate is a
/// lower bound and the listing goes on in the next call.
const LISTING_PAGES: u32 = 20;

/// The most projects Hex refused to show, and cells that could not be read, an answer names
/// one by one.
const MAX_UNREADABLE: usize = 20;

/// What the walk keeps of a cell it examined and selected.
pub type Examine<T> = Arc<dyn Fn(&Cell) -> Option<T> + Send + Sync>;

/// A project of the walk.
#[derive(Debug)]
pub struct ProjectRef {
    pub id: String,
    pub title: Option<String>,
    /// Where this project starts in the listing.
    at: Position,
}

/// A selected cell.
pub struct Found<T> {
    pub project: Arc<ProjectRef>,
    pub cell_id: String,
    pub label: Option<String>,
    pub cell_type: CellType,
    pub item: T,
}

/// Why a walk stopped before its end, and where to go on.
pub struct Stopped {
    pub why: String,
    pub next: Position,
    /// When going on makes sense (Hex's rate limit), if not now.
    pub retry_in: Option<std::time::Duration>,
    /// Whether the result cap (rather than the budget) stopped it.
    pub full: bool,
}

/// What a walk found and how far it went.
pub struct Walked<T> {
    pub found: Vec<Found<T>>,
    /// Projects walked to their last cell.
    pub projects_done: usize,
    pub cells_examined: usize,
    /// Projects of the scope listed from the start position (a lower bound when
    /// `listing_complete` is false).
    pub projects_listed: usize,
    pub listing_complete: bool,
    /// ListCells pages per project, for a later re-read of the same cells.
    pub pages: HashMap<String, u32>,
    /// Projects Hex refused to list the cells of (4xx), with why.
    pub unreadable: Vec<(String, String)>,
    pub unreadable_total: usize,
    /// Cells Hex sent that could not be read (so could not be searched), with their project.
    pub skipped: Vec<(String, SkippedItem)>,
    pub skipped_total: usize,
    pub stopped: Option<Stopped>,
}

/// Walks `selection` from `start`, keeping up to `max_found` cells `examine` selects. Fails
/// only when the very first request does (nothing to show), or when the one project asked for
/// cannot be read.
pub async fn walk<T: Send + 'static>(
    ctx: &ToolContext,
    selection: &Selection,
    start: Position,
    max_found: usize,
    examine: Examine<T>,
) -> Result<Walked<T>, ToolError> {
    let hex = ctx.hex()?;
    let mut budget = Budget::of(ctx);
    let listing = list_projects(hex, &mut budget, &selection.scope, &start).await?;
    let total = listing.projects.len();
    let walked = Walked {
        found: Vec::new(),
        projects_done: 0,
        cells_examined: 0,
        projects_listed: total,
        listing_complete: listing.rest.is_none(),
        pages: HashMap::new(),
        unreadable: Vec::new(),
        unreadable_total: 0,
        skipped: Vec::new(),
        skipped_total: 0,
        stopped: None,
    };
    announce(ctx, &walked).await;
    let mut walker = Walker {
        hex,
        budget,
        selection,
        max_found,
        examine,
        walked,
    };
    for (index, project) in listing.projects.into_iter().enumerate() {
        let project = Arc::new(project);
        // A cursor's place in a notebook belongs to that notebook only (the project may have
        // gone since, and the listing moved on to the next one).
        let resume = (index == 0 && start.cells_of.as_deref().is_none_or(|id| id == project.id))
            .then_some(&start);
        if let Some(stopped) = walker.project(&project, resume).await? {
            walker.walked.stopped = Some(stopped);
            return Ok(walker.walked);
        }
        walker.walked.projects_done += 1;
        let done = walker.walked.projects_done;
        ctx.progress(
            done as f64,
            Some(total as f64),
            format!("searched {done} of {total} projects"),
        )
        .await;
    }
    let mut walked = walker.walked;
    walked.stopped = listing.rest.map(|(next, why)| Stopped {
        why,
        next,
        retry_in: None,
        full: false,
    });
    Ok(walked)
}

/// Says up front, as a progress message, how long the walk will take.
async fn announce<T>(ctx: &ToolContext, walked: &Walked<T>) {
    let limits = ctx.hex().map(HexClient::rate_limits);
    let Ok(limits) = limits else { return };
    let projects = walked.projects_listed;
    let more = if walked.listing_complete {
        ""
    } else {
        " at least"
    };
    let message = match super::budget::seconds_for(limits, projects) {
        Some(seconds) => format!(
            "searching{more} {projects} projects: at least {projects} cell requests at Hex's {}, about {seconds} s",
            super::budget::cell_rate(limits)
        ),
        None => format!("searching{more} {projects} projects"),
    };
    ctx.progress(0.0, Some(projects as f64), message).await;
}

struct Listing {
    projects: Vec<ProjectRef>,
    /// Where the listing stopped early, and why.
    rest: Option<(Position, String)>,
}

async fn list_projects(
    hex: &HexClient,
    budget: &mut Budget<'_>,
    scope: &Scope,
    start: &Position,
) -> Result<Listing, ToolError> {
    let collection_id = match scope {
        Scope::Project(id) => {
            let project = ProjectRef {
                id: id.to_string(),
                title: None,
                at: Position::default(),
            };
            return Ok(Listing {
                projects: vec![project],
                rest: None,
            });
        }
        Scope::Collection(id) => Some(id.to_string()),
        Scope::Workspace => None,
    };
    let mut projects = Vec::new();
    let mut after = start.projects_after.clone();
    let mut skip = start.project_skip;
    for page_number in 0..LISTING_PAGES {
        let params = ListProjectsParams {
            limit: Some(MAX_PAGE_SIZE),
            after: after.clone(),
            collection_id: collection_id.clone(),
            ..ListProjectsParams::default()
        };
        let page = match budget
            .send(|| async { hex.projects().list(&params).await })
            .await
        {
            Ok(page) => page,
            Err(Halt::Failed(error)) if page_number == 0 => {
                return Err(listing_error(error, scope));
            }
            Err(halt) => return Ok(listing_stopped(projects, after, skip, halt.why())),
        };
        let listed = page.values.into_iter().enumerate().skip(skip);
        projects.extend(listed.map(|(index, project)| ProjectRef {
            id: project.id,
            title: Some(project.title),
            at: Position::project(after.clone(), index),
        }));
        skip = 0;
        match page.pagination.after {
            Some(next) => after = Some(next),
            None => {
                return Ok(Listing {
                    projects,
                    rest: None,
                });
            }
        }
    }
    let why = format!("more than {} projects to search", projects.len());
    Ok(listing_stopped(projects, after, 0, why))
}

fn listing_stopped(
    projects: Vec<ProjectRef>,
    after: Option<String>,
    skip: usize,
    why: String,
) -> Listing {
    Listing {
        projects,
        rest: Some((Position::project(after, skip), why)),
    }
}

fn listing_error(error: HexError, scope: &Scope) -> ToolError {
    match scope {
        Scope::Collection(id) => {
            ToolError::from(error).about("collection", id, "list_hex_collections")
        }
        _ => ToolError::from(error),
    }
}

struct Walker<'a, T> {
    hex: &'a HexClient,
    budget: Budget<'a>,
    selection: &'a Selection,
    max_found: usize,
    examine: Examine<T>,
    walked: Walked<T>,
}

impl<T: Send + 'static> Walker<'_, T> {
    /// Walks one project's cells to the end (from `resume`'s cell position for the first
    /// project of a continued walk); `Some` when the walk stops inside it.
    async fn project(
        &mut self,
        project: &Arc<ProjectRef>,
        resume: Option<&Position>,
    ) -> Result<Option<Stopped>, ToolError> {
        let mut after = resume.and_then(|at| at.cells_after.clone());
        let mut skip = resume.map_or(0, |at| at.cell_skip);
        let mut seen = HashSet::new();
        loop {
            let here = project.at.in_cells(&project.id, after.clone(), skip);
            let params = ListCellsParams {
                limit: Some(MAX_PAGE_SIZE),
                after: after.clone(),
                ..ListCellsParams::new(project.id.clone())
            };
            let hex = self.hex;
            let page = match self
                .budget
                .send(|| async { hex.cells().list(&params).await })
                .await
            {
                Ok(page) => page,
                Err(halt) => return self.halted(project, halt, here),
            };
            *self.walked.pages.entry(project.id.clone()).or_default() += 1;
            self.note_skipped(project, &page.skipped);
            // Hex's cursors mark pages: cells before `skip` were reported by an earlier call.
            let fresh: Vec<(usize, Cell)> = page
                .values
                .into_iter()
                .enumerate()
                .skip(skip)
                .filter(|(_, cell)| seen.insert(cell.id.clone()))
                .collect();
            self.walked.cells_examined += fresh.len();
            for (index, found) in self.examine_page(project, fresh).await? {
                if self.walked.found.len() >= self.max_found {
                    return Ok(Some(Stopped {
                        why: format!("{} cells found, the most one answer holds", self.max_found),
                        next: project.at.in_cells(&project.id, after, index),
                        retry_in: None,
                        full: true,
                    }));
                }
                self.walked.found.push(found);
            }
            match page.pagination.after {
                Some(next) => {
                    after = Some(next);
                    skip = 0;
                }
                None => return Ok(None),
            }
        }
    }

    /// Cells of a page that could not be read: they could not be searched either, and the
    /// answer says so.
    fn note_skipped(&mut self, project: &ProjectRef, skipped: &[SkippedItem]) {
        let walked = &mut self.walked;
        walked.skipped_total += skipped.len();
        let room = MAX_UNREADABLE.saturating_sub(walked.skipped.len());
        let noted = skipped.iter().take(room).cloned();
        walked
            .skipped
            .extend(noted.map(|item| (project.id.clone(), item)));
    }

    /// The selected cells of one page, with their index in it, examined on a blocking thread
    /// (a page can hold megabytes of source).
    async fn examine_page(
        &self,
        project: &Arc<ProjectRef>,
        cells: Vec<(usize, Cell)>,
    ) -> Result<Vec<(usize, Found<T>)>, ToolError> {
        let examine = self.examine.clone();
        let types = self.selection.types.clone();
        let project = project.clone();
        tokio::task::spawn_blocking(move || {
            cells
                .into_iter()
                .filter(|(_, cell)| types.contains(&cell.cell_type))
                .filter_map(|(index, cell)| {
                    let item = examine(&cell)?;
                    let found = Found {
                        project: project.clone(),
                        cell_id: cell.id,
                        label: cell.label.filter(|label| !label.trim().is_empty()),
                        cell_type: cell.cell_type,
                        item,
                    };
                    Some((index, found))
                })
                .collect()
        })
        .await
        .map_err(|error| ToolError::internal(format!("examining cells failed: {error}")))
    }

    /// What a request that was not answered means for the walk: a project Hex refuses to show
    /// is noted and passed over (unless it is the one asked for); anything else stops the walk
    /// where it is, or fails the call when nothing was walked yet.
    fn halted(
        &mut self,
        project: &Arc<ProjectRef>,
        halt: Halt,
        here: Position,
    ) -> Result<Option<Stopped>, ToolError> {
        let walked = &self.walked;
        let nothing_yet = walked.cells_examined == 0 && walked.unreadable_total == 0;
        if let Halt::Failed(error) = halt {
            let single = matches!(self.selection.scope, Scope::Project(_));
            // Hex refused this project's cells (or its id is unusable): pass it over.
            let refused = error
                .status()
                .is_some_and(|status| (400..500).contains(&status))
                || matches!(error, HexError::InvalidInput { .. });
            if single || (nothing_yet && !refused) {
                return Err(ToolError::from(error).about(
                    "project",
                    &project.id,
                    "search_hex_projects",
                ));
            }
            if refused {
                self.walked.unreadable_total += 1;
                if self.walked.unreadable.len() < MAX_UNREADABLE {
                    self.walked
                        .unreadable
                        .push((project.id.clone(), error.to_string()));
                }
                return Ok(None);
            }
            return Ok(Some(Stopped {
                why: Halt::Failed(error).why(),
                next: here,
                retry_in: None,
                full: false,
            }));
        }
        if let (true, Halt::RateLimit { wait }) = (nothing_yet, &halt) {
            return Err(ToolError::from(HexError::RateLimited {
                retry_after: Some(*wait),
                source: hex_client::RateLimitSource::ClientPacing {
                    group: hex_client::RateGroup::HexApi30Rpm,
                },
            }));
        }
        Ok(Some(Stopped {
            why: halt.why(),
            retry_in: halt.retry_in(),
            next: here,
            full: false,
        }))
    }
}
