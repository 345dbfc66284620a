//! What a risky change is about, named the way a person knows it (a group's name, a user's name
//! and email, a project's title), so a confirmation preview does not ask anyone to approve a
//! bare UUID.

use std::time::Duration;

use hex_client::{
    HexClient,
    api::{projects::GetProjectParams, users::ListUsersParams},
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
}

impl Subject {
    fn id(&self) -> &str {
        match self {
            Subject::Group(id)
            | Subject::User(id)
            | Subject::Project(id)
            | Subject::Collection(id)
            | Subject::DataConnection(id) => id,
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
