//! Where a user's or a group's access to a project comes from. A project's sharing names users
//! by e-mail and groups and collections by name; collections list their members by id. So the
//! audit reads the workspace's groups and collections once (both unpaced), and asks Hex which
//! groups the user is in only for the groups the walked pages mention (ListUsers, 30/min).

use std::collections::{BTreeMap, HashMap};

use hex_client::{
    HexClient, HexError, PageCaps,
    api::{
        collections::{Collection, ListCollectionsParams},
        groups::ListGroupsParams,
        projects::Project,
        sharing::AccessLevel,
        users::ListUsersParams,
    },
};
use serde_json::{Value, json};

use crate::errors::ToolError;

/// Access levels from least to most.
pub fn rank(access: &AccessLevel) -> u8 {
    match access {
        AccessLevel::NoAccess => 0,
        AccessLevel::AppOnly | AccessLevel::Unknown(_) => 1,
        AccessLevel::CanView => 2,
        AccessLevel::CanEdit => 3,
        AccessLevel::FullAccess => 4,
    }
}

/// Whose access is audited.
pub enum Who {
    User { id: String, email: String },
    Group { id: String, name: String },
}

/// The workspace's groups and collections, and what is known of the user's memberships.
pub struct Reach {
    pub who: Who,
    /// Group name → ids (names need not be unique).
    groups: HashMap<String, Vec<String>>,
    /// Collection name → collection.
    collections: HashMap<String, Collection>,
    /// Group id → whether the user is a member (user audits).
    member_of: HashMap<String, bool>,
}

impl Reach {
    pub async fn new(hex: &HexClient, who: Who, caps: PageCaps) -> Result<Reach, ToolError> {
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        let params = ListGroupsParams {
            limit: Some(hex_client::api::MAX_LARGE_PAGE_SIZE),
            ..ListGroupsParams::default()
        };
        let mut pages = hex.groups().pages(params, caps.clone());
        while let Some(page) = pages.next_page().await {
            for group in page?.values {
                groups.entry(group.name).or_default().push(group.id);
            }
        }
        let collections = collections_by_name(hex, caps).await?;
        Ok(Reach {
            who,
            groups,
            collections,
            member_of: HashMap::new(),
        })
    }

    /// Learns the user's membership of every group these projects mention (directly or through
    /// their collections). `Err` when Hex (or the pacing) refuses for now: the page waits.
    pub async fn learn(&mut self, hex: &HexClient, page: &[Project]) -> Result<(), HexError> {
        let Who::User { id: user, .. } = &self.who else {
            return Ok(());
        };
        let mut unknown: Vec<String> = Vec::new();
        for project in page {
            for group in self.groups_of(project) {
                if !self.member_of.contains_key(&group) && !unknown.contains(&group) {
                    unknown.push(group);
                }
            }
        }
        for group in unknown {
            let params = ListUsersParams {
                limit: Some(1),
                group_id: Some(group.clone()),
                user_ids: vec![user.clone()],
                ..ListUsersParams::default()
            };
            let member = match hex.users().list(&params).await {
                Ok(page) => page
                    .values
                    .iter()
                    .any(|found| found.id.eq_ignore_ascii_case(user)),
                // A group deleted meanwhile has no members.
                Err(error) if error.status() == Some(404) => false,
                Err(error) => return Err(error),
            };
            self.member_of.insert(group, member);
        }
        Ok(())
    }

    /// Every group id a project's sharing or its collections' sharing mentions.
    fn groups_of(&self, project: &Project) -> Vec<String> {
        let Some(sharing) = &project.sharing else {
            return Vec::new();
        };
        let direct = sharing
            .groups
            .iter()
            .filter_map(|share| self.groups.get(&share.group.name))
            .flatten()
            .cloned();
        let through = sharing
            .collections
            .iter()
            .filter_map(|share| self.collections.get(&share.collection.name))
            .flat_map(|collection| collection.sharing.groups.iter().flatten())
            .map(|grant| grant.id.clone());
        direct.chain(through).collect()
    }

    fn in_group(&self, ids: &[String]) -> bool {
        match &self.who {
            Who::User { .. } => ids.iter().any(|id| self.member_of.get(id) == Some(&true)),
            Who::Group { id, .. } => ids.iter().any(|group| group.eq_ignore_ascii_case(id)),
        }
    }

    fn in_collection(&self, collection: &Collection) -> bool {
        let sharing = &collection.sharing;
        let groups: Vec<String> = sharing
            .groups
            .iter()
            .flatten()
            .map(|grant| grant.id.clone())
            .collect();
        if self.in_group(&groups) {
            return true;
        }
        let Who::User { id, .. } = &self.who else {
            return false;
        };
        let direct = sharing
            .users
            .iter()
            .flatten()
            .any(|grant| grant.id.eq_ignore_ascii_case(id));
        let members = sharing
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.members.as_ref())
            .is_some_and(|access| !access.0.is_empty() && access.0 != "NONE");
        direct || members
    }

    /// `{id, title, access, via: {source: access}}` when the audited principal reaches the
    /// project at all, with the access's rank.
    pub fn entry(&self, project: &Project) -> Option<(u8, Value)> {
        let sharing = project.sharing.as_ref()?;
        let mut via: BTreeMap<String, AccessLevel> = BTreeMap::new();
        let mut add = |source: String, access: &AccessLevel| {
            if rank(access) > 0 {
                via.insert(source, access.clone());
            }
        };
        match &self.who {
            Who::User { email, .. } => {
                if project.owner.email.eq_ignore_ascii_case(email) {
                    add("owner".into(), &AccessLevel::FullAccess);
                }
                for share in &sharing.users {
                    if share.user.email.eq_ignore_ascii_case(email) {
                        add("direct".into(), &share.access);
                    }
                }
                if let Some(workspace) = &sharing.workspace {
                    add("workspace".into(), &workspace.access);
                }
            }
            Who::Group { name, .. } => {
                for share in &sharing.groups {
                    if share.group.name == *name {
                        add("direct".into(), &share.access);
                    }
                }
            }
        }
        if let Who::User { .. } = &self.who {
            for share in &sharing.groups {
                let ids = self
                    .groups
                    .get(&share.group.name)
                    .cloned()
                    .unwrap_or_default();
                if self.in_group(&ids) {
                    add(format!("group \"{}\"", share.group.name), &share.access);
                }
            }
        }
        for share in &sharing.collections {
            let name = &share.collection.name;
            if self
                .collections
                .get(name)
                .is_some_and(|c| self.in_collection(c))
            {
                add(format!("collection \"{name}\""), &share.access);
            }
        }
        // Anyone reaches a public project: said for a user, noise for a group.
        if let (Who::User { .. }, Some(public)) = (&self.who, &sharing.public_web) {
            add("public web".into(), &public.access);
        }
        let best = via.values().max_by_key(|access| rank(access))?.clone();
        let via: BTreeMap<String, &str> = via
            .iter()
            .map(|(source, access)| (source.clone(), access.as_str()))
            .collect();
        let entry = json!({
            "id": project.id,
            "title": project.title,
            "access": best.as_str(),
            "via": via,
        });
        Some((rank(&best), entry))
    }
}

/// Collections by name (project sharing names them; collections list their members by id).
pub async fn collections_by_name(
    hex: &HexClient,
    caps: PageCaps,
) -> Result<HashMap<String, Collection>, ToolError> {
    let params = ListCollectionsParams {
        limit: Some(hex_client::api::MAX_PAGE_SIZE),
        ..ListCollectionsParams::default()
    };
    let mut pages = hex.collections().pages(params, caps);
    let mut found = HashMap::new();
    while let Some(page) = pages.next_page().await {
        for collection in page?.values {
            found.insert(collection.name.clone(), collection);
        }
    }
    Ok(found)
}
