//! Project sharing: users, groups and collections (by id in, by e-mail or name out), workspace
//! and public web, partial `errors`, and lists longer than 25 sent in chunks.

use hex_client::HexError;
use hex_client::api::groups::ListGroupsParams;
use hex_client::api::projects::GetProjectParams;
use hex_client::api::sharing::{
    AccessLevel, CollectionGrant, GroupGrant, ProjectSharing, UserGrant, WorkspaceSharing,
};
use hex_client::api::users::{ListUsersParams, User};

use crate::common::{Env, UNKNOWN_ID, no_hang};

async fn users(env: &Env) -> Vec<User> {
    let params = ListUsersParams {
        limit: Some(500),
        ..ListUsersParams::default()
    };
    env.ok(no_hang(env.client.users().list(&params)).await)
        .values
}

async fn sharing_of(env: &Env, project_id: &str) -> ProjectSharing {
    let params = GetProjectParams {
        include_sharing: true,
    };
    let project = env.ok(no_hang(env.client.projects().get(project_id, &params)).await);
    project.sharing.expect("sharing")
}

#[tokio::test]
async fn share_with_users_groups_and_collections_and_read_back_by_email_and_name() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().project_ids()[0].clone();
    let sharing = env.client.sharing();
    let people = users(&env).await;
    let someone = people
        .iter()
        .find(|u| u.id != env.sandbox.state().me_id())
        .unwrap();

    let update = env.ok(no_hang(sharing.users(
        &project_id,
        &[UserGrant::new(&someone.id, AccessLevel::CanEdit)],
    ))
    .await);
    assert!(update.errors.is_empty(), "{:?}", update.errors);
    let shares = update
        .project
        .sharing
        .expect("the answer's project has sharing")
        .users;
    assert!(
        shares
            .iter()
            .any(|s| s.user.email == someone.email && s.access == AccessLevel::CanEdit)
    );

    let groups = env.ok(no_hang(env.client.groups().list(&ListGroupsParams::default())).await);
    let group = &groups.values[0];
    let update = env.ok(no_hang(sharing.groups(
        &project_id,
        &[GroupGrant::new(&group.id, AccessLevel::AppOnly)],
    ))
    .await);
    assert!(update.errors.is_empty());
    let collection_id = env.sandbox.state().collection_ids()[0].clone();
    let collection = env.ok(no_hang(env.client.collections().get(&collection_id)).await);
    let grant = CollectionGrant::new(&collection_id, AccessLevel::CanView);
    let update = env.ok(no_hang(sharing.collections(&project_id, &[grant])).await);
    assert!(update.errors.is_empty());

    let read = sharing_of(&env, &project_id).await;
    assert!(
        read.groups
            .iter()
            .any(|g| g.group.name == group.name && g.access == AccessLevel::AppOnly)
    );
    assert!(
        read.collections
            .iter()
            .any(|c| c.collection.name == collection.name && c.access == AccessLevel::CanView)
    );
    // NONE removes a principal.
    env.ok(no_hang(sharing.users(
        &project_id,
        &[UserGrant::new(&someone.id, AccessLevel::NoAccess)],
    ))
    .await);
    let read = sharing_of(&env, &project_id).await;
    assert!(!read.users.iter().any(|s| s.user.email == someone.email));
}

#[tokio::test]
async fn workspace_and_public_sharing_applies_what_it_can_and_lists_the_rest() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().project_ids()[0].clone();
    let sharing = env.client.sharing();
    let request = WorkspaceSharing {
        workspace: Some(AccessLevel::CanView),
        public_web: Some(AccessLevel::AppOnly),
    };
    let update = env.ok(no_hang(sharing.workspace_and_public(&project_id, &request)).await);
    assert!(update.errors.is_empty());
    let read = update.project.sharing.unwrap();
    assert_eq!(read.workspace.unwrap().access, AccessLevel::CanView);
    assert_eq!(read.public_web.unwrap().access, AccessLevel::AppOnly);
    // The body is flat values, not {access} objects.
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(
        logged,
        serde_json::json!({"sharing": {"workspace": "CAN_VIEW", "publicWeb": "APP_ONLY"}})
    );

    // Public web cannot edit: that part fails, the workspace part still applies (200).
    let request = WorkspaceSharing {
        workspace: Some(AccessLevel::CanEdit),
        public_web: Some(AccessLevel::FullAccess),
    };
    let update = env.ok(no_hang(sharing.workspace_and_public(&project_id, &request)).await);
    assert_eq!(update.errors.len(), 1, "{:?}", update.errors);
    assert_eq!(update.errors[0].kind.as_deref(), Some("publicWeb"));
    assert!(update.errors[0].reason.is_some());
    let read = sharing_of(&env, &project_id).await;
    assert_eq!(read.workspace.unwrap().access, AccessLevel::CanEdit);
    assert_eq!(read.public_web.unwrap().access, AccessLevel::AppOnly);
    // Nothing to change never leaves the client.
    let err = env.err(
        no_hang(sharing.workspace_and_public(&project_id, &WorkspaceSharing::default())).await,
    );
    assert!(matches!(err, HexError::InvalidInput { .. }));
}

#[tokio::test]
async fn unknown_principals_come_back_as_partial_errors() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().project_ids()[0].clone();
    let sharing = env.client.sharing();
    let someone = users(&env).await[3].clone();
    let grants = [
        UserGrant::new(&someone.id, AccessLevel::CanView),
        UserGrant::new(UNKNOWN_ID, AccessLevel::CanView),
    ];
    let update = env.ok(no_hang(sharing.users(&project_id, &grants)).await);
    assert_eq!(update.errors.len(), 1, "{:?}", update.errors);
    assert_eq!(update.errors[0].user_ids, Some(vec![UNKNOWN_ID.to_owned()]));
    assert!(
        update.errors[0]
            .reason
            .as_deref()
            .is_some_and(|r| !r.is_empty())
    );
    let shares = update.project.sharing.unwrap().users;
    assert!(
        shares.iter().any(|s| s.user.email == someone.email),
        "the known user applied"
    );

    let update = env.ok(no_hang(sharing.groups(
        &project_id,
        &[GroupGrant::new(UNKNOWN_ID, AccessLevel::CanView)],
    ))
    .await);
    assert_eq!(
        update.errors[0].group_ids,
        Some(vec![UNKNOWN_ID.to_owned()])
    );
    let grant = CollectionGrant::new(UNKNOWN_ID, AccessLevel::CanView);
    let update = env.ok(no_hang(sharing.collections(&project_id, &[grant])).await);
    assert_eq!(
        update.errors[0].collection_ids,
        Some(vec![UNKNOWN_ID.to_owned()])
    );
}

#[tokio::test]
async fn more_than_25_users_are_shared_in_chunks_of_25() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().project_ids()[0].clone();
    let me = env.sandbox.state().me_id();
    let people: Vec<User> = users(&env)
        .await
        .into_iter()
        .filter(|u| u.id != me)
        .collect();
    assert!(people.len() >= 30);
    let mut grants: Vec<UserGrant> = people[..30]
        .iter()
        .map(|u| UserGrant::new(&u.id, AccessLevel::CanView))
        .collect();
    grants.push(UserGrant::new(UNKNOWN_ID, AccessLevel::CanView));
    let sharing = env.client.sharing();

    // One call takes at most 25: refused before sending.
    let err = env.err(no_hang(sharing.users(&project_id, &grants)).await);
    assert!(matches!(err, HexError::InvalidInput { .. }), "{err:?}");
    assert_eq!(env.sandbox.count_requests("PATCH", "/v1/**"), 0);

    let update = env.ok(no_hang(sharing.users_chunked(&project_id, &grants)).await);
    assert_eq!(
        env.sandbox
            .count_requests("PATCH", "/v1/projects/*/sharing/users"),
        2
    );
    let sizes: Vec<usize> = env
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| {
            r.body.as_ref().unwrap()["sharing"]["upsert"]["users"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, [25, 6]);
    // The merged answer: the project after the last call, and the failure of the second chunk.
    assert_eq!(update.errors.len(), 1);
    assert_eq!(update.errors[0].user_ids, Some(vec![UNKNOWN_ID.to_owned()]));
    let read = sharing_of(&env, &project_id).await;
    for person in &people[..30] {
        assert!(
            read.users.iter().any(|s| s.user.email == person.email),
            "{} missing",
            person.email
        );
    }
    assert_eq!(update.project.sharing.unwrap().users, read.users);
}
