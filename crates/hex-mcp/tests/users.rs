//! The users tools over MCP against a sandbox: the current user, sorted pages, a group's
//! members, and deactivation only after a confirmation, read back through list_hex_users.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Launch, Session, sandbox};
use serde_json::{Value, json};

/// Every active user id, walking all pages of list_hex_users.
async fn all_user_ids(session: &Session) -> Vec<String> {
    all_users(session)
        .await
        .iter()
        .map(|user| user["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every active user as list_hex_users shows them, walking all pages.
async fn all_users(session: &Session) -> Vec<Value> {
    let mut users = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut arguments = json!({"limit": 7});
        if let Some(cursor) = &after {
            arguments["after"] = json!(cursor);
        }
        let page = session.call("list_hex_users", arguments).await.ok();
        users.extend(page["values"].as_array().unwrap().iter().cloned());
        match page["pagination"]["after"].as_str() {
            Some(cursor) => after = Some(cursor.to_string()),
            None => return users,
        }
    }
}

fn field_of(page: &Value, field: &str) -> Vec<String> {
    page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user[field].as_str().unwrap().to_lowercase())
        .collect()
}

#[tokio::test]
async fn the_current_user_is_the_tokens_user() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let me = session.call("get_hex_current_user", json!({})).await.ok();
    assert_eq!(me["id"], sandbox.state().me_id().as_str());
    assert!(me["email"].as_str().unwrap().contains('@'));
    assert!(me["name"].is_string());
    assert!(me["role"].is_string());
    assert!(me["org"]["id"].is_string());
    // The sandbox's token never expires: no empty `token` object is shown.
    assert!(me.get("token").is_none(), "{me}");
    session.finish().await;
}

#[tokio::test]
async fn users_list_sorted_in_pages_and_by_group() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let by_email = session
        .call(
            "list_hex_users",
            json!({"sort_by": "email", "sort_direction": "asc", "limit": 500}),
        )
        .await
        .ok();
    let emails = field_of(&by_email, "email");
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
    assert_eq!(emails.len(), sandbox.state().user_ids().len());

    let descending = session
        .call(
            "list_hex_users",
            json!({"sort_by": "EMAIL", "sort_direction": "DESC", "limit": 500}),
        )
        .await
        .ok();
    let mut reversed = field_of(&descending, "email");
    reversed.reverse();
    assert_eq!(reversed, emails);

    let by_name = session
        .call("list_hex_users", json!({"sort_by": "NAME", "limit": 500}))
        .await
        .ok();
    let names = field_of(&by_name, "name");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    let mut paged = all_user_ids(&session).await;
    let mut whole: Vec<String> = by_name["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["id"].as_str().unwrap().to_string())
        .collect();
    paged.sort();
    whole.sort();
    assert_eq!(paged, whole);

    let group = sandbox.state().group_ids()[0].clone();
    let members = session
        .call("list_hex_users", json!({"group_id": group, "limit": 500}))
        .await
        .ok();
    let mut listed: Vec<String> = members["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["id"].as_str().unwrap().to_string())
        .collect();
    let mut expected = sandbox.state().group_member_ids(&group);
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);

    let unknown = uuid::Uuid::new_v4().to_string();
    let error = session
        .call("list_hex_users", json!({"group_id": unknown}))
        .await
        .err();
    assert_eq!(error["status"], 404);
    assert!(
        error["next"].as_str().unwrap().contains("list_hex_groups"),
        "{error}"
    );
    session.finish().await;
}

#[tokio::test]
async fn deactivation_is_confirmed_then_the_user_is_gone() {
    let sandbox = sandbox().await;
    let me = sandbox.state().me_id();
    let target = sandbox
        .state()
        .user_ids()
        .into_iter()
        .find(|id| *id != me)
        .unwrap();
    let session = Launch::against(&sandbox).start().await;
    assert!(all_user_ids(&session).await.contains(&target));

    let preview = session
        .call("deactivate_hex_user", json!({"user_id": target}))
        .await
        .ok();
    assert_eq!(preview["confirmationRequired"], true);
    // Named the way a person knows them, beside the id.
    let users = all_users(&session).await;
    let user = users
        .iter()
        .find(|user| user["id"] == target.as_str())
        .unwrap();
    let email = user["email"].as_str().unwrap();
    let change = preview["change"].as_str().unwrap();
    assert!(
        change.contains(&format!("<{email}> ({target})")),
        "{preview}"
    );
    assert_eq!(
        sandbox.count_requests("POST", "/api/v1/users/*/deactivate"),
        0
    );
    let token = preview["confirmationToken"].as_str().unwrap();
    let done = session
        .call(
            "deactivate_hex_user",
            json!({"user_id": target, "confirmation_token": token}),
        )
        .await
        .ok();
    assert_eq!(done["deactivated"], true);
    // Hex's answer names who was deactivated.
    assert_eq!(done["user"]["id"], target.as_str());
    assert!(done["user"]["email"].as_str().unwrap().contains('@'));
    assert!(!all_user_ids(&session).await.contains(&target));

    // Deactivating yourself: Hex answers, the tool passes it on.
    let preview = session
        .call("deactivate_hex_user", json!({"user_id": me}))
        .await
        .ok();
    let token = preview["confirmationToken"].as_str().unwrap();
    let error = session
        .call(
            "deactivate_hex_user",
            json!({"user_id": me, "confirmation_token": token}),
        )
        .await
        .err();
    assert_eq!(error["status"], 400);
    assert!(all_user_ids(&session).await.contains(&me));
    session.finish().await;
}
