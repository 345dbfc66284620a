//! Users: who the token acts as, the workspace's users (or one group's members), deactivation.

use hex_client::Operation;
use hex_client::api::users::{ListUsersParams, Me};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    common::page_output,
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
        RegisteredTool::of::<GetCurrentUser>(),
        RegisteredTool::of::<ListUsers>(),
        RegisteredTool::of::<DeactivateUser>(),
    ]
}

input_enum!(
    /// `ListUsersSortByEnum`.
    SortBy: hex_client::api::users::UserSortBy { Name, Email }
);

// ---------------------------------------------------------------------------------------------

pub struct GetCurrentUser;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCurrentUserInput {}

impl HexTool for GetCurrentUser {
    type Input = GetCurrentUserInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_current_user",
        title: "Get the current user",
        description: "The user this server's token acts as.",
        toolset: Toolset::Users,
        effect: Effect::READ,
        operations: &[Operation::Me],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, _: Self::Input) -> ToolResult {
        let me = ctx.hex()?.users().me().await?;
        me_output(me)
    }
}

/// Me as Hex answers it, without an empty `token: {}` when the token never expires.
fn me_output(mut me: Me) -> ToolResult {
    if me.token.as_ref().is_some_and(|token| token.exp.is_none()) {
        me.token = None;
    }
    to_output(&me)
}

// ---------------------------------------------------------------------------------------------

pub struct ListUsers;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUsersInput {
    #[schemars(range(min = 1, max = MAX_LARGE_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
    sort_by: Option<SortBy>,
    sort_direction: Option<SortDirection>,
    group_id: Option<HexId>,
}

impl HexTool for ListUsers {
    type Input = ListUsersInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_users",
        title: "List users",
        description: "List active users, or with group_id a group's members.",
        toolset: Toolset::Users,
        effect: Effect::READ,
        operations: &[Operation::ListUsers],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = ListUsersParams {
            limit: Some(input.limit.unwrap_or(25).clamp(1, MAX_LARGE_PAGE_SIZE)),
            after: input.after,
            before: input.before,
            sort_by: input.sort_by.map(|sort| sort.into()),
            sort_direction: input.sort_direction.map(|direction| direction.into()),
            group_id: input.group_id.as_ref().map(HexId::to_string),
            ..ListUsersParams::default()
        };
        let page = ctx.hex()?.users().list(&params).await.map_err(|error| {
            let error = ToolError::from(error);
            match &input.group_id {
                Some(group_id) => error.about("group", group_id, "list_hex_groups"),
                None => error,
            }
        })?;
        page_output(page, |user| user)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct DeactivateUser;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateUserInput {
    user_id: HexId,
}

impl HexTool for DeactivateUser {
    type Input = DeactivateUserInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "deactivate_hex_user",
        title: "Deactivate a user",
        description: "Deactivate a user (no more sign-in; the API cannot undo it); asks first.",
        toolset: Toolset::Users,
        effect: Effect::DELETE,
        operations: &[Operation::DeactivateUser],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::User(input.user_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        Some(format!(
            "Deactivate user {}: they can no longer sign in to the workspace or use any of their access, and this API cannot reactivate them.",
            input.user_id
        ))
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let user = ctx
            .hex()?
            .users()
            .deactivate(input.user_id.as_str())
            .await
            .map_err(|error| {
                ToolError::from(error).about("user", &input.user_id, "list_hex_users")
            })?;
        // Hex answers 200 {user}: show who it was, by name and email.
        let mut answer = json!({"deactivated": true, "userId": input.user_id});
        if let (Some(user), Value::Object(object)) = (user, &mut answer) {
            object.insert("user".into(), crate::output::to_output(&user)?);
        }
        Ok(answer)
    }
}
