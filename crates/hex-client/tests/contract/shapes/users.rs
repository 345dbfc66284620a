//! Me, UserApiResource, ListUsers, DeactivateUser (200, no content declared).

use reqwest::Method;
use serde_json::Value;

use super::{
    assert_cursor_list, assert_enum, assert_exact, assert_keys, assert_nullable_timestamp,
    assert_string, assert_uuid,
};
use crate::common::Env;

const ROLES: &[&str] = &[
    "ADMIN",
    "MANAGER",
    "EDITOR",
    "EXPLORER",
    "MEMBER",
    "GUEST",
    "EMBEDDED_USER",
    "ANONYMOUS",
];

fn assert_user(value: &Value) {
    assert_keys(
        "user",
        value,
        &["id", "role", "email", "lastLoginDate"],
        &["name"],
    );
    assert_uuid("user.id", &value["id"]);
    assert_enum("user.role", &value["role"], ROLES);
    assert_string("user.email", &value["email"]);
    assert_nullable_timestamp("user.lastLoginDate", &value["lastLoginDate"]);
}

#[tokio::test]
async fn user_json_matches_the_reference() {
    let env = Env::start().await;
    let me = env.raw_get("/users/me").await.expect(200);
    assert_keys(
        "Me",
        &me,
        &["id", "role", "email", "org"],
        &["name", "token"],
    );
    assert_enum("Me.role", &me["role"], ROLES);
    assert_exact("Me.org", &me["org"], &["id"]);
    if let Some(token) = me.get("token") {
        assert_exact("Me.token", token, &["exp"]);
        assert!(token["exp"].is_number() || token["exp"].is_null());
    }
    let list = env
        .raw_get("/users?limit=500&sortBy=EMAIL&sortDirection=DESC")
        .await
        .expect(200);
    let values = assert_cursor_list("ListUsers", &list);
    assert_eq!(values.len(), env.sandbox.state().user_ids().len());
    values.iter().for_each(assert_user);
    assert!(values.iter().any(|u| u["lastLoginDate"].is_null()));
    let group = env.sandbox.state().group_ids()[0].clone();
    let members = env
        .raw_get(&format!("/users?groupId={group}"))
        .await
        .expect(200);
    assert_cursor_list("ListUsers?groupId", &members)
        .iter()
        .for_each(assert_user);

    let user = env.sandbox.state().user_ids()[7].clone();
    let answer = env
        .raw(Method::POST, &format!("/users/{user}/deactivate"), None)
        .await;
    assert_eq!(answer.status.as_u16(), 200);
    assert_exact("DeactivateUser", &answer.body, &["user"]);
    assert_user(&answer.body["user"]);
    assert_eq!(answer.body["user"]["id"], user.as_str());
}
