//! resolve_hex_project: what a person pastes (a Hex link, a project id, a title) as the project's
//! id, title and links. Only what Hex confirms is answered: an id from the text or a link is
//! looked up with GetProject; a title, or an app link's slug when its id is not the project's,
//! is compared with the titles of a bounded ListProjects walk. Several matches are listed as
//! candidates rather than guessed between.

use std::time::Duration;

use hex_client::api::projects::{GetProjectParams, ListProjectsParams, Project};
use hex_client::{HexError, Operation, StopReason};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{
    context::ToolContext,
    errors::ToolError,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

mod matching;
mod pasted;

use matching::{Found, Tally, Wanted};
use pasted::{Link, Pasted};

pub fn tools() -> Vec<RegisteredTool> {
    vec![RegisteredTool::of::<ResolveProject>()]
}

pub struct ResolveProject;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveProjectInput {
    #[schemars(length(max = 2000))]
    query: String,
    /// continue_with.after
    after: Option<String>,
}

impl HexTool for ResolveProject {
    type Input = ResolveProjectInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "resolve_hex_project",
        title: "Resolve a project link, id or title",
        description: "Find the project a pasted Hex link, id or title (exact, else unique prefix) names: its id, title and links. Several matches: candidates.",
        toolset: Toolset::Workflows,
        effect: Effect::READ,
        operations: &[
            Operation::GetProject,
            Operation::ListProjects,
            Operation::Me,
        ],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        if input.query.chars().count() > pasted::MAX_CHARS {
            return Err(ToolError::input(
                "query",
                format!("must be at most {} characters", pasted::MAX_CHARS),
            ));
        }
        let pasted =
            pasted::read(&input.query).map_err(|problem| ToolError::input("query", problem))?;
        let resolver = Resolver {
            ctx: &ctx,
            after: input.after,
        };
        match pasted {
            Pasted::Id(id) => resolver.by_id(id).await,
            Pasted::Link(link) => resolver.by_link(link).await,
            Pasted::Title(title) => {
                resolver
                    .by_walk(Wanted::title(&title), Place::default(), None)
                    .await
            }
        }
    }
}

/// Where the project's links are built: the pasted link's host and workspace, else the API's
/// host and the token's workspace.
#[derive(Debug, Default, Clone)]
struct Place {
    origin: Option<String>,
    workspace: Option<String>,
}

struct Resolver<'a> {
    ctx: &'a ToolContext,
    after: Option<String>,
}

impl Resolver<'_> {
    async fn by_id(&self, id: Uuid) -> ToolResult {
        match self.confirm(id).await? {
            Some(project) => self.resolved(project, "id", Place::default()).await,
            None => Ok(not_found(
                format!("no project with id {id} is visible to this token"),
                None,
            )),
        }
    }

    async fn by_link(&self, link: Link) -> ToolResult {
        let place = Place {
            origin: Some(link.origin.clone()),
            workspace: link.workspace.clone(),
        };
        for (id, how) in [(link.id, "link_id"), (link.short_id, "link_short_id")] {
            if let Some(id) = id
                && let Some(project) = self.confirm(id).await?
            {
                return self.resolved(project, how, place).await;
            }
        }
        let host_note = self.host_note(&link.origin);
        // The short id of an app link is not always the project's: its slug still names it.
        match link.slug.as_deref().and_then(Wanted::slug) {
            Some(wanted) => self.by_walk(wanted, place, host_note).await,
            None => Ok(not_found(
                match link.id.or(link.short_id) {
                    Some(id) => format!(
                        "the link names {id}, and no project with that id is visible to this token"
                    ),
                    None => "the link names no project this token can see".into(),
                },
                host_note,
            )),
        }
    }

    /// Compares titles page by page within the search caps; a rate limit on the way stops the
    /// walk with what it found and a cursor, instead of failing it.
    async fn by_walk(&self, wanted: Wanted, place: Place, host_note: Option<String>) -> ToolResult {
        let caps = self.ctx.limits().search_caps();
        let seconds = self.ctx.limits().search_time.as_secs();
        let params = ListProjectsParams {
            after: self.after.clone(),
            ..ListProjectsParams::default()
        };
        let mut pages = self.ctx.hex()?.projects().pages(params, caps);
        let mut tally = Tally::default();
        let mut limited = None;
        self.ctx
            .progress(
                0.0,
                None,
                format!("comparing project titles, 100 a page, for at most {seconds} s"),
            )
            .await;
        while let Some(page) = pages.next_page().await {
            match page {
                Ok(page) => page.values.into_iter().for_each(|p| tally.add(&wanted, p)),
                Err(error @ HexError::RateLimited { .. }) if tally.compared > 0 => {
                    limited = Some(error.retry_after());
                    break;
                }
                Err(error) => return Err(error.into()),
            }
            let compared = tally.compared;
            self.ctx
                .progress(compared as f64, None, format!("compared {compared} titles"))
                .await;
            if self.ctx.is_cancelled() {
                break;
            }
        }
        let compared = tally.compared;
        let stopped = match limited {
            Some(wait) => Some(rate_limited(wait)),
            None => pages
                .stop_reason()
                .filter(|reason| reason.is_partial() && *reason != StopReason::Error)
                .map(|reason| {
                    format!("{reason:?}: compared {compared} projects within this call's limits")
                }),
        };
        let mut answer = match tally.best() {
            Some((level, found)) if found.count == 1 => {
                let how = wanted.matched_by(level);
                let project = found.projects.into_iter().next();
                match project {
                    Some(project) => self.resolved(project, how, place).await?,
                    None => return Err(ToolError::internal("a counted match was not kept")),
                }
            }
            Some((level, found)) => ambiguous(wanted.matched_by(level), found),
            None => not_found(
                format!("no project title matches among the {compared} compared"),
                host_note,
            ),
        };
        if let Some(object) = answer.as_object_mut() {
            object.insert("compared".into(), json!(compared));
            if let Some(stopped) = stopped {
                object.insert("stopped_early".into(), json!(stopped));
                object.insert(
                    "continue_with".into(),
                    json!({ "after": pages.next_cursor() }),
                );
            }
        }
        Ok(answer)
    }

    /// GetProject: `None` when Hex knows no such project (404).
    async fn confirm(&self, id: Uuid) -> Result<Option<Project>, ToolError> {
        let id = id.to_string();
        match self
            .ctx
            .hex()?
            .projects()
            .get(&id, &GetProjectParams::default())
            .await
        {
            Ok(project) => Ok(Some(project)),
            Err(error) if error.status() == Some(404) => Ok(None),
            Err(error) => Err(ToolError::from(error).about("project", id, "search_hex_projects")),
        }
    }

    async fn resolved(&self, project: Project, how: &str, place: Place) -> ToolResult {
        let mut shown = project_fields(&project);
        let place = self.complete(place).await;
        match &place.workspace {
            Some(workspace) => {
                let origin = place.origin.unwrap_or_default();
                let base = format!("{origin}/{workspace}");
                shown.insert(
                    "urls".into(),
                    json!({
                        "logic": format!("{base}/hex/{}/draft/logic", project.id),
                        "app": format!("{base}/app/{}/latest", project.id),
                    }),
                );
            }
            None => {
                shown.insert(
                    "urls_unknown".into(),
                    json!("this token's workspace could not be read (GetMe), so its links are not built"),
                );
            }
        }
        shown.insert(
            "resource".into(),
            json!(crate::resources::project_uri(&project.id)),
        );
        Ok(json!({"status": "resolved", "matched_by": how, "project": shown}))
    }

    /// Fills the API's host and the token's workspace (GetMe's `org.id`) where the paste had none.
    async fn complete(&self, mut place: Place) -> Place {
        let Ok(hex) = self.ctx.hex() else {
            return place;
        };
        if place.origin.is_none() {
            place.origin = Some(hex.base_url().origin().ascii_serialization());
        }
        if place.workspace.is_none() {
            place.workspace = hex
                .users()
                .me()
                .await
                .ok()
                .and_then(|me| me.org)
                .map(|org| org.id)
                .filter(|id| !id.is_empty());
        }
        place
    }

    /// Says so when a pasted link is on another host than the one this server asks.
    fn host_note(&self, origin: &str) -> Option<String> {
        let api = self
            .ctx
            .hex()
            .ok()?
            .base_url()
            .origin()
            .ascii_serialization();
        (api != origin).then(|| {
            format!(
                "the link is on {origin} but this server asks {api}: a project on another Hex host is not visible with this token"
            )
        })
    }
}

/// What identifies a project to a person, without analytics or sharing.
fn project_fields(project: &Project) -> Map<String, Value> {
    let mut shown = Map::new();
    shown.insert("id".into(), json!(project.id));
    shown.insert("title".into(), json!(project.title));
    shown.insert("type".into(), json!(project.kind));
    shown.insert("owner".into(), json!(project.owner.email));
    shown.insert("lastEditedAt".into(), json!(project.last_edited_at));
    for (key, value) in [
        ("lastPublishedAt", &project.last_published_at),
        ("archivedAt", &project.archived_at),
        ("trashedAt", &project.trashed_at),
    ] {
        if let Some(value) = value {
            shown.insert(key.into(), json!(value));
        }
    }
    shown
}

fn ambiguous(how: &str, found: Found) -> Value {
    let candidates: Vec<Value> = found
        .projects
        .iter()
        .map(|project| Value::Object(project_fields(project)))
        .collect();
    json!({
        "status": "ambiguous",
        "matched_by": how,
        "candidates": candidates,
        "candidates_total": found.count,
        "next": "ask which one is meant, or call again with its id or full title",
    })
}

fn not_found(why: String, note: Option<String>) -> Value {
    let mut answer = json!({
        "status": "not_found",
        "why": why,
        "next": "check the link or title; search_hex_projects finds titles by pattern",
    });
    if let (Some(note), Some(object)) = (note, answer.as_object_mut()) {
        object.insert("note".into(), json!(note));
    }
    answer
}

fn rate_limited(wait: Option<Duration>) -> String {
    let after = wait.map_or_else(String::new, |wait| {
        format!(" (in about {} s)", wait.as_secs().max(1))
    });
    format!(
        "Hex's rate limit for ListProjects was reached: continue with continue_with.after{after}"
    )
}
