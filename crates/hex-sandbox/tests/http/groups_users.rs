//! Groups, users and collections: membership is real state.

use serde_json::json;

use crate::common::{Api, assert_error, ids};

#[tokio::test]
async fn group_membership_shows_in_list_users() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let users = state.user_ids();
    let created = api
        .post(
            "/groups",
            json!({"name": "On-call", "members": {"users": [{"id": users[3]}, {"id": users[4]}]}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["members"],
        json!({"users": [{"id": users[3]}, {"id": users[4]}]})
    );
    assert!(created.body.get("createdAt").is_none());
    let group = created.body["id"].as_str().unwrap().to_owned();

    let mut members = ids(&api.walk(&format!("/users?groupId={group}")).await);
    members.sort();
    let mut expected = vec![users[3].clone(), users[4].clone()];
    expected.sort();
    assert_eq!(members, expected);

    let edited = api
        .patch(&format!("/groups/{group}"), json!({"name": "On-call rota",
            "members": {"add": {"users": [{"id": users[7]}]}, "remove": {"users": [{"id": users[3]}]}}}))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["name"], "On-call rota");
    assert!(edited.body["createdAt"].is_string());
    let mut members = ids(&api.walk(&format!("/users?groupId={group}")).await);
    members.sort();
    let mut expected = vec![users[4].clone(), users[7].clone()];
    expected.sort();
    assert_eq!(members, expected);
    assert_eq!(state.group_member_ids(&group).len(), 2);

    let seeded = state.group_ids()[0].clone();
    let seeded_members = ids(&api.walk(&format!("/users?groupId={seeded}&limit=2")).await);
    assert_eq!(seeded_members.len(), state.group_member_ids(&seeded).len());

    assert_eq!(api.delete(&format!("/groups/{group}")).await.status, 204);
    assert_error(&api.get(&format!("/groups/{group}")).await, 404, "Group");
    assert_error(
        &api.get(&format!("/users?groupId={group}")).await,
        404,
        "Group",
    );
    assert_error(&api.delete(&format!("/groups/{group}")).await, 404, "Group");
}

#[tokio::test]
async fn groups_list_sort_and_validate() {
    let api = Api::start().await;
    let by_name = api.walk("/groups?sortBy=NAME&limit=2").await;
    assert_eq!(by_name.len(), 6);
    let names: Vec<String> = by_name
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]));
    let newest = api
        .walk("/groups?sortBy=CREATED_AT&sortDirection=DESC")
        .await;
    let created: Vec<&str> = newest
        .iter()
        .map(|g| g["createdAt"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(api.get("/groups?limit=500").await.status, 200);
    assert_error(&api.get("/groups?limit=501").await, 400, "limit");
    assert_error(&api.post("/groups", json!({"name": ""})).await, 400, "name");
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert_error(
        &api.post(
            "/groups",
            json!({"name": "x", "members": {"users": [{"id": unknown}]}}),
        )
        .await,
        400,
        "User",
    );
    let many: Vec<_> = (0..101).map(|_| json!({"id": unknown})).collect();
    assert_error(
        &api.post("/groups", json!({"name": "x", "members": {"users": many}}))
            .await,
        400,
        "100",
    );
}

#[tokio::test]
async fn users_me_list_sort_and_deactivate() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let me = api.get("/users/me").await.body;
    assert_eq!(me["id"], state.me_id().as_str());
    assert_eq!(me["role"], "ADMIN");
    assert!(me["org"]["id"].is_string());

    let users = api.walk("/users?limit=7").await;
    assert_eq!(users.len(), 40);
    let roles: std::collections::HashSet<&str> =
        users.iter().map(|u| u["role"].as_str().unwrap()).collect();
    assert!(roles.len() >= 5);
    assert!(users.iter().all(|u| u.get("lastLoginDate").is_some()));
    let by_email = api
        .walk("/users?sortBy=EMAIL&sortDirection=DESC&limit=500")
        .await;
    let emails: Vec<&str> = by_email
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(emails.windows(2).all(|w| w[0] >= w[1]));
    assert_error(&api.get("/users?limit=501").await, 400, "limit");
    assert_error(&api.get("/users?sortBy=ROLE").await, 400, "sortBy");

    let target = state.user_ids()[9].clone();
    let answer = api
        .post(&format!("/users/{target}/deactivate"), json!({}))
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["user"]["id"], target.as_str());
    assert!(!ids(&api.walk("/users?limit=500").await).contains(&target));
    assert_error(
        &api.post(&format!("/users/{}/deactivate", state.me_id()), json!({}))
            .await,
        400,
        "own",
    );
}

#[tokio::test]
async fn collections_list_get_create_and_edit() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let listed = api.walk("/collections?limit=2&sortBy=NAME").await;
    assert_eq!(listed.len(), 5);
    assert!(
        listed
            .iter()
            .all(|c| c["sharing"].is_object() && c["creator"]["email"].is_string())
    );
    let user = state.user_ids()[2].clone();
    let group = state.group_ids()[1].clone();
    let created = api
        .post("/collections", json!({"name": "Board pack", "description": "Monthly board material",
            "sharing": {"users": [{"access": "CAN_EDIT", "id": user}], "workspace": {"members": "CAN_VIEW"}}}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.body["sharing"]["users"],
        json!([{"access": "CAN_EDIT", "id": user}])
    );
    assert_eq!(created.body["creator"]["id"], state.me_id().as_str());

    let edited = api
        .patch(&format!("/collections/{id}"), json!({"name": "Board pack 2026",
            "sharing": {"upsert": {"groups": [{"access": "CAN_VIEW", "id": group}], "users": [{"access": "NONE", "id": user}]}}}))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["name"], "Board pack 2026");
    assert_eq!(edited.body["sharing"]["users"], json!([]));
    assert_eq!(
        edited.body["sharing"]["groups"],
        json!([{"access": "CAN_VIEW", "id": group}])
    );
    assert_eq!(
        api.get(&format!("/collections/{id}")).await.body,
        edited.body
    );
    assert_error(
        &api.get("/collections?sortBy=CREATED_AT").await,
        400,
        "sortBy",
    );
    assert_error(
        &api.post("/collections", json!({"description": "no name"}))
            .await,
        400,
        "name",
    );
}
