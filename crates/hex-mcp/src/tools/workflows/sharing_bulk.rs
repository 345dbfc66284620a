//! update_hex_sharing_bulk: one sharing change (users, groups, collections, the workspace or the
//! public web, all to one access level) across many projects, chosen by ids or by
//! list_hex_projects' filters. The first call previews (which projects change and from what,
//! which are already so) and returns an apply token bound to that exact preview; the call with
//! the token applies it, paced inside Hex's limits, and reports per project. A re-run after a
//! failure previews only what is left, since what was applied is already so.
//!
//! Why stateless: a token that is a digest of the arguments and of every selected project's
//! current state needs no store shared by replicas, cannot outlive the state it describes, and
//! makes the idempotence of sharing the resume mechanism (no plan to go stale or to expire).

mod apply;
mod plan;
mod select;
mod targets;

use std::collections::HashSet;

use hex_client::{Operation, api::projects::ListProjectsParams, api::sharing::AccessLevel as Wire};
use schemars::JsonSchema;
use serde::Deserialize;

use self::{
    plan::Plan,
    select::Choose,
    targets::{Kind, Target, Wanted},
};
use super::budget;
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::HexId,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
    subject::Subject,
    tools::{projects::ProjectFilters, sharing::PublicAccess, vocab::AccessLevel},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![RegisteredTool::of::<UpdateSharingBulk>()]
}

/// Most principals of one kind: Hex's 25 per sharing call, so each project gets one call per
/// kind.
const MAX_PRINCIPALS: usize = 25;

pub struct UpdateSharingBulk;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkSharingInput {
    access: AccessLevel,
    user_ids: Option<Vec<HexId>>,
    group_ids: Option<Vec<HexId>>,
    collection_ids: Option<Vec<HexId>>,
    workspace: Option<bool>,
    public_web: Option<bool>,
    project_ids: Option<Vec<HexId>>,
    #[serde(flatten)]
    filters: ProjectFilters,
    apply_token: Option<String>,
}

impl BulkSharingInput {
    fn wanted(&self) -> Wanted<'_> {
        Wanted {
            users: self.user_ids.as_deref().unwrap_or_default(),
            groups: self.group_ids.as_deref().unwrap_or_default(),
            collections: self.collection_ids.as_deref().unwrap_or_default(),
            workspace: self.workspace.unwrap_or(false),
            public_web: self.public_web.unwrap_or(false),
        }
    }

    /// Everything but the token, canonically: what a token is bound to.
    fn canonical(&self) -> String {
        format!(
            "{:?}",
            (
                self.access,
                &self.user_ids,
                &self.group_ids,
                &self.collection_ids,
                self.workspace,
                self.public_web,
                &self.project_ids,
                &self.filters,
            )
        )
    }

    /// What the schema cannot say; nothing is sent before it holds.
    fn check(&self) -> Result<(), ToolError> {
        let wanted = self.wanted();
        let lists = [
            ("user_ids", wanted.users),
            ("group_ids", wanted.groups),
            ("collection_ids", wanted.collections),
        ];
        for (field, ids) in lists {
            if ids.len() > MAX_PRINCIPALS {
                return Err(ToolError::input(
                    field,
                    format!("at most {MAX_PRINCIPALS} per call: split the change"),
                ));
            }
            let mut seen = HashSet::new();
            if let Some(twice) = ids.iter().find(|id| !seen.insert(*id)) {
                return Err(ToolError::input(field, format!("{twice} is listed twice")));
            }
        }
        if lists.iter().all(|(_, ids)| ids.is_empty()) && !wanted.workspace && !wanted.public_web {
            return Err(ToolError::input(
                "",
                "say whose access to set: user_ids, group_ids, collection_ids, workspace or public_web",
            ));
        }
        if wanted.public_web && public_level(self.access).is_none() {
            return Err(ToolError::input(
                "public_web",
                format!(
                    "the public web takes only {}; not {}",
                    public_levels(),
                    self.access.as_str()
                ),
            ));
        }
        if self.project_ids.is_some() && self.filters.params() != ListProjectsParams::default() {
            return Err(ToolError::input(
                "project_ids",
                "give project_ids or the list filters, not both",
            ));
        }
        if self.project_ids.as_ref().is_some_and(Vec::is_empty) {
            return Err(ToolError::input(
                "project_ids",
                "give at least one id, or leave it out to use the filters",
            ));
        }
        Ok(())
    }

    fn choose(&self) -> Choose<'_> {
        match &self.project_ids {
            Some(ids) => Choose::Ids(ids),
            None => Choose::Filters(Box::new(self.filters.params())),
        }
    }
}

/// The public-web level for `access`, if the public web takes it.
fn public_level(access: AccessLevel) -> Option<PublicAccess> {
    PublicAccess::ALL
        .iter()
        .copied()
        .find(|level| level.as_str() == access.as_str())
}

fn public_levels() -> String {
    let levels: Vec<&str> = PublicAccess::ALL
        .iter()
        .map(|level| level.as_str())
        .collect();
    levels.join(", ")
}

impl HexTool for UpdateSharingBulk {
    type Input = BulkSharingInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_sharing_bulk",
        title: "Share many projects",
        description: "Set one access for users, groups, collections, workspace or public web on many projects (ids or list filters). Previews; apply_token applies.",
        toolset: Toolset::Workflows,
        effect: Effect::OVERWRITE,
        operations: &[
            Operation::ListProjects,
            Operation::ListUsers,
            Operation::GetGroup,
            Operation::GetCollection,
            Operation::EditProjectSharingUsers,
            Operation::EditProjectSharingGroups,
            Operation::EditProjectSharingCollections,
            Operation::EditProjectSharingOrgAndPublic,
        ],
        confirm: Confirm::WhenRisky,
    };

    /// Only an apply can be risky: a preview changes nothing, and the person confirming should
    /// have seen it.
    fn risk(input: &Self::Input) -> Option<String> {
        let token = input.apply_token.as_deref()?;
        let wanted = input.wanted();
        let mut risks = Vec::new();
        let mut principals = Vec::new();
        for (kind, ids) in [
            ("user", wanted.users),
            ("group", wanted.groups),
            ("collection", wanted.collections),
        ] {
            if !ids.is_empty() {
                let ids: Vec<&str> = ids.iter().map(HexId::as_str).collect();
                principals.push(crate::tools::sharing::principals(kind, &ids));
            }
        }
        if input.access == AccessLevel::FullAccess && !principals.is_empty() {
            risks.push(format!(
                "give FULL_ACCESS (edit, delete, share with anyone) to {} (every member of groups and collections)",
                principals.join(", ")
            ));
        }
        if wanted.workspace
            && matches!(input.access, AccessLevel::CanEdit | AccessLevel::FullAccess)
        {
            risks.push(format!(
                "give everyone in the workspace {}",
                input.access.as_str()
            ));
        }
        match public_level(input.access).filter(|_| wanted.public_web) {
            Some(PublicAccess::AppOnly) => risks.push(
                "make them public: anyone on the internet with the link, without logging in, gets APP_ONLY (the published app)".into(),
            ),
            Some(PublicAccess::CanView) => risks.push(
                "make them public: anyone on the internet with the link, without logging in, gets CAN_VIEW (the app and its logic)".into(),
            ),
            _ => {}
        }
        if risks.is_empty() {
            return None;
        }
        let projects = token
            .split('.')
            .nth(1)
            .and_then(|count| count.parse::<usize>().ok())
            .map_or("each previewed project".to_string(), |count| {
                format!("the {count} previewed projects")
            });
        Some(format!("On {projects}: {}.", risks.join("; ")))
    }

    fn subject(input: &Self::Input) -> Option<Subject> {
        let wanted = input.wanted();
        let first = |ids: &[HexId]| ids.first().map(HexId::to_string);
        first(wanted.groups)
            .map(Subject::Group)
            .or_else(|| first(wanted.users).map(Subject::User))
            .or_else(|| first(wanted.collections).map(Subject::Collection))
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        input.check()?;
        let hex = ctx.hex()?;
        let access: Wire = input.access.into();
        let targets = targets::resolve(hex, &input.wanted()).await?;
        let walked = select::walk(&ctx, input.choose(), &targets).await?;
        let plan = Plan::new(&input.canonical(), &targets, &access, walked);
        match input.apply_token.as_deref() {
            Some(token) if plan.matches(token) => apply::run(&ctx, &targets, &access, plan).await,
            token => {
                let estimate = estimate(&ctx, &targets, &plan)?;
                Ok(plan.preview(&targets, &access, estimate, token.is_some()))
            }
        }
    }
}

/// What applying costs in Hex's budget, per kind of request.
fn estimate(ctx: &ToolContext, targets: &[Target], plan: &Plan) -> Result<String, ToolError> {
    let limits = ctx.hex()?.rate_limits();
    let kinds = [
        (Operation::EditProjectSharingUsers, &[Kind::User][..]),
        (Operation::EditProjectSharingGroups, &[Kind::Group][..]),
        (
            Operation::EditProjectSharingCollections,
            &[Kind::Collection][..],
        ),
        (
            Operation::EditProjectSharingOrgAndPublic,
            &[Kind::Workspace, Kind::PublicWeb][..],
        ),
    ];
    let mut lines = Vec::new();
    let mut longest = std::time::Duration::ZERO;
    for (operation, of_kind) in kinds {
        let requests = plan
            .steps
            .iter()
            .filter(|step| {
                targets
                    .iter()
                    .zip(&step.from)
                    .any(|(target, from)| from.is_some() && of_kind.contains(&target.kind))
            })
            .count() as u64;
        if requests == 0 {
            continue;
        }
        lines.push(budget::estimate(limits, operation, requests));
        longest = longest.max(budget::floor(limits, operation, requests).unwrap_or_default());
    }
    let mut estimate = lines.join("; ");
    if longest > apply::APPLY_BUDGET {
        estimate.push_str(&format!(
            ". One call applies for at most {}; call again for the rest",
            budget::about(apply::APPLY_BUDGET)
        ));
    }
    Ok(estimate)
}
