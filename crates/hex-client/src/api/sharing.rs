//! Project sharing: EditProjectSharingUsers, …Groups, …Collections, …OrgAndPublic.
//!
//! Reads (a project's `sharing`) name principals by e-mail or name; writes take ids. Each write
//! upserts at most 25 items and answers `{project, errors}`: one call can partly fail.

use std::future::Future;

use serde::{Deserialize, Serialize};

use super::projects::Project;
use super::{IdRef, check_count};
use crate::client::HexClient;
use crate::error::HexError;
use crate::retry::Repeat;
use crate::transport::{Call, Op, Verb, id};
use crate::wire::{Extra, wire_enum};

/// Most items one sharing call accepts.
pub const MAX_SHARING_ITEMS: usize = 25;

// Upserts set access levels: sending the same list twice leaves the same state.
const USERS: Op = Op::new(
    "EditProjectSharingUsers",
    Verb::Patch,
    "/v1/projects/{projectId}/sharing/users",
    Repeat::Safe,
);
const GROUPS: Op = Op::new(
    "EditProjectSharingGroups",
    Verb::Patch,
    "/v1/projects/{projectId}/sharing/groups",
    Repeat::Safe,
);
const COLLECTIONS: Op = Op::new(
    "EditProjectSharingCollections",
    Verb::Patch,
    "/v1/projects/{projectId}/sharing/collections",
    Repeat::Safe,
);
const WORKSPACE: Op = Op::new(
    "EditProjectSharingOrgAndPublic",
    Verb::Patch,
    "/v1/projects/{projectId}/sharing/workspaceAndPublic",
    Repeat::Safe,
);

wire_enum! {
    /// `AccessLevelEnum` (also public-web access). `NONE` removes access.
    AccessLevel {
        /// No access.
        None = "NONE",
        /// "Can view app".
        AppOnly = "APP_ONLY",
        /// "Can explore".
        CanView = "CAN_VIEW",
        /// Can edit.
        CanEdit = "CAN_EDIT",
        /// Full access.
        FullAccess = "FULL_ACCESS",
    }
}

/// A project's sharing as read (`SharingResource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSharing {
    /// Users with access.
    #[serde(default)]
    pub users: Vec<UserShare>,
    /// Collections the project is in.
    #[serde(default)]
    pub collections: Vec<CollectionShare>,
    /// Groups with access.
    #[serde(default)]
    pub groups: Vec<GroupShare>,
    /// Workspace-wide access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<AccessGrant>,
    /// Public web access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_web: Option<AccessGrant>,
    /// Hex support access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<AccessGrant>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{access}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGrant {
    /// Access level.
    pub access: AccessLevel,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user's access as read: `{access, user: {email}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserShare {
    /// Access level.
    pub access: AccessLevel,
    /// The user.
    pub user: super::projects::EmailRef,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A group's access as read: `{access, group: {name}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupShare {
    /// Access level.
    pub access: AccessLevel,
    /// The group.
    pub group: NameRef,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A collection's access as read: `{access, collection: {name}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionShare {
    /// Access level.
    pub access: AccessLevel,
    /// The collection.
    pub collection: NameRef,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRef {
    /// Name.
    pub name: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user access to set: `{access, user: {id}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserGrant {
    /// Access level (`NONE` removes the user).
    pub access: AccessLevel,
    /// The user's id.
    pub user: IdRef,
}

impl UserGrant {
    /// Gives `user_id` the access level `access`.
    pub fn new(user_id: impl Into<String>, access: AccessLevel) -> Self {
        Self {
            access,
            user: IdRef::new(user_id),
        }
    }
}

/// A group access to set: `{access, group: {id}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupGrant {
    /// Access level (`NONE` removes the group).
    pub access: AccessLevel,
    /// The group's id.
    pub group: IdRef,
}

impl GroupGrant {
    /// Gives `group_id` the access level `access`.
    pub fn new(group_id: impl Into<String>, access: AccessLevel) -> Self {
        Self {
            access,
            group: IdRef::new(group_id),
        }
    }
}

/// A collection access to set: `{access, collection: {id}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectionGrant {
    /// Access level (`NONE` takes the project out of the collection).
    pub access: AccessLevel,
    /// The collection's id.
    pub collection: IdRef,
}

impl CollectionGrant {
    /// Gives `collection_id` the access level `access`.
    pub fn new(collection_id: impl Into<String>, access: AccessLevel) -> Self {
        Self {
            access,
            collection: IdRef::new(collection_id),
        }
    }
}

/// EditProjectSharingOrgAndPublic: flat values, at least one set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSharing {
    /// Access for everyone in the workspace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<AccessLevel>,
    /// Access for anyone with the link, on the public web.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_web: Option<AccessLevel>,
}

/// The answer of a sharing edit: the project after the edit, and the items that failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharingUpdate {
    /// The project after the edit.
    pub project: Project,
    /// Items that could not be applied.
    #[serde(default)]
    pub errors: Vec<SharingError>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One failed sharing item; which id list is set depends on the endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharingError {
    /// Users that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
    /// Groups that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    /// Collections that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_ids: Option<Vec<String>>,
    /// `workspace` or `publicWeb` (EditProjectSharingOrgAndPublic).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{sharing: {upsert: {<kind>: [...]}}}`.
#[derive(Serialize)]
struct UpsertBody<'a> {
    sharing: Upsert<'a>,
}

#[derive(Serialize)]
struct Upsert<'a> {
    upsert: UpsertLists<'a>,
}

#[derive(Serialize)]
struct UpsertLists<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    users: Option<&'a [UserGrant]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<&'a [GroupGrant]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collections: Option<&'a [CollectionGrant]>,
}

#[derive(Serialize)]
struct WorkspaceBody<'a> {
    sharing: &'a WorkspaceSharing,
}

/// Sharing operations; get one with [`HexClient::sharing`].
#[derive(Debug, Clone, Copy)]
pub struct Sharing<'a> {
    pub(crate) client: &'a HexClient,
}

impl Sharing<'_> {
    /// EditProjectSharingUsers: up to 25 users per call.
    pub async fn users(
        &self,
        project_id: &str,
        grants: &[UserGrant],
    ) -> Result<SharingUpdate, HexError> {
        let lists = UpsertLists {
            users: Some(grants),
            groups: None,
            collections: None,
        };
        self.upsert(&USERS, project_id, "users", grants.len(), lists)
            .await
    }

    /// EditProjectSharingGroups: up to 25 groups per call.
    pub async fn groups(
        &self,
        project_id: &str,
        grants: &[GroupGrant],
    ) -> Result<SharingUpdate, HexError> {
        let lists = UpsertLists {
            users: None,
            groups: Some(grants),
            collections: None,
        };
        self.upsert(&GROUPS, project_id, "groups", grants.len(), lists)
            .await
    }

    /// EditProjectSharingCollections: up to 25 collections per call (workspace tokens also need
    /// "Collections → Write access").
    pub async fn collections(
        &self,
        project_id: &str,
        grants: &[CollectionGrant],
    ) -> Result<SharingUpdate, HexError> {
        let lists = UpsertLists {
            users: None,
            groups: None,
            collections: Some(grants),
        };
        self.upsert(&COLLECTIONS, project_id, "collections", grants.len(), lists)
            .await
    }

    /// EditProjectSharingUsers for any number of users: calls in chunks of 25, one after the other,
    /// and merges the `errors`; the project is the one after the last call. If a call fails, the
    /// chunks before it stay applied; upserts are idempotent, so sending the whole list again is safe.
    pub async fn users_chunked(
        &self,
        project_id: &str,
        grants: &[UserGrant],
    ) -> Result<SharingUpdate, HexError> {
        in_chunks(grants, |chunk| self.users(project_id, chunk)).await
    }

    /// EditProjectSharingGroups in chunks of 25 (see [`Sharing::users_chunked`]).
    pub async fn groups_chunked(
        &self,
        project_id: &str,
        grants: &[GroupGrant],
    ) -> Result<SharingUpdate, HexError> {
        in_chunks(grants, |chunk| self.groups(project_id, chunk)).await
    }

    /// EditProjectSharingCollections in chunks of 25 (see [`Sharing::users_chunked`]).
    pub async fn collections_chunked(
        &self,
        project_id: &str,
        grants: &[CollectionGrant],
    ) -> Result<SharingUpdate, HexError> {
        in_chunks(grants, |chunk| self.collections(project_id, chunk)).await
    }

    /// EditProjectSharingOrgAndPublic: workspace-wide and public-web access. Widening either exposes
    /// the project to many people; callers should say so.
    pub async fn workspace_and_public(
        &self,
        project_id: &str,
        sharing: &WorkspaceSharing,
    ) -> Result<SharingUpdate, HexError> {
        if sharing.workspace.is_none() && sharing.public_web.is_none() {
            return Err(HexError::invalid_input("set workspace, publicWeb or both"));
        }
        let call = Call::at(&[
            "projects",
            id("projectId", project_id)?,
            "sharing",
            "workspaceAndPublic",
        ])
        .json(&WorkspaceBody { sharing })?;
        self.client.send_json(&WORKSPACE, call).await
    }

    async fn upsert(
        &self,
        op: &Op,
        project_id: &str,
        kind: &'static str,
        count: usize,
        lists: UpsertLists<'_>,
    ) -> Result<SharingUpdate, HexError> {
        if count == 0 {
            return Err(HexError::invalid_input(format!(
                "give at least one of {kind} to share with"
            )));
        }
        check_count(kind, count, MAX_SHARING_ITEMS)?;
        let call = Call::at(&["projects", id("projectId", project_id)?, "sharing", kind]).json(
            &UpsertBody {
                sharing: Upsert { upsert: lists },
            },
        )?;
        self.client.send_json(op, call).await
    }
}

async fn in_chunks<'a, G, F, Fut>(grants: &'a [G], mut call: F) -> Result<SharingUpdate, HexError>
where
    F: FnMut(&'a [G]) -> Fut,
    Fut: Future<Output = Result<SharingUpdate, HexError>>,
{
    let mut merged: Option<SharingUpdate> = None;
    for chunk in grants.chunks(MAX_SHARING_ITEMS) {
        let mut update = call(chunk).await?;
        if let Some(previous) = merged.take() {
            let mut errors = previous.errors;
            errors.append(&mut update.errors);
            update.errors = errors;
        }
        merged = Some(update);
    }
    merged.ok_or_else(|| HexError::invalid_input("give at least one item to share with"))
}
