//! Collections: ListCollections, GetCollection, CreateCollection, EditCollection.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{MAX_PAGE_SIZE, cursor_params, cursor_query, walk};
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::pagination::{Page, PageCaps, Paginator};
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};
use crate::wire::{Extra, wire_enum};

const LIST: Op = Op::get(Operation::ListCollections);
const GET: Op = Op::get(Operation::GetCollection);
const CREATE: Op = Op::create(Operation::CreateCollection);
// Renames and sharing upserts set state: repeating them changes nothing more.
const EDIT: Op = Op::new(Operation::EditCollection, Repeat::Safe);

wire_enum! {
    /// `ListCollectionsSortByEnum` (no direction).
    CollectionSortBy { Name = "NAME" }
}

/// A collection access level. Hex's description declares it a bare string with no values, so it is
/// kept as text (the UI's roles are not in the reference).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CollectionAccess(pub String);

impl fmt::Display for CollectionAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for CollectionAccess {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A collection (`CollectionApiResource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<CollectionCreator>,
    /// Who can see it.
    #[serde(default)]
    pub sharing: CollectionSharing,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{email, id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionCreator {
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// User id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A collection's sharing (`CollectionApiResourceSharing`), as read and as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionSharing {
    /// Users: `[{access, id}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<CollectionGrant>>,
    /// Groups: `[{access, id}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<CollectionGrant>>,
    /// Workspace members' access: `{members}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<CollectionWorkspace>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{access, id}` of a user or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionGrant {
    /// Access level.
    pub access: CollectionAccess,
    /// User or group id.
    pub id: String,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CollectionGrant {
    /// Gives `id` the access level `access`.
    pub fn new(id: impl Into<String>, access: impl Into<CollectionAccess>) -> Self {
        Self {
            access: access.into(),
            id: id.into(),
            extra: Extra::new(),
        }
    }
}

/// `{members?}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionWorkspace {
    /// Access of every workspace member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<CollectionAccess>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// ListCollections parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCollectionsParams {
    /// Collections per page (1..=100).
    pub limit: Option<u32>,
    /// Cursor for the next page.
    pub after: Option<String>,
    /// Cursor for the previous page.
    pub before: Option<String>,
    /// Sort field (`NAME` only).
    pub sort_by: Option<CollectionSortBy>,
}

cursor_params!(ListCollectionsParams);

/// CreateCollection body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateCollectionRequest {
    /// Name (required).
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Initial sharing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing: Option<CollectionSharing>,
}

/// EditCollection body: only the fields set are changed; sharing entries are upserted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateCollectionRequest {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `{upsert: {...}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing: Option<CollectionSharingUpdate>,
}

/// `{upsert: CollectionApiResourceSharing}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CollectionSharingUpdate {
    /// Entries to add or change.
    pub upsert: CollectionSharing,
}

impl UpdateCollectionRequest {
    /// Upserts these sharing entries.
    #[must_use]
    pub fn upsert_sharing(mut self, sharing: CollectionSharing) -> Self {
        self.sharing = Some(CollectionSharingUpdate { upsert: sharing });
        self
    }
}

/// Collection operations; get one with [`HexClient::collections`].
#[derive(Debug, Clone, Copy)]
pub struct Collections<'a> {
    pub(crate) client: &'a HexClient,
}

impl Collections<'_> {
    /// ListCollections: one page.
    pub async fn list(&self, params: &ListCollectionsParams) -> Result<Page<Collection>, HexError> {
        let query = cursor_query(
            params.limit,
            params.after.as_deref(),
            params.before.as_deref(),
            MAX_PAGE_SIZE,
        )?
        .opt("sortBy", params.sort_by.as_ref());
        self.client
            .send_json(&LIST, Call::at(&["collections"]).query(query))
            .await
    }

    /// ListCollections: every page, lazily, within `caps`.
    pub fn pages(&self, params: ListCollectionsParams, caps: PageCaps) -> Paginator<Collection> {
        walk(
            self.client,
            params,
            caps,
            MAX_PAGE_SIZE,
            |client, params| async move { client.collections().list(&params).await },
        )
    }

    /// GetCollection.
    pub async fn get(&self, collection_id: &str) -> Result<Collection, HexError> {
        self.client
            .send_json(
                &GET,
                Call::at(&["collections", id("collectionId", collection_id)?]),
            )
            .await
    }

    /// CreateCollection (201). Never retried.
    pub async fn create(&self, request: &CreateCollectionRequest) -> Result<Collection, HexError> {
        if request.name.trim().is_empty() {
            return Err(HexError::invalid_input("name must not be empty"));
        }
        self.client
            .send_json(&CREATE, Call::at(&["collections"]).json(request)?)
            .await
    }

    /// EditCollection.
    pub async fn update(
        &self,
        collection_id: &str,
        request: &UpdateCollectionRequest,
    ) -> Result<Collection, HexError> {
        if request.name.is_none() && request.description.is_none() && request.sharing.is_none() {
            return Err(HexError::invalid_input(
                "nothing to update: set name, description or sharing",
            ));
        }
        let call = Call::at(&["collections", id("collectionId", collection_id)?]).json(request)?;
        self.client.send_json(&EDIT, call).await
    }
}
