//! Project sharing: set the access users, groups, collections, the workspace and the public web
//! have to one project. Hex takes 25 principals per call; these tools take up to 500, send them
//! in batches, and never let a partial failure read as success.

mod batches;
mod grants;

use hex_client::Operation;
use hex_client::api::sharing::{
    CollectionGrant, GroupGrant, SharingError, UserGrant, WorkspaceSharing,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub(crate) use grants::{Grant, Grants, principals};

pub(crate) use self::batches::reasons;
use self::batches::{Batches, Request, report, send_all, shared_project};
use super::vocab::AccessLevel;
use crate::subject::Subject;
use crate::{
    context::ToolContext,
    errors::ToolError,
    input::{HexId, input_enum},
    output::to_output,
    registry::{Confirm, Effect, HexTool, RegisteredTool, ToolResult, ToolSpec, Toolset},
};

pub fn tools() -> Vec<RegisteredTool> {
    vec![
        RegisteredTool::of::<UpdateUserSharing>(),
        RegisteredTool::of::<UpdateGroupSharing>(),
        RegisteredTool::of::<UpdateCollectionSharing>(),
        RegisteredTool::of::<UpdateWorkspaceSharing>(),
    ]
}

/// Most principals one call takes (Hex's batches of 25 are sent one after the other).
const MAX_PRINCIPALS: usize = 500;

/// "Give FULL_ACCESS on project P to users a, b (…)", when any item grants FULL_ACCESS.
fn full_access_risk<T: Grant>(project_id: &HexId, grants: &Grants<T>, who: &str) -> Option<String> {
    let full = grants.given(AccessLevel::FullAccess);
    (!full.is_empty()).then(|| {
        format!(
            "Give FULL_ACCESS (edit, delete, share with anyone) on project {project_id} to {}{who}.",
            principals(T::KIND, &full)
        )
    })
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateUserSharing;

// An item of user_permissions.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPermission {
    user_id: HexId,
    access: AccessLevel,
}

impl Grant for UserPermission {
    const KIND: &'static str = "user";
    const MAX: usize = MAX_PRINCIPALS;
    fn principal(&self) -> &HexId {
        &self.user_id
    }
    fn access(&self) -> AccessLevel {
        self.access
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserSharingInput {
    project_id: HexId,
    user_permissions: Grants<UserPermission>,
}

impl HexTool for UpdateUserSharing {
    type Input = UserSharingInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_project_user_sharing",
        title: "Share with users",
        description: "Set users' access to a project; NONE revokes, others keep theirs.",
        toolset: Toolset::Sharing,
        effect: Effect::OVERWRITE,
        operations: &[Operation::EditProjectSharingUsers],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::Project(input.project_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        full_access_risk(&input.project_id, &input.user_permissions, "")
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let grants = input
            .user_permissions
            .iter()
            .map(|item| UserGrant::new(item.user_id.as_str(), item.access.into()));
        let batches = Batches::Users(grants.collect());
        share(
            &ctx,
            &input.project_id,
            &input.user_permissions,
            batches,
            "list_hex_users",
        )
        .await
    }
}

/// Sends the batches and reports on them.
async fn share<T: Grant>(
    ctx: &ToolContext,
    project_id: &HexId,
    grants: &Grants<T>,
    batches: Batches,
    finder: &'static str,
) -> ToolResult {
    let outcome = send_all(ctx.hex()?, project_id, &batches).await;
    let request = Request {
        project_id,
        kind: T::KIND,
        ids: grants
            .iter()
            .map(|grant| grant.principal().as_str())
            .collect(),
        finder,
    };
    report(&request, outcome)
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateGroupSharing;

// An item of group_permissions.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPermission {
    group_id: HexId,
    access: AccessLevel,
}

impl Grant for GroupPermission {
    const KIND: &'static str = "group";
    const MAX: usize = MAX_PRINCIPALS;
    fn principal(&self) -> &HexId {
        &self.group_id
    }
    fn access(&self) -> AccessLevel {
        self.access
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupSharingInput {
    project_id: HexId,
    group_permissions: Grants<GroupPermission>,
}

impl HexTool for UpdateGroupSharing {
    type Input = GroupSharingInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_project_group_sharing",
        title: "Share with groups",
        description: "Set groups' access to a project; NONE revokes, others keep theirs.",
        toolset: Toolset::Sharing,
        effect: Effect::OVERWRITE,
        operations: &[Operation::EditProjectSharingGroups],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::Project(input.project_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        full_access_risk(
            &input.project_id,
            &input.group_permissions,
            " (every member of them)",
        )
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let grants = input
            .group_permissions
            .iter()
            .map(|item| GroupGrant::new(item.group_id.as_str(), item.access.into()));
        let batches = Batches::Groups(grants.collect());
        share(
            &ctx,
            &input.project_id,
            &input.group_permissions,
            batches,
            "list_hex_groups",
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateCollectionSharing;

// An item of collection_permissions.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionPermission {
    collection_id: HexId,
    access: AccessLevel,
}

impl Grant for CollectionPermission {
    const KIND: &'static str = "collection";
    const MAX: usize = MAX_PRINCIPALS;
    fn principal(&self) -> &HexId {
        &self.collection_id
    }
    fn access(&self) -> AccessLevel {
        self.access
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionSharingInput {
    project_id: HexId,
    collection_permissions: Grants<CollectionPermission>,
}

impl HexTool for UpdateCollectionSharing {
    type Input = CollectionSharingInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_project_collection_sharing",
        title: "Add to collections",
        description: "Put a project in collections with the access their members get; NONE takes it out.",
        toolset: Toolset::Sharing,
        effect: Effect::OVERWRITE,
        operations: &[Operation::EditProjectSharingCollections],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::Project(input.project_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        full_access_risk(
            &input.project_id,
            &input.collection_permissions,
            " (every member of them)",
        )
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let grants = input
            .collection_permissions
            .iter()
            .map(|item| CollectionGrant::new(item.collection_id.as_str(), item.access.into()));
        let batches = Batches::Collections(grants.collect());
        let finder = "list_hex_collections";
        share(
            &ctx,
            &input.project_id,
            &input.collection_permissions,
            batches,
            finder,
        )
        .await
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateWorkspaceSharing;

input_enum!(
    /// What anyone with the link gets; Hex's docs offer only these for the public web.
    PublicAccess: hex_client::api::sharing::AccessLevel { NoAccess, AppOnly, CanView }
);

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceSharingInput {
    project_id: HexId,
    workspace_access: Option<AccessLevel>,
    public_access: Option<PublicAccess>,
}

impl HexTool for UpdateWorkspaceSharing {
    type Input = WorkspaceSharingInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_project_workspace_sharing",
        title: "Share with workspace or web",
        description: "Set a project's access for all workspace members and/or anyone with the link.",
        toolset: Toolset::Sharing,
        effect: Effect::OVERWRITE,
        operations: &[Operation::EditProjectSharingOrgAndPublic],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::Project(input.project_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        let workspace = match input.workspace_access {
            Some(access @ (AccessLevel::CanEdit | AccessLevel::FullAccess)) => Some(access),
            _ => None,
        };
        let public = match input.public_access {
            Some(PublicAccess::AppOnly) => Some("APP_ONLY (its published app)"),
            Some(PublicAccess::CanView) => Some("CAN_VIEW (its app and its logic)"),
            _ => None,
        };
        let project = format!("project {}", input.project_id);
        let public = public.map(|what| {
            format!("public: anyone on the internet with the link, without logging in, gets {what}")
        });
        match (workspace, public) {
            (Some(access), Some(public)) => Some(format!(
                "Give everyone in the workspace {access} on {project}, and make it {public}."
            )),
            (Some(access), None) => Some(format!(
                "Give everyone in the workspace {access} on {project}."
            )),
            (None, Some(public)) => Some(format!("Make {project} {public}.")),
            (None, None) => None,
        }
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        if input.workspace_access.is_none() && input.public_access.is_none() {
            return Err(ToolError::input(
                "",
                "give workspace_access, public_access or both",
            ));
        }
        let sharing = WorkspaceSharing {
            workspace: input.workspace_access.map(|access| access.into()),
            public_web: input.public_access.map(|access| access.into()),
        };
        let update = ctx
            .hex()?
            .sharing()
            .workspace_and_public(input.project_id.as_str(), &sharing)
            .await
            .map_err(|error| {
                ToolError::from(error).about("project", &input.project_id, "search_hex_projects")
            })?;
        workspace_report(&input, &update.errors, shared_project(&update.project)?)
    }
}

fn workspace_report(
    input: &WorkspaceSharingInput,
    errors: &[SharingError],
    project: Value,
) -> ToolResult {
    let asked = [
        ("workspace", input.workspace_access.map(AccessLevel::as_str)),
        ("publicWeb", input.public_access.map(PublicAccess::as_str)),
    ];
    let refused = |name: &str| errors.iter().any(|e| e.kind.as_deref() == Some(name));
    let mut applied = Vec::new();
    let mut failed = Vec::new();
    for (name, access) in asked {
        let Some(access) = access else { continue };
        let change = format!("{name} {access}");
        if refused(name) {
            failed.push(change);
        } else {
            applied.push(change);
        }
    }
    if applied.is_empty() {
        return Err(ToolError::refused(format!(
            "Hex applied none of the changes ({}) on project {}: {}; nothing was changed",
            failed.join(", "),
            input.project_id,
            reasons(errors)
        )));
    }
    let mut answer = Map::new();
    if errors.is_empty() {
        answer.insert("status".into(), json!("applied"));
        answer.insert(
            "message".into(),
            json!(format!("Applied: {}.", applied.join(", "))),
        );
    } else {
        answer.insert("status".into(), json!("partial"));
        let not = if failed.is_empty() {
            "Hex reported errors".to_string()
        } else {
            format!("NOT applied: {}", failed.join(", "))
        };
        answer.insert(
            "message".into(),
            json!(format!(
                "PARTIAL: applied {}; {not} (see errors).",
                applied.join(", ")
            )),
        );
        answer.insert("errors".into(), to_output(&errors)?);
    }
    answer.insert("project".into(), project);
    Ok(Value::Object(answer))
}
