//! Collections: ListCollections, GetCollection, CreateCollection, EditCollection.

use hex_client::api::collections::{
    CollectionAccess, CollectionGrant, CollectionSharing, CollectionSortBy, CollectionWorkspace,
    CreateCollectionRequest, ListCollectionsParams, UpdateCollectionRequest,
};
use hex_client::{HexError, PageCaps};

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang, sorted};

#[tokio::test]
async fn list_and_get_collections() {
    let env = Env::start().await;
    let params = ListCollectionsParams {
        sort_by: Some(CollectionSortBy::Name),
        ..ListCollectionsParams::default()
    };
    let walker = env
        .client
        .collections()
        .pages(params, PageCaps::default().page_size(2));
    let all = env.ok(no_hang(walker.collect_items()).await).items;
    let mut ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    ids.sort();
    let mut expected = env.sandbox.state().collection_ids();
    expected.sort();
    assert_eq!(ids, expected);
    let names: Vec<String> = all.iter().map(|c| c.name.to_lowercase()).collect();
    assert!(sorted(&names, true), "{names:?}");
    for collection in &all {
        let got = env.ok(no_hang(env.client.collections().get(&collection.id)).await);
        assert_eq!(&got, collection);
        assert!(
            got.creator
                .as_ref()
                .is_some_and(|c| c.email.is_some() && c.id.is_some())
        );
    }
    let err = env.err(no_hang(env.client.collections().get(UNKNOWN_ID)).await);
    api_error(&err, 404);
}

#[tokio::test]
async fn create_and_update_a_collection() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let user = state.user_ids()[4].clone();
    let group = state.group_ids()[1].clone();
    let collections = env.client.collections();
    let request = CreateCollectionRequest {
        name: "Board decks".to_owned(),
        description: Some("What the board sees".to_owned()),
        sharing: Some(CollectionSharing {
            users: Some(vec![CollectionGrant::new(&user, "CAN_EDIT")]),
            groups: None,
            workspace: Some(CollectionWorkspace {
                members: Some(CollectionAccess::from("CAN_VIEW")),
                ..CollectionWorkspace::default()
            }),
            ..CollectionSharing::default()
        }),
    };
    let created = env.ok(no_hang(collections.create(&request)).await);
    assert_eq!(created.name, "Board decks");
    assert_eq!(created.description.as_deref(), Some("What the board sees"));
    let users = created.sharing.users.clone().unwrap();
    assert_eq!(
        (users[0].id.as_str(), users[0].access.0.as_str()),
        (user.as_str(), "CAN_EDIT")
    );
    assert_eq!(
        created.sharing.workspace.clone().unwrap().members,
        Some(CollectionAccess::from("CAN_VIEW"))
    );
    assert!(state.collection_ids().contains(&created.id));
    assert_eq!(env.sandbox.requests().last().unwrap().status, 201);

    let update = UpdateCollectionRequest {
        name: Some("Board decks (2026)".to_owned()),
        ..UpdateCollectionRequest::default()
    }
    .upsert_sharing(CollectionSharing {
        groups: Some(vec![CollectionGrant::new(&group, "CAN_VIEW")]),
        users: Some(vec![CollectionGrant::new(&user, "NONE")]),
        ..CollectionSharing::default()
    });
    let updated = env.ok(no_hang(collections.update(&created.id, &update)).await);
    assert_eq!(updated.name, "Board decks (2026)");
    assert_eq!(updated.description, created.description);
    let groups = updated.sharing.groups.clone().unwrap();
    assert!(groups.iter().any(|g| g.id == group));
    assert!(updated.sharing.users.clone().unwrap_or_default().is_empty());
    let logged = env.sandbox.requests().last().unwrap().body.clone().unwrap();
    assert!(logged["sharing"]["upsert"]["groups"].is_array(), "{logged}");
    assert_eq!(env.ok(no_hang(collections.get(&created.id)).await), updated);

    let err = env
        .err(no_hang(collections.update(&created.id, &UpdateCollectionRequest::default())).await);
    assert!(matches!(err, HexError::InvalidInput { .. }));
}
