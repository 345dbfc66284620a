//! CollectionApiResource, ListCollections, GetCollection, CreateCollection (201),
//! EditCollection (200).

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    assert_cursor_list, assert_error_body, assert_exact, assert_keys, assert_string, assert_uuid,
};
use crate::common::{Env, UNKNOWN_ID};

/// `{id, name, description?, creator?: {email, id}, sharing: {users?, groups?, workspace?}}`.
fn assert_collection(value: &Value) {
    assert_keys(
        "collection",
        value,
        &["id", "name", "sharing"],
        &["description", "creator"],
    );
    assert_uuid("collection.id", &value["id"]);
    assert_string("collection.name", &value["name"]);
    if let Some(creator) = value.get("creator") {
        assert_exact("creator", creator, &["email", "id"]);
    }
    let sharing = &value["sharing"];
    assert_keys(
        "collection.sharing",
        sharing,
        &[],
        &["users", "groups", "workspace"],
    );
    for list in ["users", "groups"] {
        for grant in sharing
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            assert_exact(list, grant, &["access", "id"]);
            assert_string("access", &grant["access"]);
            assert_uuid("grant.id", &grant["id"]);
        }
    }
    if let Some(workspace) = sharing.get("workspace") {
        assert_keys("collection.sharing.workspace", workspace, &[], &["members"]);
    }
}

#[tokio::test]
async fn collection_json_matches_the_reference() {
    let env = Env::start().await;
    let list = env
        .raw_get("/collections?limit=100&sortBy=NAME")
        .await
        .expect(200);
    let values = assert_cursor_list("ListCollections", &list);
    assert_eq!(values.len(), env.sandbox.state().collection_ids().len());
    values.iter().for_each(assert_collection);
    let id = values[0]["id"].as_str().unwrap();
    assert_collection(&env.raw_get(&format!("/collections/{id}")).await.expect(200));

    let user = env.sandbox.state().user_ids()[3].clone();
    let body = json!({"name": "Shapes", "description": "d",
        "sharing": {"users": [{"access": "CAN_VIEW", "id": user}], "workspace": {"members": "CAN_VIEW"}}});
    let created = env
        .raw(Method::POST, "/collections", Some(body))
        .await
        .expect(201);
    assert_collection(&created);
    assert_eq!(
        created["sharing"]["users"],
        json!([{"access": "CAN_VIEW", "id": user}])
    );
    let new_id = created["id"].as_str().unwrap();
    let body =
        json!({"name": "Shapes 2", "sharing": {"upsert": {"workspace": {"members": "CAN_EDIT"}}}});
    let edited = env
        .raw(Method::PATCH, &format!("/collections/{new_id}"), Some(body))
        .await
        .expect(200);
    assert_collection(&edited);
    assert_eq!(
        edited["sharing"]["workspace"],
        json!({"members": "CAN_EDIT"})
    );
    let missing = env
        .raw_get(&format!("/collections/{UNKNOWN_ID}"))
        .await
        .expect(404);
    assert_error_body("GetCollection 404", &missing);
}
