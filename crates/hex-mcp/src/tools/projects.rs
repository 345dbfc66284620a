//! Projects: list with Hex's filters, search titles across all pages, read one.

use hex_client::Operation;
use hex_client::api::projects::{GetProjectParams, ListProjectsParams, Project, Schedule};
use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{
    common::{SkippedInWalk, insert_skipped, page_output},
    pattern::compile_off_the_io_threads,
    vocab::{MAX_PAGE_SIZE, SortDirection},
};
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

mod manage;

pub fn tools() -> Vec<RegisteredTool> {
    let mut tools = vec![
        RegisteredTool::of::<ListProjects>(),
        RegisteredTool::of::<SearchProjects>(),
        RegisteredTool::of::<GetProject>(),
    ];
    tools.extend(manage::tools());
    tools
}

input_enum!(
    /// `SortByEnum`.
    SortBy: hex_client::api::projects::ProjectSortBy { CreatedAt, LastEditedAt, LastPublishedAt }
);

/// Filters shared by listing and searching.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectFilters {
    statuses: Option<Vec<String>>,
    categories: Option<Vec<String>>,
    creator_email: Option<String>,
    owner_email: Option<String>,
    collection_id: Option<HexId>,
    include_archived: Option<bool>,
    include_components: Option<bool>,
    include_trashed: Option<bool>,
}

/// What only a list takes: the order, and each project's sharing (a search answers matches
/// newest first and is kept lean).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListOrder {
    include_sharing: Option<bool>,
    sort_by: Option<SortBy>,
    sort_direction: Option<SortDirection>,
}

impl ProjectFilters {
    pub(crate) fn params(&self) -> ListProjectsParams {
        ListProjectsParams {
            include_archived: self.include_archived.unwrap_or(false),
            include_components: self.include_components.unwrap_or(false),
            include_trashed: self.include_trashed.unwrap_or(false),
            statuses: self.statuses.clone().unwrap_or_default(),
            categories: self.categories.clone().unwrap_or_default(),
            creator_email: self.creator_email.clone(),
            owner_email: self.owner_email.clone(),
            collection_id: self.collection_id.as_ref().map(|id| id.to_string()),
            ..ListProjectsParams::default()
        }
    }
}

impl ListOrder {
    fn apply(&self, params: &mut ListProjectsParams) {
        params.include_sharing = self.include_sharing.unwrap_or(false);
        params.sort_by = self.sort_by.map(|sort| sort.into());
        params.sort_direction = self.sort_direction.map(|direction| direction.into());
    }
}

/// A project as lists show it: what identifies and describes it, without view analytics.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectSummary {
    #[serde(flatten)]
    project: Project,
}

fn summary(mut project: Project) -> ProjectSummary {
    project.analytics = None;
    project.reviews = None;
    project.schedules = project
        .schedules
        .into_iter()
        .map(schedule_summary)
        .collect();
    ProjectSummary { project }
}

/// The cadence and whether it is on; the timing details are in get_hex_project.
fn schedule_summary(schedule: Schedule) -> Schedule {
    Schedule {
        hourly: None,
        daily: None,
        weekly: None,
        monthly: None,
        custom: None,
        ..schedule
    }
}

// ---------------------------------------------------------------------------------------------

pub struct ListProjects;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListProjectsInput {
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
    /// Prefer after.
    #[schemars(range(max = 10000))]
    offset: Option<u32>,
    #[serde(flatten)]
    filters: ProjectFilters,
    #[serde(flatten)]
    order: ListOrder,
}

impl HexTool for ListProjects {
    type Input = ListProjectsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_projects",
        title: "List projects",
        description: "List projects, newest first, with Hex's filters.",
        toolset: Toolset::Projects,
        effect: Effect::READ,
        operations: &[Operation::ListProjects],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let hex = ctx.hex()?;
        let mut params = input.filters.params();
        input.order.apply(&mut params);
        params.limit = Some(input.limit.unwrap_or(25).clamp(1, MAX_PAGE_SIZE));
        params.after = input.after;
        params.before = input.before;
        if let Some(offset) = input.offset.filter(|offset| *offset > 0) {
            if params.before.is_some() {
                return Err(ToolError::input(
                    "offset",
                    "cannot be combined with `before`",
                ));
            }
            match skip(&ctx, params.clone(), offset).await? {
                Some(cursor) => params.after = Some(cursor),
                None => return Ok(json!({"values": [], "pagination": {}})),
            }
        }
        let page = hex.projects().list(&params).await?;
        page_output(page, summary)
    }
}

/// Walks `offset` projects and returns the cursor after them (`None`: fewer exist).
async fn skip(
    ctx: &ToolContext,
    params: ListProjectsParams,
    offset: u32,
) -> Result<Option<String>, ToolError> {
    let caps = ctx.limits().search_caps().items(u64::from(offset));
    let mut pages = ctx.hex()?.projects().pages(params, caps);
    while let Some(page) = pages.next_page().await {
        page?;
    }
    Ok(pages.next_cursor().map(str::to_owned))
}

// ---------------------------------------------------------------------------------------------

pub struct SearchProjects;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchProjectsInput {
    /// e.g. `revenue|sales`
    search_pattern: String,
    #[schemars(range(min = 1, max = 500))]
    limit: Option<u32>,
    offset: Option<u32>,
    /// continue_with.after
    after: Option<String>,
    #[serde(flatten)]
    filters: ProjectFilters,
}

impl HexTool for SearchProjects {
    type Input = SearchProjectsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "search_hex_projects",
        title: "Search projects",
        description: "Find projects whose title matches a regex, across all pages; says if it stopped early and how to go on. total_matched: matches in this answer only.",
        toolset: Toolset::Projects,
        effect: Effect::READ,
        operations: &[Operation::ListProjects],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let pattern =
            compile_off_the_io_threads("search_pattern", input.search_pattern, true).await?;
        let limit = input.limit.unwrap_or(100).clamp(1, 500) as usize;
        let offset = input.offset.unwrap_or(0) as usize;
        let mut params = input.filters.params();
        params.after = input.after.clone();
        let mut pages = ctx
            .hex()?
            .projects()
            .pages(params, ctx.limits().search_caps());
        let mut search = Search::new(pattern, limit, offset);
        // Pages are streamed and only matches are kept, so memory does not grow with the
        // size of the workspace.
        let mut full = false;
        let mut skipped = SkippedInWalk::default();
        while let Some(page) = pages.next_page().await {
            let page = page?;
            skipped.page(&page);
            if search.scan(page.values) {
                full = true;
                break;
            }
        }
        let mut answer = Map::new();
        answer.insert("values".into(), to_output(&search.matches)?);
        insert_skipped(&mut answer, skipped.items());
        answer.insert("total_matched".into(), json!(search.matches.len()));
        answer.insert("total_searched".into(), json!(search.searched));
        let stopped_early = pages.stop_reason().filter(|reason| reason.is_partial());
        let has_more = if full {
            let more = search.more_on_page || pages.next_cursor().is_some();
            if more {
                // Hex's cursors mark page boundaries, not single projects: continue by offset
                // from the same start.
                answer.insert(
                    "continue_with".into(),
                    json!({"after": input.after, "offset": offset + limit}),
                );
            }
            more
        } else if let Some(reason) = stopped_early {
            answer.insert(
                "stopped_early".into(),
                json!(format!(
                    "{reason:?}: searched {} projects within this call's page and time limits",
                    search.searched
                )),
            );
            let cursor = pages.next_cursor();
            answer.insert(
                "continue_with".into(),
                json!({"after": cursor, "offset": search.to_skip}),
            );
            answer.insert("pagination".into(), json!({ "after": cursor }));
            true
        } else {
            false
        };
        answer.insert("has_more".into(), json!(has_more));
        Ok(Value::Object(answer))
    }
}

/// The state of a search across pages.
struct Search {
    pattern: Regex,
    limit: usize,
    /// Matches still to skip (`offset`).
    to_skip: usize,
    matches: Vec<ProjectSummary>,
    searched: usize,
    /// When the limit was reached: whether the rest of that page holds more matches.
    more_on_page: bool,
}

impl Search {
    fn new(pattern: Regex, limit: usize, offset: usize) -> Search {
        Search {
            pattern,
            limit,
            to_skip: offset,
            matches: Vec::new(),
            searched: 0,
            more_on_page: false,
        }
    }

    /// Scans one page; true when the limit is reached.
    fn scan(&mut self, projects: Vec<Project>) -> bool {
        let mut projects = projects.into_iter();
        while let Some(project) = projects.next() {
            self.searched += 1;
            if !self.pattern.is_match(&project.title) {
                continue;
            }
            if self.to_skip > 0 {
                self.to_skip -= 1;
                continue;
            }
            self.matches.push(summary(project));
            if self.matches.len() == self.limit {
                self.more_on_page = projects.any(|rest| self.pattern.is_match(&rest.title));
                return true;
            }
        }
        false
    }
}

// ---------------------------------------------------------------------------------------------

pub struct GetProject;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetProjectInput {
    project_id: HexId,
    include_sharing: Option<bool>,
}

impl HexTool for GetProject {
    type Input = GetProjectInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_project",
        title: "Get a project",
        description: "Get one project; include_sharing adds who can see it.",
        toolset: Toolset::Projects,
        effect: Effect::READ,
        operations: &[Operation::GetProject],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = GetProjectParams {
            include_sharing: input.include_sharing.unwrap_or(false),
        };
        let project = ctx
            .hex()?
            .projects()
            .get(input.project_id.as_str(), &params)
            .await
            .map_err(|error| {
                ToolError::from(error).about("project", &input.project_id, "search_hex_projects")
            })?;
        to_output(&project)
    }
}
