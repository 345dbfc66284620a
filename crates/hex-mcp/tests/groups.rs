//! The groups tools over MCP against a sandbox: every change read back through another tool
//! (members through list_hex_users), limits checked before anything is sent, and deletion only
//! after a confirmation (token or elicitation).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::{Launch, Session, TestClient, sandbox};
use rmcp::model::ElicitationAction;
use serde_json::{Value, json};

/// The ids of a group's members, read through list_hex_users.
async fn members(session: &Session, group_id: &str) -> BTreeSet<String> {
    let page = session
        .call(
            "list_hex_users",
            json!({"group_id": group_id, "limit": 500}),
        )
        .await
        .ok();
    assert!(page["pagination"]["after"].is_null(), "more than one page");
    ids(&page["values"])
}

fn ids(values: &Value) -> BTreeSet<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect()
}

fn set(items: &[String]) -> BTreeSet<String> {
    items.iter().cloned().collect()
}

async fn create(session: &Session, name: &str, users: &[String]) -> String {
    let group = session
        .call(
            "create_hex_group",
            json!({"name": name, "member_user_ids": users}),
        )
        .await
        .ok();
    assert_eq!(group["name"], name);
    group["id"].as_str().unwrap().to_string()
}

fn random_ids(n: usize) -> Vec<String> {
    (0..n).map(|_| uuid::Uuid::new_v4().to_string()).collect()
}

#[tokio::test]
async fn a_group_created_with_members_reads_back_with_them() {
    let sandbox = sandbox().await;
    let users = sandbox.state().user_ids();
    let session = Launch::against(&sandbox).start().await;
    let chosen = users[..3].to_vec();
    let id = create(&session, "Data Platform", &chosen).await;

    assert_eq!(members(&session, &id).await, set(&chosen));
    let group = session
        .call("get_hex_group", json!({"group_id": id}))
        .await
        .ok();
    assert_eq!(group["name"], "Data Platform");
    assert!(group["createdAt"].is_string());
    assert_eq!(set(&sandbox.state().group_member_ids(&id)), set(&chosen));
    session.finish().await;
}

#[tokio::test]
async fn update_adds_removes_and_renames() {
    let sandbox = sandbox().await;
    let users = sandbox.state().user_ids();
    let session = Launch::against(&sandbox).start().await;
    let id = create(&session, "Analytics", &users[..3]).await;

    let updated = session
        .call(
            "update_hex_group",
            json!({
                "group_id": id,
                "name": "Analytics Team",
                "add_member_user_ids": [users[3], users[4]],
                "remove_member_user_ids": [users[0]],
            }),
        )
        .await
        .ok();
    assert_eq!(updated["name"], "Analytics Team");
    assert_eq!(
        members(&session, &id).await,
        set(&[
            users[1].clone(),
            users[2].clone(),
            users[3].clone(),
            users[4].clone()
        ])
    );
    let group = session
        .call("get_hex_group", json!({"group_id": id}))
        .await
        .ok();
    assert_eq!(group["name"], "Analytics Team");

    // Only removing works too, and an empty add list next to it is fine.
    session
        .call(
            "update_hex_group",
            json!({"group_id": id, "add_member_user_ids": [], "remove_member_user_ids": [users[1]]}),
        )
        .await
        .ok();
    assert!(!members(&session, &id).await.contains(&users[1]));
    session.finish().await;
}

#[tokio::test]
async fn limits_and_contradictions_are_refused_before_anything_is_sent() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let group = uuid::Uuid::new_v4().to_string();
    let user = uuid::Uuid::new_v4().to_string();
    let cases = [
        (
            "create_hex_group",
            json!({"name": "Too big", "member_user_ids": random_ids(101)}),
            "member_user_ids",
        ),
        (
            "update_hex_group",
            json!({"group_id": group, "add_member_user_ids": random_ids(101)}),
            "add_member_user_ids",
        ),
        (
            "update_hex_group",
            json!({"group_id": group, "remove_member_user_ids": random_ids(101)}),
            "remove_member_user_ids",
        ),
        (
            "update_hex_group",
            json!({"group_id": group, "add_member_user_ids": [user], "remove_member_user_ids": [user.to_uppercase()]}),
            "remove_member_user_ids",
        ),
        ("create_hex_group", json!({"name": "  "}), "name"),
        (
            "create_hex_group",
            json!({"name": "Typo", "member_user_ids": ["jane@example.com"]}),
            "member_user_ids[0]",
        ),
    ];
    for (tool, arguments, field) in cases {
        let error = session.call(tool, arguments).await.err();
        assert_eq!(error["kind"], "invalid_input", "{error}");
        assert_eq!(error["field"], field, "{error}");
    }
    let error = session
        .call("update_hex_group", json!({"group_id": group}))
        .await
        .err();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("nothing to update"),
        "{error}"
    );
    let error = session
        .call(
            "update_hex_group",
            json!({"group_id": group, "add_member_user_ids": []}),
        )
        .await
        .err();
    assert_eq!(error["kind"], "invalid_input");
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
    session.finish().await;
}

#[tokio::test]
async fn delete_needs_a_single_use_confirmation_token() {
    let sandbox = sandbox().await;
    let users = sandbox.state().user_ids();
    let session = Launch::against(&sandbox).start().await;
    let id = create(&session, "Temporary", &users[..2]).await;

    let preview = session
        .call("delete_hex_group", json!({"group_id": id}))
        .await
        .ok();
    assert_eq!(preview["confirmationRequired"], true);
    let change = preview["change"].as_str().unwrap();
    assert!(
        change.contains(&format!("Delete group \"Temporary\" ({id})"))
            && change.contains("lose the access"),
        "{change}"
    );
    assert_eq!(sandbox.count_requests("DELETE", "/api/v1/groups/*"), 0);
    let token = preview["confirmationToken"].as_str().unwrap();

    let done = session
        .call(
            "delete_hex_group",
            json!({"group_id": id, "confirmation_token": token}),
        )
        .await
        .ok();
    assert_eq!(done["deleted"], true);
    assert_eq!(done["groupId"], id.as_str());
    assert_eq!(sandbox.count_requests("DELETE", "/api/v1/groups/*"), 1);

    let gone = session
        .call("get_hex_group", json!({"group_id": id}))
        .await
        .err();
    assert_eq!(gone["status"], 404);
    assert!(
        gone["next"].as_str().unwrap().contains("list_hex_groups"),
        "{gone}"
    );
    let listed = session
        .call("list_hex_groups", json!({"limit": 500}))
        .await
        .ok();
    assert!(!ids(&listed["values"]).contains(&id));

    let reused = session
        .call(
            "delete_hex_group",
            json!({"group_id": id, "confirmation_token": token}),
        )
        .await
        .err();
    assert_eq!(reused["kind"], "refused");
    assert!(
        reused["message"].as_str().unwrap().contains("already used"),
        "{reused}"
    );
    assert_eq!(sandbox.count_requests("DELETE", "/api/v1/groups/*"), 1);
    session.finish().await;
}

#[tokio::test]
async fn delete_asks_through_the_client_when_it_can() {
    let sandbox = sandbox().await;
    let users = sandbox.state().user_ids();

    let accepting = TestClient {
        answer: Some(ElicitationAction::Accept),
        tick: true,
        ..TestClient::default()
    };
    let asked = accepting.asked.clone();
    let session = Launch::against(&sandbox).client(accepting).start().await;
    let id = create(&session, "Asked then deleted", &users[..1]).await;
    let done = session
        .call("delete_hex_group", json!({"group_id": id}))
        .await
        .ok();
    assert_eq!(done["deleted"], true);
    let questions = asked.lock().unwrap().clone();
    assert_eq!(questions.len(), 1);
    assert!(questions[0].contains(&id), "{questions:?}");
    assert!(!sandbox.state().group_ids().contains(&id));
    session.finish().await;

    let declining = TestClient {
        answer: Some(ElicitationAction::Decline),
        ..TestClient::default()
    };
    let session = Launch::against(&sandbox).client(declining).start().await;
    let id = create(&session, "Asked and kept", &users[..1]).await;
    sandbox.clear_requests();
    let refused = session
        .call("delete_hex_group", json!({"group_id": id}))
        .await
        .err();
    assert_eq!(refused["kind"], "refused");
    assert!(
        !sandbox
            .requests()
            .iter()
            .any(|request| request.method == "DELETE"),
        "a DELETE was sent"
    );
    let kept = session
        .call("get_hex_group", json!({"group_id": id}))
        .await
        .ok();
    assert_eq!(kept["name"], "Asked and kept");
    session.finish().await;
}

#[tokio::test]
async fn groups_list_in_pages_and_take_the_seed_docs_lowercase_sort() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    for name in ["zeta squad", "Alpha squad", "mid squad"] {
        create(&session, name, &[]).await;
    }
    let all = session
        .call(
            "list_hex_groups",
            json!({"sort_by": "name", "sort_direction": "asc", "limit": 500}),
        )
        .await
        .ok();
    let names: Vec<String> = all["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| group["name"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(names.contains(&"alpha squad".to_string()));

    let first = session
        .call(
            "list_hex_groups",
            json!({"limit": 2, "sort_by": "CREATED_AT"}),
        )
        .await
        .ok();
    assert_eq!(first["values"].as_array().unwrap().len(), 2);
    let after = first["pagination"]["after"].as_str().unwrap();
    let second = session
        .call(
            "list_hex_groups",
            json!({"limit": 2, "sort_by": "CREATED_AT", "after": after}),
        )
        .await
        .ok();
    assert!(ids(&first["values"]).is_disjoint(&ids(&second["values"])));

    let error = session
        .call("list_hex_groups", json!({"sort_by": "members"}))
        .await
        .err();
    assert_eq!(error["field"], "sort_by");
    session.finish().await;
}

/// The seed's usage example: department groups with members, then a user moves from one
/// department to another.
#[tokio::test]
async fn department_groups_are_created_and_a_member_moves() {
    let sandbox = sandbox().await;
    let users = sandbox.state().user_ids();
    let session = Launch::against(&sandbox).start().await;
    let departments = [
        ("Engineering", users[0..4].to_vec()),
        ("Finance", users[4..7].to_vec()),
        ("Marketing", users[7..9].to_vec()),
    ];
    let mut ids_by_name = Vec::new();
    for (name, members_of) in &departments {
        ids_by_name.push((*name, create(&session, name, members_of).await));
    }
    let engineering = &ids_by_name[0].1;
    let finance = &ids_by_name[1].1;
    let moving = users[2].clone();

    session
        .call(
            "update_hex_group",
            json!({"group_id": engineering, "remove_member_user_ids": [moving]}),
        )
        .await
        .ok();
    session
        .call(
            "update_hex_group",
            json!({"group_id": finance, "add_member_user_ids": [moving]}),
        )
        .await
        .ok();

    let mut engineering_now = set(&departments[0].1);
    engineering_now.remove(&moving);
    let mut finance_now = set(&departments[1].1);
    finance_now.insert(moving.clone());
    assert_eq!(members(&session, engineering).await, engineering_now);
    assert_eq!(members(&session, finance).await, finance_now);
    assert_eq!(
        members(&session, &ids_by_name[2].1).await,
        set(&departments[2].1)
    );

    let listed = session
        .call("list_hex_groups", json!({"limit": 500}))
        .await
        .ok();
    let names: BTreeSet<String> = listed["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| group["name"].as_str().unwrap().to_string())
        .collect();
    for (name, _) in &departments {
        assert!(names.contains(*name), "{name} missing from {names:?}");
    }
    session.finish().await;
}

/// A create that fails after Hex may have acted must say whether the object exists now, never
/// "retry": the tool looks for it by name, and the creating POST is sent once.
#[tokio::test]
async fn a_create_that_may_have_reached_hex_says_what_exists_instead_of_retry() {
    use hex_sandbox::FaultRule;
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let cases = [
        ("/v1/groups", "create_hex_group", "group", "list_hex_groups"),
        (
            "/v1/collections",
            "create_hex_collection",
            "collection",
            "list_hex_collections",
        ),
    ];
    for (path, tool, kind, finder) in cases {
        // Hex created it, then a gateway answered 504.
        let name = format!("Committed {kind} {}", uuid::Uuid::new_v4());
        sandbox.inject(FaultRule::status_after_serving("POST", path, 504));
        let error = session.call(tool, json!({"name": name})).await.err();
        let listed = session.call(finder, json!({"limit": 100})).await.ok();
        let made: Vec<&Value> = listed["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["name"] == name.as_str())
            .collect();
        assert_eq!(made.len(), 1, "{listed}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("do not call again"), "{message}");
        assert!(!message.contains("retry"), "{message}");
        assert_eq!(error["mayHaveBeenCreated"], true, "{error}");
        assert_eq!(error["found"], json!([made[0]["id"]]), "{error}");

        // Hex failed before creating anything.
        let name = format!("Never {kind} {}", uuid::Uuid::new_v4());
        sandbox.inject(FaultRule::status("POST", path, 500));
        let error = session.call(tool, json!({"name": name})).await.err();
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("most likely did not create"), "{message}");
        assert_eq!(error["found"], json!([]), "{error}");
        assert_eq!(sandbox.count_requests("POST", &format!("/api{path}")), 2);
    }
    session.finish().await;
}

/// A tool that creates something and cannot look by name says it may exist and how to check.
#[tokio::test]
async fn other_creates_say_the_object_may_exist_and_how_to_check() {
    use hex_sandbox::FaultRule;
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().project_ids()[0].clone();
    for status in [500, 502] {
        sandbox.inject(FaultRule::status("POST", "/v1/projects/*/runs", status));
        let error = session
            .call("run_hex_project", json!({"project_id": project}))
            .await
            .err();
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("may have created it"), "{message}");
        assert!(message.contains("get_hex_project_runs"), "{message}");
        assert!(!message.contains("retry in a minute"), "{message}");
    }
    assert_eq!(sandbox.count_requests("POST", "/api/v1/projects/*/runs"), 2);
    // A refusal before any work (503) keeps its "retry".
    sandbox.inject(FaultRule::status("POST", "/v1/projects/*/runs", 503).times(10));
    let error = session
        .call("run_hex_project", json!({"project_id": project}))
        .await
        .err();
    assert!(error.get("mayHaveBeenCreated").is_none(), "{error}");
    session.finish().await;
}
