//! Groups: ListGroups, GetGroup, CreateGroup, EditGroup, DeleteGroup.

use serde::{Deserialize, Serialize};

use super::{
    IdRef, MAX_LARGE_PAGE_SIZE, SortDirection, check_count, cursor_params, cursor_query, walk,
};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};
use crate::wire::{Extra, wire_enum};

/// Most user ids in one `members` list (create, add or remove).
pub const MAX_MEMBER_CHANGES: usize = 100;

const LIST: Op = Op::get(Operation::ListGroups);
const GET: Op = Op::get(Operation::GetGroup);
const CREATE: Op = Op::create(Operation::CreateGroup);
// Renaming, adding or removing the same members again changes nothing more.
const EDIT: Op = Op::new(Operation::EditGroup, Repeat::Safe);
const DELETE: Op = Op::new(Operation::DeleteGroup, Repeat::Safe);

wire_enum! {
    /// `ListGroupsSortByEnum`.
    GroupSortBy { CreatedAt = "CREATED_AT", Name = "NAME" }
}

/// A group (`GroupApiResource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Creation (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CreateGroup's answer: `{id, name, members}` (no `createdAt`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedGroup {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<GroupMembers>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{users: [{id}]}`, at most 100 users in a write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMembers {
    /// Users by id.
    #[serde(default)]
    pub users: Vec<IdRef>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl GroupMembers {
    /// Members from user ids.
    pub fn users<I: IntoIterator<Item = S>, S: Into<String>>(user_ids: I) -> Self {
        Self {
            users: user_ids.into_iter().map(IdRef::new).collect(),
            extra: Extra::new(),
        }
    }
}

/// ListGroups parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListGroupsParams {
    /// Groups per page (1..=500).
    pub limit: Option<u32>,
    /// Cursor for the next page.
    pub after: Option<String>,
    /// Cursor for the previous page.
    pub before: Option<String>,
    /// Sort field.
    pub sort_by: Option<GroupSortBy>,
    /// Sort direction.
    pub sort_direction: Option<SortDirection>,
}

cursor_params!(ListGroupsParams);

/// CreateGroup body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateGroupRequest {
    /// Name (required).
    pub name: String,
    /// Initial members (at most 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<GroupMembers>,
}

/// EditGroup body: a new name and/or member changes (at most 100 ids each way).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateGroupRequest {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `{add, remove}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<GroupMemberChanges>,
}

/// `{add?: {users}, remove?: {users}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupMemberChanges {
    /// Users to add.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add: Option<GroupMembers>,
    /// Users to remove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove: Option<GroupMembers>,
}

/// Group operations; get one with [`HexClient::groups`].
#[derive(Debug, Clone, Copy)]
pub struct Groups<'a> {
    pub(crate) client: &'a HexClient,
}

impl Groups<'_> {
    /// ListGroups: one page (up to 500 per page).
    pub async fn list(&self, params: &ListGroupsParams) -> Result<Page<Group>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_LARGE_PAGE_SIZE,
        )?
        .opt("sortBy", params.sort_by.as_ref())
        .opt("sortDirection", params.sort_direction.as_ref());
        self.client
            .send_json(&LIST, Call::at(&["groups"]).query(query))
            .await
    }

    /// ListGroups: every page, lazily, within `caps`.
    pub fn pages(&self, params: ListGroupsParams, caps: PageCaps) -> Paginator<Group> {
        walk(
            self.client,
            params,
            caps,
            MAX_LARGE_PAGE_SIZE,
            |client, params| async move { client.groups().list(&params).await },
        )
    }

    /// GetGroup.
    pub async fn get(&self, group_id: &str) -> Result<Group, HexError> {
        self.client
            .send_json(&GET, Call::at(&["groups", id("groupId", group_id)?]))
            .await
    }

    /// CreateGroup (201). Never retried.
    pub async fn create(&self, request: &CreateGroupRequest) -> Result<CreatedGroup, HexError> {
        if request.name.trim().is_empty() {
            return Err(HexError::invalid_input("name must not be empty"));
        }
        if let Some(members) = &request.members {
            check_count("members", members.users.len(), MAX_MEMBER_CHANGES)?;
        }
        self.client
            .send_json(&CREATE, Call::at(&["groups"]).json(request)?)
            .await
    }

    /// EditGroup.
    pub async fn update(
        &self,
        group_id: &str,
        request: &UpdateGroupRequest,
    ) -> Result<Group, HexError> {
        let changes = request.members.as_ref();
        let add = changes
            .and_then(|m| m.add.as_ref())
            .map_or(0, |m| m.users.len());
        let remove = changes
            .and_then(|m| m.remove.as_ref())
            .map_or(0, |m| m.users.len());
        check_count("members to add", add, MAX_MEMBER_CHANGES)?;
        check_count("members to remove", remove, MAX_MEMBER_CHANGES)?;
        if request.name.is_none() && add == 0 && remove == 0 {
            return Err(HexError::invalid_input(
                "nothing to update: set name, members.add or members.remove",
            ));
        }
        let call = Call::at(&["groups", id("groupId", group_id)?]).json(request)?;
        self.client.send_json(&EDIT, call).await
    }

    /// DeleteGroup (204).
    pub async fn delete(&self, group_id: &str) -> Result<(), HexError> {
        self.client
            .send_empty(&DELETE, Call::at(&["groups", id("groupId", group_id)?]))
            .await
    }
}
