//! Types of the sharing operations (requests, responses, enums), re-exported by `api::sharing`.

use serde::{Deserialize, Serialize};

use super::IdRef;
use super::projects::{EmailRef, Project};
use crate::wire::{Extra, wire_enum};

wire_enum! {
    /// `AccessLevelEnum` (also public-web access). `NONE` removes access.
    AccessLevel {
        /// No access.
        NoAccess = "NONE",
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
    pub user: EmailRef,
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
