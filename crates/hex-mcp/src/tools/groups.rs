//! Groups: list, read, create, rename and change members, delete. A group's members are read
//! with `list_hex_users` and `group_id` (Hex's groups have no members field).

use std::collections::BTreeSet;

use hex_client::Operation;
use hex_client::api::groups::{
    CreateGroupRequest, GroupMemberChanges, GroupMembers, GroupSortBy, ListGroupsParams,
    MAX_MEMBER_CHANGES, UpdateGroupRequest,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{
    common::{Sought, look_for_created, page_output},
    vocab::{MAX_LARGE_PAGE_SIZE, SortDirection},
};
use crate::subject::Subject;
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<ListGroups>(),
        RegisteredTool::of::<GetGroup>(),
        RegisteredTool::of::<CreateGroup>(),
        RegisteredTool::of::<UpdateGroup>(),
        RegisteredTool::of::<DeleteGroup>(),
    ]
}

/// The tool that finds group ids, for 404 hints.
const FINDER: &str = "list_hex_groups";

input_enum!(
    /// `ListGroupsSortByEnum`.
    SortBy: hex_client::api::groups::GroupSortBy { CreatedAt, Name }
);

fn not_found_hint(group_id: &HexId) -> impl FnOnce(hex_client::HexError) -> ToolError + '_ {
    move |error| ToolError::from(error).about("group", group_id, FINDER)
}

/// A list of user ids as Hex takes it: at most 100, each once (first occurrence kept).
fn member_list(field: &str, ids: &[HexId]) -> Result<Vec<String>, ToolError> {
    if ids.len() > MAX_MEMBER_CHANGES {
        return Err(ToolError::input(
            field,
            format!(
                "{} user ids given; Hex takes at most {MAX_MEMBER_CHANGES} per call: split the list into several calls",
                ids.len()
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    Ok(ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .map(|id| id.to_string())
        .collect())
}

fn check_name(name: &str) -> Result<(), ToolError> {
    if name.trim().is_empty() {
        return Err(ToolError::input("name", "must not be empty"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------

pub struct ListGroups;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListGroupsInput {
    #[schemars(range(min = 1, max = MAX_LARGE_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
    sort_by: Option<SortBy>,
    sort_direction: Option<SortDirection>,
}

impl HexTool for ListGroups {
    type Input = ListGroupsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_groups",
        title: "List groups",
        description: "List groups; a group's members: list_hex_users group_id.",
        toolset: Toolset::Groups,
        effect: Effect::READ,
        operations: &[Operation::ListGroups],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = ListGroupsParams {
            limit: Some(input.limit.unwrap_or(25).clamp(1, MAX_LARGE_PAGE_SIZE)),
            after: input.after,
            before: input.before,
            sort_by: input.sort_by.map(|sort| sort.into()),
            sort_direction: input.sort_direction.map(|direction| direction.into()),
        };
        let page = ctx.hex()?.groups().list(&params).await?;
        page_output(page, |group| group)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct GetGroup;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetGroupInput {
    group_id: HexId,
}

impl HexTool for GetGroup {
    type Input = GetGroupInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_group",
        title: "Get a group",
        description: "Get a group; its members: list_hex_users group_id.",
        toolset: Toolset::Groups,
        effect: Effect::READ,
        operations: &[Operation::GetGroup],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let group = ctx
            .hex()?
            .groups()
            .get(input.group_id.as_str())
            .await
            .map_err(not_found_hint(&input.group_id))?;
        to_output(&group)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct CreateGroup;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroupInput {
    name: String,
    #[schemars(length(max = 100))]
    member_user_ids: Option<Vec<HexId>>,
}

impl HexTool for CreateGroup {
    type Input = CreateGroupInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "create_hex_group",
        title: "Create a group",
        description: "Create a group, optionally with members (user ids).",
        toolset: Toolset::Groups,
        effect: Effect::CREATE,
        operations: &[Operation::CreateGroup],
        confirm: Confirm::Never,
    };

    const CREATED_CHECK: &'static str = "look for a group of that name with list_hex_groups";

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        check_name(&input.name)?;
        let members = match &input.member_user_ids {
            Some(ids) => Some(GroupMembers::users(member_list("member_user_ids", ids)?)),
            None => None,
        };
        let request = CreateGroupRequest {
            name: input.name,
            members,
        };
        let hex = ctx.hex()?;
        let error = match hex.groups().create(&request).await {
            Ok(group) => return to_output(&group),
            Err(error) => ToolError::from(error),
        };
        // Newest first: a group this call created is on the first page.
        let newest = ListGroupsParams {
            limit: Some(100),
            sort_by: Some(GroupSortBy::CreatedAt),
            sort_direction: Some(hex_client::api::SortDirection::Desc),
            ..ListGroupsParams::default()
        };
        let pages = hex.groups().pages(newest, ctx.limits().search_caps());
        let sought = Sought {
            kind: "group",
            name: &request.name,
            finder: FINDER,
        };
        Err(look_for_created(error, pages, sought, |group| {
            (group.name.as_str(), group.id.as_str())
        })
        .await)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateGroup;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroupInput {
    group_id: HexId,
    name: Option<String>,
    #[schemars(length(max = 100))]
    add_member_user_ids: Option<Vec<HexId>>,
    #[schemars(length(max = 100))]
    remove_member_user_ids: Option<Vec<HexId>>,
}

impl UpdateGroupInput {
    /// The EditGroup body, checked: something to change, within Hex's limits, no id both
    /// added and removed.
    fn request(&self) -> Result<UpdateGroupRequest, ToolError> {
        if let Some(name) = &self.name {
            check_name(name)?;
        }
        let add = member_changes("add_member_user_ids", self.add_member_user_ids.as_deref())?;
        let remove = member_changes(
            "remove_member_user_ids",
            self.remove_member_user_ids.as_deref(),
        )?;
        if let (Some(add), Some(remove)) = (&add, &remove)
            && let Some(both) = remove.users.iter().find(|user| {
                add.users
                    .iter()
                    .any(|added| added.id.eq_ignore_ascii_case(&user.id))
            })
        {
            return Err(ToolError::input(
                "remove_member_user_ids",
                format!(
                    "{} is also in add_member_user_ids; a user can be added or removed in one call, not both",
                    both.id
                ),
            ));
        }
        if self.name.is_none() && add.is_none() && remove.is_none() {
            return Err(ToolError::input(
                "",
                "nothing to update: give name, add_member_user_ids or remove_member_user_ids (with at least one id)",
            ));
        }
        let members =
            (add.is_some() || remove.is_some()).then_some(GroupMemberChanges { add, remove });
        Ok(UpdateGroupRequest {
            name: self.name.clone(),
            members,
        })
    }
}

/// One side of the member changes; an empty list changes nothing and is left out.
fn member_changes(field: &str, ids: Option<&[HexId]>) -> Result<Option<GroupMembers>, ToolError> {
    let Some(ids) = ids else {
        return Ok(None);
    };
    let ids = member_list(field, ids)?;
    Ok((!ids.is_empty()).then(|| GroupMembers::users(ids)))
}

impl HexTool for UpdateGroup {
    type Input = UpdateGroupInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_group",
        title: "Update a group",
        description: "Rename a group and/or add or remove members (user ids).",
        toolset: Toolset::Groups,
        effect: Effect::OVERWRITE,
        operations: &[Operation::EditGroup],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let request = input.request()?;
        let group = ctx
            .hex()?
            .groups()
            .update(input.group_id.as_str(), &request)
            .await
            .map_err(not_found_hint(&input.group_id))?;
        to_output(&group)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct DeleteGroup;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteGroupInput {
    group_id: HexId,
}

impl HexTool for DeleteGroup {
    type Input = DeleteGroupInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "delete_hex_group",
        title: "Delete a group",
        description: "Delete a group (its members lose its access); asks first.",
        toolset: Toolset::Groups,
        effect: Effect::DELETE,
        operations: &[Operation::DeleteGroup],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::Group(input.group_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        Some(format!(
            "Delete group {}: its members lose the access it grants to projects, collections and data connections (their accounts stay). This cannot be undone.",
            input.group_id
        ))
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        ctx.hex()?
            .groups()
            .delete(input.group_id.as_str())
            .await
            .map_err(not_found_hint(&input.group_id))?;
        Ok(json!({"deleted": true, "groupId": input.group_id}))
    }
}
