//! What one bulk change sets: each principal (user, group, collection, the workspace, the public
//! web) with the access it should end with, named the way a project's sharing reads it (users
//! by e-mail, groups and collections by name), since Hex's reads show no ids.

use hex_client::{
    HexClient,
    api::sharing::{AccessLevel, ProjectSharing},
    api::users::ListUsersParams,
};

use crate::{errors::ToolError, input::HexId};

/// Which list of a project's sharing a principal is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
    Collection,
    Workspace,
    PublicWeb,
}

/// One principal of the change.
#[derive(Clone, Debug)]
pub struct Target {
    pub kind: Kind,
    /// `None` for the workspace and the public web.
    pub id: Option<HexId>,
    /// The e-mail (user) or name (group, collection) sharing reads show.
    pub name: String,
}

impl Target {
    fn whole(kind: Kind) -> Target {
        Target {
            kind,
            id: None,
            name: String::new(),
        }
    }

    /// `group "Data"`, `user ana@example.com`, `workspace`, `public web`.
    pub fn label(&self) -> String {
        match self.kind {
            Kind::User => format!("user {}", self.name),
            Kind::Group => format!("group \"{}\"", self.name),
            Kind::Collection => format!("collection \"{}\"", self.name),
            Kind::Workspace => "workspace".into(),
            Kind::PublicWeb => "public web".into(),
        }
    }

    /// The principal's access on a project as its sharing reads it (absent is `NONE`).
    pub fn current(&self, sharing: &ProjectSharing) -> AccessLevel {
        let same = |name: &str| name.eq_ignore_ascii_case(&self.name);
        let found = match self.kind {
            Kind::User => sharing
                .users
                .iter()
                .find(|share| same(&share.user.email))
                .map(|share| share.access.clone()),
            Kind::Group => sharing
                .groups
                .iter()
                .find(|share| same(&share.group.name))
                .map(|share| share.access.clone()),
            Kind::Collection => sharing
                .collections
                .iter()
                .find(|share| same(&share.collection.name))
                .map(|share| share.access.clone()),
            Kind::Workspace => sharing.workspace.as_ref().map(|grant| grant.access.clone()),
            Kind::PublicWeb => sharing
                .public_web
                .as_ref()
                .map(|grant| grant.access.clone()),
        };
        found.unwrap_or(AccessLevel::NoAccess)
    }
}

/// The principals as the input lists them, before their names are known.
pub struct Wanted<'a> {
    pub users: &'a [HexId],
    pub groups: &'a [HexId],
    pub collections: &'a [HexId],
    pub workspace: bool,
    pub public_web: bool,
}

/// Looks up each principal's name: one ListUsers for all users, one GetGroup or GetCollection
/// each (those two have no rate limit). An unknown id is an input error before anything is
/// sent.
pub async fn resolve(hex: &HexClient, wanted: &Wanted<'_>) -> Result<Vec<Target>, ToolError> {
    let mut targets = Vec::new();
    if !wanted.users.is_empty() {
        let params = ListUsersParams {
            limit: u32::try_from(wanted.users.len()).ok(),
            user_ids: wanted.users.iter().map(HexId::to_string).collect(),
            ..ListUsersParams::default()
        };
        let page = hex.users().list(&params).await?;
        for id in wanted.users {
            let user = page
                .values
                .iter()
                .find(|user| user.id.eq_ignore_ascii_case(id.as_str()))
                .ok_or_else(|| {
                    ToolError::input(
                        "user_ids",
                        format!("no user {id}: check with list_hex_users"),
                    )
                })?;
            targets.push(Target {
                kind: Kind::User,
                id: Some(id.clone()),
                name: user.email.clone(),
            });
        }
    }
    for id in wanted.groups {
        let group = hex
            .groups()
            .get(id.as_str())
            .await
            .map_err(|error| ToolError::from(error).about("group", id, "list_hex_groups"))?;
        targets.push(Target {
            kind: Kind::Group,
            id: Some(id.clone()),
            name: group.name,
        });
    }
    for id in wanted.collections {
        let collection = hex.collections().get(id.as_str()).await.map_err(|error| {
            ToolError::from(error).about("collection", id, "list_hex_collections")
        })?;
        targets.push(Target {
            kind: Kind::Collection,
            id: Some(id.clone()),
            name: collection.name,
        });
    }
    if wanted.workspace {
        targets.push(Target::whole(Kind::Workspace));
    }
    if wanted.public_web {
        targets.push(Target::whole(Kind::PublicWeb));
    }
    Ok(targets)
}
