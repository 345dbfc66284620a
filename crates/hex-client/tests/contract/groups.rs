//! Groups: ListGroups, GetGroup, CreateGroup, EditGroup (rename, add and remove members),
//! DeleteGroup; membership read back through ListUsers with `groupId`.

use hex_client::PageCaps;
use hex_client::api::SortDirection;
use hex_client::api::groups::{
    CreateGroupRequest, GroupMemberChanges, GroupMembers, GroupSortBy, ListGroupsParams,
    UpdateGroupRequest,
};
use hex_client::api::users::ListUsersParams;

use crate::common::{Env, api_error, no_hang, sorted};

async fn member_ids(env: &Env, group_id: &str) -> Vec<String> {
    let params = ListUsersParams {
        group_id: Some(group_id.to_owned()),
        ..ListUsersParams::default()
    };
    let walker = env
        .client
        .users()
        .pages(params, PageCaps::default().page_size(2));
    let mut ids: Vec<String> = env
        .ok(no_hang(walker.collect_items()).await)
        .items
        .into_iter()
        .map(|u| u.id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn list_and_get_groups_sorted_both_ways() {
    let env = Env::start().await;
    let mut expected = env.sandbox.state().group_ids();
    expected.sort();
    for sort_by in GroupSortBy::KNOWN {
        for direction in SortDirection::KNOWN {
            let params = ListGroupsParams {
                sort_by: Some(sort_by.clone()),
                sort_direction: Some(direction.clone()),
                ..ListGroupsParams::default()
            };
            let walker = env
                .client
                .groups()
                .pages(params, PageCaps::default().page_size(4));
            let groups = env.ok(no_hang(walker.collect_items()).await).items;
            let mut ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
            ids.sort();
            assert_eq!(ids, expected);
            let asc = *direction == SortDirection::Asc;
            let keys: Vec<String> = match sort_by {
                GroupSortBy::Name => groups.iter().map(|g| g.name.to_lowercase()).collect(),
                _ => groups
                    .iter()
                    .map(|g| g.created_at.clone().unwrap())
                    .collect(),
            };
            assert!(sorted(&keys, asc), "{sort_by} {direction}: {keys:?}");
        }
    }
    let group_id = &expected[0];
    let group = env.ok(no_hang(env.client.groups().get(group_id)).await);
    assert_eq!(&group.id, group_id);
    assert!(group.created_at.is_some());
}

#[tokio::test]
async fn create_group_change_members_and_delete_it_read_back_through_list_users() {
    let env = Env::start().await;
    let users = env.sandbox.state().user_ids();
    let groups = env.client.groups();
    let request = CreateGroupRequest {
        name: "Forecasting guild".to_owned(),
        members: Some(GroupMembers::users([&users[1], &users[2], &users[3]])),
    };
    let created = env.ok(no_hang(groups.create(&request)).await);
    assert_eq!(created.name, "Forecasting guild");
    let members: Vec<&str> = created
        .members
        .as_ref()
        .unwrap()
        .users
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(members, [&users[1], &users[2], &users[3]]);
    let mut expected = vec![users[1].clone(), users[2].clone(), users[3].clone()];
    expected.sort();
    assert_eq!(member_ids(&env, &created.id).await, expected);

    let update = UpdateGroupRequest {
        name: Some("Forecasting".to_owned()),
        members: Some(GroupMemberChanges {
            add: Some(GroupMembers::users([&users[4], &users[5]])),
            remove: Some(GroupMembers::users([&users[2]])),
        }),
    };
    let updated = env.ok(no_hang(groups.update(&created.id, &update)).await);
    assert_eq!(
        (updated.id.as_str(), updated.name.as_str()),
        (created.id.as_str(), "Forecasting")
    );
    assert!(updated.created_at.is_some());
    let mut expected = vec![
        users[1].clone(),
        users[3].clone(),
        users[4].clone(),
        users[5].clone(),
    ];
    expected.sort();
    assert_eq!(member_ids(&env, &created.id).await, expected);
    let mut state_members = env.sandbox.state().group_member_ids(&created.id);
    state_members.sort();
    assert_eq!(state_members, expected);
    assert_eq!(env.ok(no_hang(groups.get(&created.id)).await), updated);

    env.ok(no_hang(groups.delete(&created.id)).await);
    assert_eq!(env.sandbox.requests().last().unwrap().status, 204);
    assert!(!env.sandbox.state().group_ids().contains(&created.id));
    let err = env.err(no_hang(groups.get(&created.id)).await);
    api_error(&err, 404);
}
