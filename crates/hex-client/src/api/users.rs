//! Users: Me, ListUsers, DeactivateUser.

use serde::{Deserialize, Serialize};

use super::{MAX_LARGE_PAGE_SIZE, SortDirection, cursor_params, cursor_query, walk};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};
use crate::wire::{Extra, wire_enum};

const ME: Op = Op::get(Operation::Me);
const LIST: Op = Op::get(Operation::ListUsers);
// A POST, but it creates nothing: deactivating twice leaves the user deactivated.
const DEACTIVATE: Op = Op::new(Operation::DeactivateUser, Repeat::Safe);

wire_enum! {
    /// `OrgRole`.
    OrgRole {
        Admin = "ADMIN", Manager = "MANAGER", Editor = "EDITOR", Explorer = "EXPLORER", Member = "MEMBER",
        Guest = "GUEST", EmbeddedUser = "EMBEDDED_USER", Anonymous = "ANONYMOUS",
    }
}

wire_enum! {
    /// `ListUsersSortByEnum`.
    UserSortBy { Name = "NAME", Email = "EMAIL" }
}

/// A workspace user (`UserApiResource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Workspace role.
    pub role: OrgRole,
    /// E-mail.
    pub email: String,
    /// Last login (nullable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_date: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The token's user (Me). Hex answers one of two shapes: a user token's user (all fields) or,
/// for a workspace token, only `{org, token?}`; the user fields are then empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// Id (empty for a workspace token).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Workspace role (absent for a workspace token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<OrgRole>,
    /// E-mail (empty for a workspace token).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// Last login (nullable).
    #[serde(
        default,
        rename = "lastLoginDate",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_login_date: Option<String>,
    /// The workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgRef>,
    /// The token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenInfo>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{id}` of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRef {
    /// Workspace id.
    pub id: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{exp}`: when the token expires (unit not stated by Hex), `None` for never.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<f64>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// DeactivateUser's answer.
#[derive(Debug, Clone, Deserialize)]
struct Deactivated {
    #[serde(default)]
    user: Option<User>,
}

/// ListUsers parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListUsersParams {
    /// Users per page (1..=500).
    pub limit: Option<u32>,
    /// Cursor for the next page.
    pub after: Option<String>,
    /// Cursor for the previous page.
    pub before: Option<String>,
    /// Sort field.
    pub sort_by: Option<UserSortBy>,
    /// Sort direction.
    pub sort_direction: Option<SortDirection>,
    /// Only members of this group.
    pub group_id: Option<String>,
    /// Only these users (sent comma-separated as `userIds`).
    pub user_ids: Vec<String>,
}

cursor_params!(ListUsersParams);

/// User operations; get one with [`HexClient::users`].
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    pub(crate) client: &'a HexClient,
}

impl Users<'_> {
    /// Me: the user the token belongs to.
    pub async fn me(&self) -> Result<Me, HexError> {
        self.client.send_json(&ME, Call::at(&["users", "me"])).await
    }

    /// ListUsers: one page (up to 500 per page).
    pub async fn list(&self, params: &ListUsersParams) -> Result<Page<User>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_LARGE_PAGE_SIZE,
        )?
        .opt("sortBy", params.sort_by.as_ref())
        .opt("sortDirection", params.sort_direction.as_ref())
        .opt("groupId", params.group_id.as_deref())
        .opt(
            "userIds",
            (!params.user_ids.is_empty()).then(|| params.user_ids.join(",")),
        );
        self.client
            .send_json(&LIST, Call::at(&["users"]).query(query))
            .await
    }

    /// ListUsers: every page, lazily, within `caps`.
    pub fn pages(&self, params: ListUsersParams, caps: PageCaps) -> Paginator<User> {
        walk(
            self.client,
            params,
            caps,
            MAX_LARGE_PAGE_SIZE,
            |client, params| async move { client.users().list(&params).await },
        )
    }

    /// DeactivateUser: 200 `{user}` (the user as now deactivated); an empty answer, as older
    /// descriptions had it, reads as `None`.
    pub async fn deactivate(&self, user_id: &str) -> Result<Option<User>, HexError> {
        let call = Call::at(&["users", id("userId", user_id)?, "deactivate"]);
        let answer: Option<Deactivated> = self.client.send_optional_json(&DEACTIVATE, call).await?;
        Ok(answer.and_then(|answer| answer.user))
    }
}
