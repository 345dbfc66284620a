//! Users: Me, ListUsers (sorted by name and e-mail both ways, filtered by group), DeactivateUser.

use hex_client::PageCaps;
use hex_client::api::SortDirection;
use hex_client::api::users::{ListUsersParams, OrgRole, User, UserSortBy};

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang, sorted};

async fn all_users(env: &Env, params: ListUsersParams) -> Vec<User> {
    let walker = env
        .client
        .users()
        .pages(params, PageCaps::default().page_size(7));
    env.ok(no_hang(walker.collect_items()).await).items
}

#[tokio::test]
async fn me_is_the_token_user() {
    let env = Env::start().await;
    let me = env.ok(no_hang(env.client.users().me()).await);
    assert_eq!(me.id, env.sandbox.state().me_id());
    assert_eq!(me.role, Some(OrgRole::Admin));
    assert!(me.email.contains('@'));
    assert!(me.org.is_some_and(|o| !o.id.is_empty()));
    assert_eq!(
        me.token.map(|t| t.exp),
        Some(None),
        "a token that never expires"
    );
}

#[tokio::test]
async fn list_users_sorted_by_name_and_email_both_ways() {
    let env = Env::start().await;
    let mut expected = env.sandbox.state().user_ids();
    expected.sort();
    for sort_by in UserSortBy::KNOWN {
        for direction in SortDirection::KNOWN {
            let params = ListUsersParams {
                sort_by: Some(sort_by.clone()),
                sort_direction: Some(direction.clone()),
                ..ListUsersParams::default()
            };
            let users = all_users(&env, params).await;
            let mut ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
            ids.sort();
            assert_eq!(ids, expected, "{sort_by} {direction}");
            let keys: Vec<String> = match sort_by {
                UserSortBy::Email => users.iter().map(|u| u.email.to_lowercase()).collect(),
                _ => users
                    .iter()
                    .map(|u| u.name.clone().unwrap_or_default().to_lowercase())
                    .collect(),
            };
            let asc = *direction == SortDirection::Asc;
            assert!(sorted(&keys, asc), "{sort_by} {direction}: {keys:?}");
        }
    }
}

#[tokio::test]
async fn list_users_filtered_by_group_gives_its_members() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    for group_id in state.group_ids() {
        let mut expected = state.group_member_ids(&group_id);
        expected.sort();
        let params = ListUsersParams {
            group_id: Some(group_id.clone()),
            ..ListUsersParams::default()
        };
        let mut ids: Vec<String> = all_users(&env, params)
            .await
            .into_iter()
            .map(|u| u.id)
            .collect();
        ids.sort();
        assert!(!ids.is_empty());
        assert_eq!(ids, expected, "group {group_id}");
    }
    let params = ListUsersParams {
        group_id: Some(UNKNOWN_ID.to_owned()),
        ..ListUsersParams::default()
    };
    let err = env.err(no_hang(env.client.users().list(&params)).await);
    api_error(&err, 404);
}

#[tokio::test]
async fn deactivate_user_answers_200_and_the_user_leaves_the_list() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let user_id = state.user_ids()[9].clone();
    env.ok(no_hang(env.client.users().deactivate(&user_id)).await);
    let logged = env.sandbox.requests().last().unwrap().clone();
    assert_eq!((logged.method.as_str(), logged.status), ("POST", 200));
    let users = all_users(&env, ListUsersParams::default()).await;
    assert_eq!(users.len(), state.user_ids().len() - 1);
    assert!(!users.iter().any(|u| u.id == user_id));
    // Deactivating yourself is refused.
    let err = env.err(no_hang(env.client.users().deactivate(&state.me_id())).await);
    api_error(&err, 400);
}

#[tokio::test]
async fn list_users_by_ids_returns_only_those_users() {
    let env = Env::start().await;
    let all = env.sandbox.state().user_ids();
    let wanted = vec![all[1].clone(), all[3].clone()];
    let params = ListUsersParams {
        user_ids: wanted.clone(),
        ..ListUsersParams::default()
    };
    let mut ids: Vec<String> = all_users(&env, params)
        .await
        .into_iter()
        .map(|user| user.id)
        .collect();
    ids.sort();
    let mut expected = wanted;
    expected.sort();
    assert_eq!(ids, expected);
}
