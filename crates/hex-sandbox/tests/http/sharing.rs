//! The project-sharing PATCHes and how reads show sharing.

use serde_json::{Value, json};

use crate::common::{Api, assert_error, ids};

const UNKNOWN: &str = "00000000-0000-4000-8000-000000000000";

fn access_of<'a>(sharing: &'a Value, list: &str, key: &str, name: &str) -> Option<&'a str> {
    sharing[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item[key]["email"] == name || item[key]["name"] == name)
        .map(|item| item["access"].as_str().unwrap())
}

#[tokio::test]
async fn user_sharing_upserts_removes_and_lists_partial_failures() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.project_ids()[0].clone();
    let user = state.user_ids()[5].clone();
    let email = api.get("/users?limit=500").await.body["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == user.as_str())
        .unwrap()["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/projects/{project}/sharing/users");
    let answer = api
        .patch(
            &path,
            json!({"sharing": {"upsert": {"users": [
                {"access": "CAN_EDIT", "user": {"id": user}},
                {"access": "CAN_VIEW", "user": {"id": UNKNOWN}},
            ]}}}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["errors"],
        json!([{"userIds": [UNKNOWN], "reason": "User not found"}])
    );
    assert_eq!(
        access_of(&answer.body["project"]["sharing"], "users", "user", &email),
        Some("CAN_EDIT")
    );
    let read = api
        .get(&format!("/projects/{project}?includeSharing=true"))
        .await
        .body;
    assert_eq!(
        access_of(&read["sharing"], "users", "user", &email),
        Some("CAN_EDIT")
    );

    let removed = api
        .patch(
            &path,
            json!({"sharing": {"upsert": {"users": [{"access": "NONE", "user": {"id": user}}]}}}),
        )
        .await;
    assert_eq!(removed.body["errors"], json!([]));
    assert_eq!(
        access_of(&removed.body["project"]["sharing"], "users", "user", &email),
        None
    );

    let too_many: Vec<Value> = (0..26)
        .map(|_| json!({"access": "CAN_VIEW", "user": {"id": user}}))
        .collect();
    assert_error(
        &api.patch(&path, json!({"sharing": {"upsert": {"users": too_many}}}))
            .await,
        400,
        "25",
    );
    assert_error(
        &api.patch(
            &path,
            json!({"sharing": {"upsert": {"users": [{"access": "OWNER", "user": {"id": user}}]}}}),
        )
        .await,
        400,
        "access",
    );
    assert_error(
        &api.patch(&path, json!({"sharing": {}})).await,
        400,
        "sharing.upsert.users",
    );
    assert_error(
        &api.patch(
            &format!("/projects/{UNKNOWN}/sharing/users"),
            json!({"sharing": {"upsert": {"users": []}}}),
        )
        .await,
        404,
        "Project",
    );
}

#[tokio::test]
async fn group_sharing_shows_group_names() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let project = state.project_ids()[1].clone();
    let group = state.group_ids()[2].clone();
    let name = api.get(&format!("/groups/{group}")).await.body["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = api
        .patch(
            &format!("/projects/{project}/sharing/groups"),
            json!({"sharing": {"upsert": {"groups": [
                {"access": "APP_ONLY", "group": {"id": group}},
                {"access": "APP_ONLY", "group": {"id": UNKNOWN}},
            ]}}}),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["errors"][0]["groupIds"], json!([UNKNOWN]));
    assert_eq!(
        access_of(&answer.body["project"]["sharing"], "groups", "group", &name),
        Some("APP_ONLY")
    );
}

#[tokio::test]
async fn adding_a_project_to_a_collection_lists_it_under_that_collection() {
    let api = Api::start().await;
    let state = api.sandbox.state();
    let collection = api
        .post("/collections", json!({"name": "Quarterly review"}))
        .await
        .body;
    let collection_id = collection["id"].as_str().unwrap();
    let in_collection = format!(
        "/projects?collectionId={collection_id}&includeArchived=true&includeTrashed=true&includeComponents=true"
    );
    assert!(api.walk(&in_collection).await.is_empty());
    let projects: Vec<String> = state.project_ids().into_iter().take(3).collect();
    for project in &projects {
        let answer = api
            .patch(
                &format!("/projects/{project}/sharing/collections"),
                json!({"sharing": {"upsert": {"collections": [
                    {"access": "CAN_VIEW", "collection": {"id": collection_id}},
                ]}}}),
            )
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(
            access_of(
                &answer.body["project"]["sharing"],
                "collections",
                "collection",
                "Quarterly review"
            ),
            Some("CAN_VIEW")
        );
    }
    let mut listed = ids(&api.walk(&in_collection).await);
    listed.sort();
    let mut expected = projects.clone();
    expected.sort();
    assert_eq!(listed, expected);
    assert_error(
        &api.get(&format!("/projects?collectionId={UNKNOWN}")).await,
        404,
        "Collection",
    );
}

#[tokio::test]
async fn workspace_and_public_take_flat_values_and_refuse_public_editing() {
    let api = Api::start().await;
    let project = api.sandbox.state().project_ids()[2].clone();
    let path = format!("/projects/{project}/sharing/workspaceAndPublic");
    let answer = api
        .patch(
            &path,
            json!({"sharing": {"workspace": "CAN_EDIT", "publicWeb": "APP_ONLY"}}),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["errors"], json!([]));
    assert_eq!(
        answer.body["project"]["sharing"]["workspace"],
        json!({"access": "CAN_EDIT"})
    );
    assert_eq!(
        answer.body["project"]["sharing"]["publicWeb"],
        json!({"access": "APP_ONLY"})
    );

    let partial = api
        .patch(
            &path,
            json!({"sharing": {"workspace": "APP_ONLY", "publicWeb": "FULL_ACCESS"}}),
        )
        .await;
    assert_eq!(partial.status, 200);
    assert_eq!(partial.body["errors"][0]["type"], "publicWeb");
    assert_eq!(
        partial.body["project"]["sharing"]["workspace"]["access"],
        "APP_ONLY"
    );
    assert_eq!(
        partial.body["project"]["sharing"]["publicWeb"]["access"],
        "APP_ONLY"
    );
    assert_error(
        &api.patch(
            &path,
            json!({"sharing": {"workspace": {"access": "CAN_VIEW"}}}),
        )
        .await,
        400,
        "sharing.workspace",
    );
}
