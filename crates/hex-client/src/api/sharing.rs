//! Project sharing: EditProjectSharingUsers, …Groups, …Collections, …OrgAndPublic.
//!
//! Reads (a project's `sharing`) name principals by e-mail or name; writes take ids. Each write
//! upserts at most 25 items and answers `{project, errors}`: one call can partly fail.

use std::future::Future;

use serde::Serialize;

use super::check_count;
use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};

pub use super::sharing_types::*;

/// Most items one sharing call accepts.
pub const MAX_SHARING_ITEMS: usize = 25;

// Upserts set access levels: sending the same list twice leaves the same state.
const USERS: Op = Op::new(Operation::EditProjectSharingUsers, Repeat::Safe);
const GROUPS: Op = Op::new(Operation::EditProjectSharingGroups, Repeat::Safe);
const COLLECTIONS: Op = Op::new(Operation::EditProjectSharingCollections, Repeat::Safe);
const WORKSPACE: Op = Op::new(Operation::EditProjectSharingOrgAndPublic, Repeat::Safe);

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
