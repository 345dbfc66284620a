//! What a risky change is about, named the way a person knows it (a group's name, a user's name
//! and email, a project's title), so a confirmation preview does not ask anyone to approve a
//! bare UUID.

use std::time::Duration;

use hex_client::{
    HexClient,
    api::{guides::ListDraftGuidesParams, projects::GetProjectParams, users::ListUsersParams},
};

use crate::context::ToolContext;

/// The naming lookup is one read request; a slow Hex must not hold the preview up for long.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// The object of a risky change, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Group(String),
    User(String),
    Project(String),
    Collection(String),
    DataConnection(String),
    /// A cell, named by its label and its project's title.
    Cell(String),
    /// A guide, named by its path (Hex has no single-guide read: the first pages of drafts).
    Guide(String),
}

impl Subject {
    fn id(&self) -> &str {
        match self {
            Subject::Group(id)
            | Subject::User(id)
            | Subject::Project(id)
            | Subject::Collection(id)
            | Subject::DataConnection(id)
            | Subject::Cell(id)
            | Subject::Guide(id) => id,
        }
    }

    /// `risk` with the subject's id named, e.g. `Delete group "Finance" (87a2…)`. Unchanged when
    /// Hex cannot say (not configured, not found, too slow): the id alone is still exact.
    pub async fn name_in(&self, risk: &str, ctx: &ToolContext) -> String {
        let Ok(hex) = ctx.hex() else {
            return risk.to_string();
        };
        match tokio::time::timeout(LOOKUP_TIMEOUT, self.lookup(hex)).await {
            Ok(Some(name)) => named(risk, self.id(), &name),
            _ => risk.to_string(),
        }
    }

    async fn lookup(&self, hex: &HexClient) -> Option<String> {
        match self {
            Subject::Group(id) => hex
                .groups()
                .get(id)
                .await
                .ok()
                .map(|group| quoted(&group.name)),
            Subject::Project(id) => {
                let params = GetProjectParams::default();
                let project = hex.projects().get(id, &params).await.ok()?;
                Some(quoted(&project.title))
            }
            Subject::Collection(id) => {
                let collection = hex.collections().get(id).await.ok()?;
                Some(quoted(&collection.name))
            }
            Subject::DataConnection(id) => {
                let connection = hex.connections().get(id).await.ok()?;
                Some(quoted(&connection.name))
            }
            Subject::Cell(id) => {
                let cell = hex.cells().get(id).await.ok()?;
                let params = GetProjectParams::default();
                let project = hex.projects().get(&cell.project_id, &params).await.ok();
                let label = cell.label.filter(|label| !label.trim().is_empty());
                Some(match (label, project) {
                    (Some(label), Some(project)) => {
                        format!("{} of project {}", quoted(&label), quoted(&project.title))
                    }
                    (None, Some(project)) => format!("of project {}", quoted(&project.title)),
                    (Some(label), None) => quoted(&label),
                    (None, None) => return None,
                })
            }
            Subject::Guide(id) => guide_path(hex, id).await.map(|path| quoted(&path)),
            Subject::User(id) => {
                let params = ListUsersParams {
                    user_ids: vec![id.clone()],
                    ..ListUsersParams::default()
                };
                let page = hex.users().list(&params).await.ok()?;
                let user = page.values.into_iter().find(|user| &user.id == id)?;
                Some(match user.name.filter(|name| !name.trim().is_empty()) {
                    Some(name) => format!("{} <{}>", quoted(&name), user.email),
                    None => format!("<{}>", user.email),
                })
            }
        }
    }
}

/// Pages of draft guides read to find one guide's path (Hex has no GetGuide).
const GUIDE_PAGES: usize = 3;

async fn guide_path(hex: &HexClient, id: &str) -> Option<String> {
    let mut params = ListDraftGuidesParams {
        limit: Some(100),
        ..ListDraftGuidesParams::default()
    };
    for _ in 0..GUIDE_PAGES {
        let page = hex.guides().list(&params).await.ok()?;
        if let Some(guide) = page.values.iter().find(|guide| guide.id == id) {
            return Some(guide.file_path.clone());
        }
        params.after = Some(page.pagination.after?);
    }
    None
}

/// Names are Hex users' own text: quoted, on one line, and not endless.
fn quoted(name: &str) -> String {
    let one_line: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    format!("\"{}\"", one_line.trim())
}

fn named(risk: &str, id: &str, name: &str) -> String {
    if risk.contains(id) {
        risk.replacen(id, &format!("{name} ({id})"), 1)
    } else {
        format!("{risk} ({name})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_named_once_and_kept() {
        let risk = "Delete group 87a2: its members lose access. Group 87a2 cannot come back.";
        assert_eq!(
            named(risk, "87a2", "\"Finance\""),
            "Delete group \"Finance\" (87a2): its members lose access. Group 87a2 cannot come back."
        );
        assert_eq!(
            named("Publish drafts", "87a2", "\"x\""),
            "Publish drafts (\"x\")"
        );
    }

    #[test]
    fn names_stay_on_one_bounded_line() {
        assert_eq!(quoted("Data\nTeam\u{7}"), "\"Data Team\"");
        assert_eq!(quoted(&"n".repeat(500)).len(), 122);
    }
}
