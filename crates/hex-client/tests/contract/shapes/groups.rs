//! GroupApiResource, ListGroups, GetGroup, CreateGroup (201 `{id, name, members}`), EditGroup
//! (200), DeleteGroup (204).

use reqwest::Method;
use serde_json::{Value, json};

use super::{assert_cursor_list, assert_error_body, assert_exact, assert_timestamp, assert_uuid};
use crate::common::{Env, UNKNOWN_ID};

fn assert_group(value: &Value) {
    assert_exact("group", value, &["id", "name", "createdAt"]);
    assert_uuid("group.id", &value["id"]);
    assert_timestamp("group.createdAt", &value["createdAt"]);
}

#[tokio::test]
async fn group_json_matches_the_reference() {
    let env = Env::start().await;
    let list = env
        .raw_get("/groups?limit=500&sortBy=CREATED_AT&sortDirection=DESC")
        .await
        .expect(200);
    let values = assert_cursor_list("ListGroups", &list);
    assert_eq!(values.len(), env.sandbox.state().group_ids().len());
    values.iter().for_each(assert_group);
    let id = values[0]["id"].as_str().unwrap();
    assert_group(&env.raw_get(&format!("/groups/{id}")).await.expect(200));

    let users = env.sandbox.state().user_ids();
    let body =
        json!({"name": "Shapes", "members": {"users": [{"id": users[1]}, {"id": users[2]}]}});
    let created = env
        .raw(Method::POST, "/groups", Some(body))
        .await
        .expect(201);
    // Not the Group shape: no createdAt, but the members.
    assert_exact("CreateGroup", &created, &["id", "name", "members"]);
    assert_exact("members", &created["members"], &["users"]);
    assert_eq!(
        created["members"]["users"],
        json!([{"id": users[1]}, {"id": users[2]}])
    );
    let new_id = created["id"].as_str().unwrap();
    let body = json!({"name": "Shapes 2", "members": {"add": {"users": [{"id": users[3]}]},
        "remove": {"users": [{"id": users[1]}]}}});
    let edited = env
        .raw(Method::PATCH, &format!("/groups/{new_id}"), Some(body))
        .await
        .expect(200);
    assert_group(&edited);
    assert_eq!(edited["name"], "Shapes 2");
    let deleted = env
        .raw(Method::DELETE, &format!("/groups/{new_id}"), None)
        .await;
    assert_eq!(deleted.status.as_u16(), 204);
    assert_eq!(deleted.body, Value::Null);
    let missing = env
        .raw_get(&format!("/groups/{UNKNOWN_ID}"))
        .await
        .expect(404);
    assert_error_body("GetGroup 404", &missing);
}
