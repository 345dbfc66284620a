//! Sending up to 500 grants in Hex's batches of 25, and saying plainly which were applied:
//! Hex answers 200 even when some items fail, so a partial failure must not read as success.

use std::{collections::HashSet, ops::Range};

use hex_client::{
    HexClient, HexError,
    api::projects::Project,
    api::sharing::{
        CollectionGrant, GroupGrant, MAX_SHARING_ITEMS, ProjectSharing, SharingError,
        SharingUpdate, UserGrant,
    },
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::{errors::ToolError, input::HexId, output::to_output, registry::ToolResult};

/// The client's grants of one kind, in the order given.
pub enum Batches {
    Users(Vec<UserGrant>),
    Groups(Vec<GroupGrant>),
    Collections(Vec<CollectionGrant>),
}

impl Batches {
    fn len(&self) -> usize {
        match self {
            Batches::Users(all) => all.len(),
            Batches::Groups(all) => all.len(),
            Batches::Collections(all) => all.len(),
        }
    }

    async fn send(
        &self,
        hex: &HexClient,
        project_id: &str,
        range: Range<usize>,
    ) -> Result<SharingUpdate, HexError> {
        let sharing = hex.sharing();
        match self {
            Batches::Users(all) => {
                let batch = all.get(range).unwrap_or_default();
                sharing.users(project_id, batch).await
            }
            Batches::Groups(all) => {
                let batch = all.get(range).unwrap_or_default();
                sharing.groups(project_id, batch).await
            }
            Batches::Collections(all) => {
                let batch = all.get(range).unwrap_or_default();
                sharing.collections(project_id, batch).await
            }
        }
    }
}

/// What the batches did.
pub struct Outcome {
    /// The project after the last batch Hex answered.
    project: Option<Project>,
    /// Hex's per-item errors, all batches merged.
    errors: Vec<SharingError>,
    /// Where sending stopped because a call failed: the first unsent item, and why.
    stopped: Option<(usize, HexError)>,
}

/// Sends the batches one after the other. A failed call stops the rest: the earlier batches
/// stay applied, and since upserts are idempotent the caller can simply send the list again.
pub async fn send_all(hex: &HexClient, project_id: &HexId, batches: &Batches) -> Outcome {
    let mut outcome = Outcome {
        project: None,
        errors: Vec::new(),
        stopped: None,
    };
    let total = batches.len();
    for start in (0..total).step_by(MAX_SHARING_ITEMS) {
        let end = (start + MAX_SHARING_ITEMS).min(total);
        match batches.send(hex, project_id.as_str(), start..end).await {
            Ok(update) => {
                outcome.errors.extend(update.errors);
                outcome.project = Some(update.project);
            }
            Err(error) => {
                outcome.stopped = Some((start, error));
                break;
            }
        }
    }
    outcome
}

/// The request being reported on.
pub struct Request<'a> {
    pub project_id: &'a HexId,
    /// "user", "group", "collection".
    pub kind: &'static str,
    /// The principals, in the order given.
    pub ids: Vec<&'a str>,
    /// The tool that lists valid ids of this kind.
    pub finder: &'static str,
}

/// `{status, message, errors?, project: {id, title, sharing}}`; an error when nothing applied.
pub fn report(request: &Request<'_>, outcome: Outcome) -> ToolResult {
    let Outcome {
        project,
        mut errors,
        stopped,
    } = outcome;
    let kind = request.kind;
    let Some(project) = project else {
        // The first call failed: nothing was applied, Hex's error says why.
        let error = stopped.map(|(_, error)| ToolError::from(error));
        return Err(error
            .unwrap_or_else(|| ToolError::internal("no sharing call was made"))
            .about("project", request.project_id, "search_hex_projects"));
    };
    if let Some((start, error)) = stopped {
        let unsent = request.ids.get(start..).unwrap_or_default();
        errors.push(SharingError {
            reason: Some(format!(
                "not sent: the call for this batch failed ({error})"
            )),
            ..ids_error(kind, unsent)
        });
    }
    let refused: HashSet<String> = errors
        .iter()
        .flat_map(error_ids)
        .map(|id| id.to_ascii_lowercase())
        .collect();
    let total = request.ids.len();
    let failed = request
        .ids
        .iter()
        .filter(|id| refused.contains(**id))
        .count();
    let permissions = counted(total, &format!("{kind} permission"));
    if failed == total {
        return Err(ToolError::refused(format!(
            "Hex applied none of the {permissions} on project {}: {}. Check the ids with {}; nothing was changed",
            request.project_id,
            reasons(&errors),
            request.finder
        )));
    }
    let mut answer = Map::new();
    if errors.is_empty() {
        answer.insert("status".into(), json!("applied"));
        answer.insert("message".into(), json!(format!("Applied {permissions}.")));
    } else {
        answer.insert("status".into(), json!("partial"));
        answer.insert(
            "message".into(),
            json!(format!(
                "PARTIAL: {} of {total} {kind} permissions applied, {failed} NOT applied (see errors). Fix or drop those and call again; repeating the applied ones is harmless.",
                total - failed
            )),
        );
        answer.insert("errors".into(), to_output(&errors)?);
    }
    answer.insert("project".into(), shared_project(&project)?);
    Ok(Value::Object(answer))
}

/// "1 user permission", "30 user permissions".
fn counted(n: usize, noun: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {noun}{plural}")
}

/// A sharing error naming `ids` in the list of `kind`.
fn ids_error(kind: &str, ids: &[&str]) -> SharingError {
    let ids = Some(ids.iter().map(|id| (*id).to_string()).collect());
    let mut error = SharingError {
        user_ids: None,
        group_ids: None,
        collection_ids: None,
        kind: None,
        reason: None,
        extra: Default::default(),
    };
    match kind {
        "user" => error.user_ids = ids,
        "group" => error.group_ids = ids,
        _ => error.collection_ids = ids,
    }
    error
}

fn error_ids(error: &SharingError) -> impl Iterator<Item = &String> {
    [&error.user_ids, &error.group_ids, &error.collection_ids]
        .into_iter()
        .flatten()
        .flatten()
}

/// "User not found: 3f2b…, 9a1c…; User is deactivated: 77e0…".
pub fn reasons(errors: &[SharingError]) -> String {
    errors
        .iter()
        .map(|error| {
            let reason = error.reason.as_deref().unwrap_or("no reason given");
            let ids: Vec<&str> = error_ids(error).map(String::as_str).collect();
            let about = error.kind.as_deref().map(str::to_string);
            match (ids.is_empty(), about) {
                (false, _) => format!("{reason} ({})", ids.join(", ")),
                (true, Some(about)) => format!("{about}: {reason}"),
                (true, None) => reason.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The project as sharing answers show it: what identifies it and who can see it.
#[derive(Serialize)]
struct SharedProject<'a> {
    id: &'a str,
    title: &'a str,
    sharing: Option<&'a ProjectSharing>,
}

pub fn shared_project(project: &Project) -> ToolResult {
    to_output(&SharedProject {
        id: &project.id,
        title: &project.title,
        sharing: project.sharing.as_ref(),
    })
}
