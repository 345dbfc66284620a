//! Collections: list, read, create and edit them, with who they are shared with. Projects are put
//! in a collection with update_hex_project_collection_sharing and listed with list_hex_projects.

use hex_client::Operation;
use hex_client::api::collections::{
    CollectionGrant, CollectionSharing, CollectionWorkspace, CreateCollectionRequest,
    ListCollectionsParams, UpdateCollectionRequest,
};
use schemars::JsonSchema;
use serde::Deserialize;

use super::{
    common::{Sought, look_for_created, page_output},
    sharing::{Grant, Grants, principals},
    vocab::{AccessLevel, MAX_PAGE_SIZE},
};
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
        RegisteredTool::of::<ListCollections>(),
        RegisteredTool::of::<GetCollection>(),
        RegisteredTool::of::<CreateCollection>(),
        RegisteredTool::of::<UpdateCollection>(),
    ]
}

/// Most users or groups one call shares a collection with (Hex states no limit).
const MAX_MEMBERS: usize = 100;

const FINDER: &str = "list_hex_collections";

// ---------------------------------------------------------------------------------------------

pub struct ListCollections;

input_enum!(
    /// `ListCollectionsSortByEnum`.
    SortBy: hex_client::api::collections::CollectionSortBy { Name }
);

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListCollectionsInput {
    #[schemars(range(min = 1, max = MAX_PAGE_SIZE))]
    limit: Option<u32>,
    after: Option<String>,
    before: Option<String>,
    sort_by: Option<SortBy>,
}

impl HexTool for ListCollections {
    type Input = ListCollectionsInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "list_hex_collections",
        title: "List collections",
        description: "List collections by name, with their sharing.",
        toolset: Toolset::Collections,
        effect: Effect::READ,
        operations: &[Operation::ListCollections],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let params = ListCollectionsParams {
            limit: Some(input.limit.unwrap_or(25).clamp(1, MAX_PAGE_SIZE)),
            after: input.after,
            before: input.before,
            sort_by: input.sort_by.map(|sort| sort.into()),
        };
        let page = ctx.hex()?.collections().list(&params).await?;
        page_output(page, |collection| collection)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct GetCollection;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCollectionInput {
    collection_id: HexId,
}

impl HexTool for GetCollection {
    type Input = GetCollectionInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "get_hex_collection",
        title: "Get a collection",
        description: "Get a collection; its projects: list_hex_projects collection_id.",
        toolset: Toolset::Collections,
        effect: Effect::READ,
        operations: &[Operation::GetCollection],
        confirm: Confirm::Never,
    };

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let collection = ctx
            .hex()?
            .collections()
            .get(input.collection_id.as_str())
            .await
            .map_err(|error| {
                ToolError::from(error).about("collection", &input.collection_id, FINDER)
            })?;
        to_output(&collection)
    }
}

// ---------------------------------------------------------------------------------------------

/// `sharing_users` and `sharing_groups` in words (each item typed would cost twice the bytes in
/// every session's context; the parser checks every item strictly and names the field).
fn grants_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {"type": "object"},
        "maxItems": MAX_MEMBERS,
        "description": "[{id, access}]"
    })
}

// An item of sharing_users.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserAccess {
    id: HexId,
    access: AccessLevel,
}

impl Grant for UserAccess {
    const KIND: &'static str = "user";
    const MAX: usize = MAX_MEMBERS;
    fn principal(&self) -> &HexId {
        &self.id
    }
    fn access(&self) -> AccessLevel {
        self.access
    }
}

// An item of sharing_groups.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupAccess {
    id: HexId,
    access: AccessLevel,
}

impl Grant for GroupAccess {
    const KIND: &'static str = "group";
    const MAX: usize = MAX_MEMBERS;
    fn principal(&self) -> &HexId {
        &self.id
    }
    fn access(&self) -> AccessLevel {
        self.access
    }
}

/// Who a collection is shared with, as create and update take it.
struct Shares<'a> {
    users: Option<&'a Grants<UserAccess>>,
    groups: Option<&'a Grants<GroupAccess>>,
    workspace: Option<AccessLevel>,
}

impl Shares<'_> {
    fn is_empty(&self) -> bool {
        self.users.is_none() && self.groups.is_none() && self.workspace.is_none()
    }

    /// Hex's `CollectionApiResourceSharing`: `{users: [{access, id}], groups, workspace: {members}}`.
    fn to_hex(&self) -> Option<CollectionSharing> {
        if self.is_empty() {
            return None;
        }
        Some(CollectionSharing {
            users: self.users.map(hex_grants),
            groups: self.groups.map(hex_grants),
            workspace: self.workspace.map(|access| CollectionWorkspace {
                members: Some(access.as_str().into()),
                ..CollectionWorkspace::default()
            }),
            ..CollectionSharing::default()
        })
    }

    /// What needs a human's yes: FULL_ACCESS for anyone, or the whole workspace able to edit.
    fn risk(&self, collection: &str) -> Option<String> {
        let full = AccessLevel::FullAccess;
        let given = [
            self.users.map(|users| ("user", users.given(full))),
            self.groups.map(|groups| ("group", groups.given(full))),
        ];
        let mut changes: Vec<String> = given
            .into_iter()
            .flatten()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(kind, ids)| {
                format!(
                    "give FULL_ACCESS (manage it and its sharing) on {collection} to {}",
                    principals(kind, &ids)
                )
            })
            .collect();
        if let Some(access @ (AccessLevel::CanEdit | AccessLevel::FullAccess)) = self.workspace {
            changes.push(format!(
                "give everyone in the workspace {access} on {collection}"
            ));
        }
        let sentence = changes.join("; and ");
        let mut chars = sentence.chars();
        let first = chars.next()?;
        Some(first.to_uppercase().chain(chars).collect::<String>() + ".")
    }
}

fn hex_grants<T: Grant>(grants: &Grants<T>) -> Vec<CollectionGrant> {
    grants
        .iter()
        .map(|grant| CollectionGrant::new(grant.principal().as_str(), grant.access().as_str()))
        .collect()
}

fn check_name(name: &str) -> Result<(), ToolError> {
    if name.trim().is_empty() {
        return Err(ToolError::input("name", "must not be empty"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------

pub struct CreateCollection;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCollectionInput {
    name: String,
    description: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "grants_schema")]
    sharing_users: Option<Grants<UserAccess>>,
    #[serde(default)]
    #[schemars(schema_with = "grants_schema")]
    sharing_groups: Option<Grants<GroupAccess>>,
    workspace_access: Option<AccessLevel>,
}

impl CreateCollectionInput {
    fn shares(&self) -> Shares<'_> {
        Shares {
            users: self.sharing_users.as_ref(),
            groups: self.sharing_groups.as_ref(),
            workspace: self.workspace_access,
        }
    }
}

impl HexTool for CreateCollection {
    type Input = CreateCollectionInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "create_hex_collection",
        title: "Create a collection",
        description: "Create a collection; add projects with update_hex_project_collection_sharing.",
        toolset: Toolset::Collections,
        effect: Effect::CREATE,
        operations: &[Operation::CreateCollection],
        confirm: Confirm::WhenRisky,
    };

    const CREATED_CHECK: &'static str =
        "look for a collection of that name with list_hex_collections";

    fn risk(input: &Self::Input) -> Option<String> {
        input
            .shares()
            .risk(&format!("the new collection \"{}\"", input.name))
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        check_name(&input.name)?;
        let request = CreateCollectionRequest {
            sharing: input.shares().to_hex(),
            name: input.name,
            description: input.description,
        };
        let hex = ctx.hex()?;
        let error = match hex.collections().create(&request).await {
            Ok(collection) => return to_output(&collection),
            Err(error) => ToolError::from(error),
        };
        let all = ListCollectionsParams {
            limit: Some(100),
            ..ListCollectionsParams::default()
        };
        let pages = hex.collections().pages(all, ctx.limits().search_caps());
        let sought = Sought {
            kind: "collection",
            name: &request.name,
            finder: FINDER,
        };
        Err(look_for_created(error, pages, sought, |collection| {
            (collection.name.as_str(), collection.id.as_str())
        })
        .await)
    }
}

// ---------------------------------------------------------------------------------------------

pub struct UpdateCollection;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCollectionInput {
    collection_id: HexId,
    name: Option<String>,
    description: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "grants_schema")]
    sharing_users: Option<Grants<UserAccess>>,
    #[serde(default)]
    #[schemars(schema_with = "grants_schema")]
    sharing_groups: Option<Grants<GroupAccess>>,
    workspace_access: Option<AccessLevel>,
}

impl UpdateCollectionInput {
    fn shares(&self) -> Shares<'_> {
        Shares {
            users: self.sharing_users.as_ref(),
            groups: self.sharing_groups.as_ref(),
            workspace: self.workspace_access,
        }
    }
}

impl HexTool for UpdateCollection {
    type Input = UpdateCollectionInput;

    const SPEC: ToolSpec = ToolSpec {
        name: "update_hex_collection",
        title: "Edit a collection",
        description: "Rename a collection or set access to it (NONE removes; others keep theirs).",
        toolset: Toolset::Collections,
        effect: Effect::OVERWRITE,
        operations: &[Operation::EditCollection],
        confirm: Confirm::WhenRisky,
    };

    fn subject(input: &Self::Input) -> Option<Subject> {
        Some(Subject::Collection(input.collection_id.to_string()))
    }

    fn risk(input: &Self::Input) -> Option<String> {
        input
            .shares()
            .risk(&format!("collection {}", input.collection_id))
    }

    async fn call(ctx: ToolContext, input: Self::Input) -> ToolResult {
        let sharing = input.shares().to_hex();
        if input.name.is_none() && input.description.is_none() && sharing.is_none() {
            return Err(ToolError::input(
                "",
                "nothing to change: give name, description, sharing_users, sharing_groups or workspace_access",
            ));
        }
        if let Some(name) = &input.name {
            check_name(name)?;
        }
        let mut request = UpdateCollectionRequest {
            name: input.name,
            description: input.description,
            sharing: None,
        };
        if let Some(sharing) = sharing {
            request = request.upsert_sharing(sharing);
        }
        let collection = ctx
            .hex()?
            .collections()
            .update(input.collection_id.as_str(), &request)
            .await
            .map_err(|error| {
                ToolError::from(error).about("collection", &input.collection_id, FINDER)
            })?;
        to_output(&collection)
    }
}
