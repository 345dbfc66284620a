//! Semantic projects: IngestSemanticProject, UpdateSemanticProject. Hex's description writes both
//! paths as the regex `/v1/semantic-(projects|models)/…`; this client sends the current
//! `semantic-projects` form.

mod types;
mod upload;

pub use types::*;

use crate::client::HexClient;
use crate::error::HexError;
use crate::operations::Operation;
use crate::retry::Repeat;
use crate::transport::{Call, Op, id};

// An ingest replaces the project's contents and counts against a 3-per-minute limit: sent once.
const INGEST: Op = Op::create(Operation::IngestSemanticProject);
// The batch sets statuses to given values: repeating it changes nothing more.
const UPDATE: Op = Op::new(Operation::UpdateSemanticProject, Repeat::Safe);

/// Semantic operations; get one with [`HexClient::semantic`].
#[derive(Debug, Clone, Copy)]
pub struct Semantic<'a> {
    pub(crate) client: &'a HexClient,
}

impl Semantic<'_> {
    /// IngestSemanticProject (201): uploads a zip archive of the project's files. With
    /// `dry_run` Hex validates and writes nothing. A malformed project answers 400 with
    /// [`crate::ErrorDetails::Problems`]. Never retried.
    pub async fn ingest(
        &self,
        semantic_project_id: &str,
        archive: &[u8],
        options: &IngestOptions,
    ) -> Result<SemanticSyncResponse, HexError> {
        let project = id("semanticProjectId", semantic_project_id)?;
        if archive.is_empty() {
            return Err(HexError::invalid_input("the archive is empty"));
        }
        let form = upload::ingest_form(archive, options);
        let call = Call::at(&["semantic-projects", project, "ingest"])
            .bytes(&form.content_type, form.body)?;
        self.client.send_json(&INGEST, call).await
    }

    /// UpdateSemanticProject: sets or removes the statuses of datasets and views, all or nothing
    /// (a rejected item fails the batch with [`crate::ErrorDetails::Items`] naming it).
    pub async fn update(
        &self,
        semantic_project_id: &str,
        request: &UpdateSemanticProjectRequest,
    ) -> Result<UpdateSemanticProjectResponse, HexError> {
        check_updates(request.updates.iter().map(|update| update.name.as_str()))?;
        let call = Call::at(&[
            "semantic-projects",
            id("semanticProjectId", semantic_project_id)?,
        ])
        .json(request)?;
        self.client.send_json(&UPDATE, call).await
    }
}

/// A status batch names at least one object, each by a non-empty name.
pub(crate) fn check_updates<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), HexError> {
    let mut count = 0;
    for name in names {
        count += 1;
        if name.trim().is_empty() {
            return Err(HexError::invalid_input(format!(
                "updates[{}].name must not be empty",
                count - 1
            )));
        }
    }
    if count == 0 {
        return Err(HexError::invalid_input(
            "nothing to update: give at least one update",
        ));
    }
    Ok(())
}
