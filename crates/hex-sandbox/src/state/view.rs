//! Read access to a sandbox's workspace for test assertions: snapshots of ids.

use std::sync::Arc;

use uuid::Uuid;

use super::{Project, Shared};

/// Read access to the workspace for test assertions: snapshots of ids, as strings.
#[derive(Clone)]
pub struct SandboxState {
    pub(crate) shared: Arc<Shared>,
}

impl SandboxState {
    /// Every project id, newest created first (ListProjects' default order), archived, trashed
    /// and components included.
    pub fn project_ids(&self) -> Vec<String> {
        let ws = self.shared.read();
        ws.project_index
            .created
            .iter()
            .rev()
            .map(|(_, id)| id.to_string())
            .collect()
    }

    /// Projects RunProject accepts and whose runs complete: published, not archived or trashed,
    /// not seeded to fail. Newest created first.
    pub fn runnable_project_ids(&self) -> Vec<String> {
        self.projects_where(|p| {
            p.last_published_at.is_some()
                && p.archived_at.is_none()
                && p.trashed_at.is_none()
                && !p.runs_fail
        })
    }

    /// Published projects whose runs end ERRORED.
    pub fn failing_project_ids(&self) -> Vec<String> {
        self.projects_where(|p| p.last_published_at.is_some() && p.runs_fail)
    }

    /// Projects never published (RunProject answers 422).
    pub fn unpublished_project_ids(&self) -> Vec<String> {
        self.projects_where(|p| p.last_published_at.is_none())
    }

    /// The inputs of a project's published app: (name, data type such as `NUMBER`).
    pub fn project_inputs(&self, project_id: &str) -> Vec<(String, String)> {
        let ws = self.shared.read();
        parse(project_id)
            .and_then(|id| ws.projects.get(&id))
            .map(|p| {
                p.inputs
                    .iter()
                    .map(|i| (i.name.to_owned(), i.data_type.as_str().to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The id of the token's user (`GET /v1/users/me`).
    pub fn me_id(&self) -> String {
        self.shared.read().me.to_string()
    }

    /// Active and deactivated users, in seed order.
    pub fn user_ids(&self) -> Vec<String> {
        self.shared
            .read()
            .users
            .iter()
            .map(|u| u.id.to_string())
            .collect()
    }

    /// Groups in creation order.
    pub fn group_ids(&self) -> Vec<String> {
        self.shared
            .read()
            .groups
            .iter()
            .map(|g| g.id.to_string())
            .collect()
    }

    /// Collections in creation order.
    pub fn collection_ids(&self) -> Vec<String> {
        self.shared
            .read()
            .collections
            .iter()
            .map(|c| c.id.to_string())
            .collect()
    }

    /// Data connections in creation order.
    pub fn connection_ids(&self) -> Vec<String> {
        self.shared
            .read()
            .connections
            .iter()
            .map(|c| c.id.to_string())
            .collect()
    }

    /// A project's cells in notebook order (empty for an unknown project).
    pub fn cell_ids(&self, project_id: &str) -> Vec<String> {
        let ws = self.shared.read();
        parse(project_id)
            .and_then(|id| ws.cell_order.get(&id))
            .map(|order| order.iter().map(|(_, id)| id.to_string()).collect())
            .unwrap_or_default()
    }

    /// A group's members (empty for an unknown group).
    pub fn group_member_ids(&self, group_id: &str) -> Vec<String> {
        let ws = self.shared.read();
        parse(group_id)
            .and_then(|id| ws.group(&id))
            .map(|g| g.members.iter().map(Uuid::to_string).collect())
            .unwrap_or_default()
    }

    /// A project's runs, oldest first.
    pub fn run_ids(&self, project_id: &str) -> Vec<String> {
        let ws = self.shared.read();
        parse(project_id)
            .and_then(|id| ws.project_runs.get(&id))
            .map(|runs| runs.iter().map(Uuid::to_string).collect())
            .unwrap_or_default()
    }

    fn projects_where(&self, keep: impl Fn(&Project) -> bool) -> Vec<String> {
        let ws = self.shared.read();
        ws.project_index
            .created
            .iter()
            .rev()
            .filter_map(|(_, id)| ws.projects.get(id))
            .filter(|p| keep(p))
            .map(|p| p.id.to_string())
            .collect()
    }
}

fn parse(id: &str) -> Option<Uuid> {
    Uuid::try_parse(id).ok()
}
