//! audit_hex_access: who can see what, as a compact report. Without a subject: the projects open
//! to the public web or to the whole workspace. For a project: everyone with access and why.
//! For a collection: its members and the access its projects give them. For a user or a group:
//! each project they reach, with the access and where it comes from (owner, direct, group,
//! collection, workspace, public web). Walks are bounded, with a cursor to continue.

mod pages;
mod reach;

use std::collections::HashMap;

use hex_client::{
    Operation,
    api::{
        collections::Collection,
        projects::{GetProjectParams, ListProjectsParams},
        sharing::AccessLevel,
        users::ListUsersParams,
    },
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use self::{
    pages::Pages,
    reach::{Reach, Who, collections_by_name, rank},
};
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::HexId,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![RegisteredTool::of::<AuditAccess>()]
}

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1_000;

pub struct AuditAccess;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessAuditInput {
    project_id: Option<HexId>,
    collection_id: Option<HexId>,
    user_id: Option<HexId>,
    group_id: Option<HexId>,
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    limit: Option<u32>,
    /// continue_with.after
    after: Option<String>,
}

impl HexTool for AuditAccess {
    type Input = AccessAuditInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "audit_hex_access",
        title: "Audit access",
        description: "Who can see what: public-web and workspace-wide projects, or a project's, collection's, user's or group's access and where it comes from.",
        toolset: Toolset::Workflows,
        effect: Effect::READ,
        operations: &[
            Operation::ListProjects,
            Operation::GetProject,
            Operation::GetCollection,
            Operation::ListCollections,
            Operation::GetGroup,
            Operation::ListGroups,
            Operation::ListUsers,
        ],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let given = [
            input.project_id.is_some(),
            input.collection_id.is_some(),
            input.user_id.is_some(),
            input.group_id.is_some(),
        ];
        if given.iter().filter(|given| **given).count() > 1 {
            return Err(ToolError::input(
                "",
                "give at most one of project_id, collection_id, user_id and group_id",
            ));
        }
        let limit = input.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize;
        let walk = |base| Pages::new(&ctx, base, input.after.clone(), limit);
        if let Some(id) = &input.project_id {
            return project(&ctx, id).await;
        }
        if let Some(id) = &input.collection_id {
            let base = ListProjectsParams {
                collection_id: Some(id.to_string()),
                ..ListProjectsParams::default()
            };
            return collection(&ctx, id, walk(base)).await;
        }
        let base = ListProjectsParams::default();
        if let Some(id) = &input.user_id {
            return principal(&ctx, user(&ctx, id).await?, walk(base)).await;
        }
        if let Some(id) = &input.group_id {
            let group = ctx
                .hex()?
                .groups()
                .get(id.as_str())
                .await
                .map_err(|error| ToolError::from(error).about("group", id, "list_hex_groups"))?;
            let who = Who::Group {
                id: id.to_string(),
                name: group.name,
            };
            return principal(&ctx, who, walk(base)).await;
        }
        overview(walk(base)).await
    }
}

/// The projects open to anyone with the link, and to everyone in the workspace.
async fn overview(mut pages: Pages<'_>) -> ToolResult {
    let mut public = Vec::new();
    let mut workspace = Vec::new();
    while let Some(page) = pages.next().await? {
        for project in page {
            let Some(sharing) = &project.sharing else {
                continue;
            };
            let open = |grant: Option<&hex_client::api::sharing::AccessGrant>| {
                let access = &grant?.access;
                (rank(access) > 0).then(
                    || json!({"id": project.id, "title": project.title, "access": access.as_str()}),
                )
            };
            public.extend(open(sharing.public_web.as_ref()));
            workspace.extend(open(sharing.workspace.as_ref()));
        }
    }
    let mut answer = Map::new();
    answer.insert("public_web".into(), Value::Array(public));
    answer.insert("workspace".into(), Value::Array(workspace));
    pages.finish(&mut answer);
    Ok(Value::Object(answer))
}

/// The user's e-mail, which is how project sharing names them.
async fn user(ctx: &ToolContext, id: &HexId) -> Result<Who, ToolError> {
    let params = ListUsersParams {
        limit: Some(1),
        user_ids: vec![id.to_string()],
        ..ListUsersParams::default()
    };
    let page = ctx.hex()?.users().list(&params).await?;
    let user = page
        .values
        .into_iter()
        .find(|user| user.id.eq_ignore_ascii_case(id.as_str()))
        .ok_or_else(|| {
            ToolError::input(
                "user_id",
                format!("no active user {id}: check with list_hex_users"),
            )
        })?;
    Ok(Who::User {
        id: id.to_string(),
        email: user.email,
    })
}

/// Each project a user or group reaches, highest access first.
async fn principal(ctx: &ToolContext, who: Who, mut pages: Pages<'_>) -> ToolResult {
    let hex = ctx.hex()?;
    let mut reach = Reach::new(hex, who, ctx.limits().search_caps()).await?;
    let mut projects = Vec::new();
    while let Some(page) = pages.next().await? {
        if let Err(error) = reach.learn(hex, &page).await {
            pages.halt(format!(
                "could not read group memberships for the next projects now: {error}"
            ));
            break;
        }
        projects.extend(page.iter().filter_map(|project| reach.entry(project)));
    }
    projects.sort_by_key(|(rank, _)| std::cmp::Reverse(*rank));
    let projects = projects.into_iter().map(|(_, entry)| entry).collect();
    let mut answer = Map::new();
    match &reach.who {
        Who::User { id, email } => answer.insert("user".into(), json!({"id": id, "email": email})),
        Who::Group { id, name } => answer.insert("group".into(), json!({"id": id, "name": name})),
    };
    answer.insert("projects".into(), Value::Array(projects));
    pages.finish(&mut answer);
    Ok(Value::Object(answer))
}

/// A collection's members, and the access each of its projects gives them.
async fn collection(ctx: &ToolContext, id: &HexId, mut pages: Pages<'_>) -> ToolResult {
    let found = ctx
        .hex()?
        .collections()
        .get(id.as_str())
        .await
        .map_err(|error| ToolError::from(error).about("collection", id, "list_hex_collections"))?;
    let mut projects = Vec::new();
    while let Some(page) = pages.next().await? {
        for project in page {
            let access = project.sharing.as_ref().and_then(|sharing| {
                sharing
                    .collections
                    .iter()
                    .find(|share| share.collection.name == found.name)
                    .map(|share| share.access.as_str().to_string())
            });
            projects.push(json!({"id": project.id, "title": project.title, "access": access}));
        }
    }
    let mut answer = Map::new();
    answer.insert(
        "collection".into(),
        json!({"id": found.id, "name": found.name, "members": members(&found)}),
    );
    answer.insert("projects".into(), Value::Array(projects));
    pages.finish(&mut answer);
    Ok(Value::Object(answer))
}

/// `{users: [{id, access}], groups: [{id, access}], workspace}` of a collection.
fn members(collection: &Collection) -> Value {
    json!({
        "users": collection.sharing.users,
        "groups": collection.sharing.groups,
        "workspace": collection.sharing.workspace.as_ref().and_then(|w| w.members.as_ref()),
    })
}

/// Everyone with access to one project, highest first, and where it comes from.
async fn project(ctx: &ToolContext, id: &HexId) -> ToolResult {
    let hex = ctx.hex()?;
    let params = GetProjectParams {
        include_sharing: true,
    };
    let project = hex
        .projects()
        .get(id.as_str(), &params)
        .await
        .map_err(|error| ToolError::from(error).about("project", id, "search_hex_projects"))?;
    let collections = if project
        .sharing
        .as_ref()
        .is_some_and(|sharing| !sharing.collections.is_empty())
    {
        collections_by_name(ctx.hex()?, ctx.limits().search_caps()).await?
    } else {
        HashMap::new()
    };
    let mut access = vec![grant(
        &project.owner.email,
        &AccessLevel::FullAccess,
        "owner",
    )];
    if let Some(sharing) = &project.sharing {
        for share in &sharing.users {
            access.push(grant(&share.user.email, &share.access, "direct"));
        }
        for share in &sharing.groups {
            let who = format!("group \"{}\"", share.group.name);
            access.push(grant(&who, &share.access, "group"));
        }
        for share in &sharing.collections {
            let name = &share.collection.name;
            let mut entry = grant(
                &format!("collection \"{name}\""),
                &share.access,
                "collection",
            );
            if let (Some(found), Value::Object(entry)) = (collections.get(name), &mut entry.1) {
                entry.insert("members".into(), members(found));
            }
            access.push(entry);
        }
        let whole = [
            ("everyone in the workspace", "workspace", &sharing.workspace),
            ("anyone with the link", "public web", &sharing.public_web),
            ("Hex support", "support", &sharing.support),
        ];
        for (who, via, grant_of) in whole {
            if let Some(given) = grant_of.as_ref().filter(|given| rank(&given.access) > 0) {
                access.push(grant(who, &given.access, via));
            }
        }
    }
    access.retain(|(rank, _)| *rank > 0);
    access.sort_by_key(|(rank, _)| std::cmp::Reverse(*rank));
    let access: Vec<Value> = access.into_iter().map(|(_, entry)| entry).collect();
    Ok(json!({
        "project": {"id": project.id, "title": project.title},
        "access": access,
        "sharing_read": project.sharing.is_some(),
    }))
}

/// An entry of a project's access list, with its rank to sort by.
fn grant(who: &str, access: &AccessLevel, via: &str) -> (u8, Value) {
    let entry = json!({"who": who, "access": access.as_str(), "via": via});
    (rank(access), entry)
}
