//! Project sharing through MCP against a sandbox: every change is read back with
//! get_hex_project (include_sharing) or list_hex_projects (collection_id), batches and partial
//! failures are visible, bad input sends nothing, and widening access waits for a human's yes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::{collections::HashMap, time::Duration};

use common::{Launch, Session, TestClient, sandbox};
use hex_client::{
    HexClient, SecretString,
    api::{groups::ListGroupsParams, users::ListUsersParams},
};
use hex_sandbox::{FaultRule, RunningSandbox};
use rmcp::model::ElicitationAction;
use serde_json::{Value, json};

const USERS: &str = "update_hex_project_user_sharing";
const GROUPS: &str = "update_hex_project_group_sharing";
const COLLECTIONS: &str = "update_hex_project_collection_sharing";
const WORKSPACE: &str = "update_hex_project_workspace_sharing";
/// A well-formed id no sandbox object has.
const UNKNOWN: &str = "00000000-0000-4000-8000-00000000dead";

fn client(sandbox: &RunningSandbox) -> HexClient {
    HexClient::builder(
        sandbox.base_url(),
        SecretString::from(sandbox.token().to_string()),
    )
    .build()
    .unwrap()
}

/// User id → e-mail (sharing reads name users by e-mail, writes by id).
async fn emails(sandbox: &RunningSandbox) -> HashMap<String, String> {
    let params = ListUsersParams {
        limit: Some(500),
        ..Default::default()
    };
    let page = client(sandbox).users().list(&params).await.unwrap();
    page.values.into_iter().map(|u| (u.id, u.email)).collect()
}

/// Group name → id.
async fn group_ids(sandbox: &RunningSandbox) -> HashMap<String, String> {
    let params = ListGroupsParams {
        limit: Some(500),
        ..Default::default()
    };
    let page = client(sandbox).groups().list(&params).await.unwrap();
    page.values.into_iter().map(|g| (g.name, g.id)).collect()
}

async fn sharing_of(session: &Session, project_id: &str) -> Value {
    let project = session
        .call(
            "get_hex_project",
            json!({"project_id": project_id, "include_sharing": true}),
        )
        .await
        .ok();
    project["sharing"].clone()
}

/// The access `sharing.<list>` gives the principal whose `<item>.<key>` is `name`.
fn access_in(sharing: &Value, list: &str, item: &str, key: &str, name: &str) -> Option<String> {
    sharing[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry[item][key] == name)
        .map(|entry| entry["access"].as_str().unwrap().to_string())
}

fn user_access(sharing: &Value, email: &str) -> Option<String> {
    access_in(sharing, "users", "user", "email", email)
}

fn group_access(sharing: &Value, name: &str) -> Option<String> {
    access_in(sharing, "groups", "group", "name", name)
}

fn sharing_patches(sandbox: &RunningSandbox) -> usize {
    sandbox.count_requests("PATCH", "/v1/projects/*/sharing/*")
}

/// Users other than the token's own, in seed order.
fn others(sandbox: &RunningSandbox) -> Vec<String> {
    let me = sandbox.state().me_id();
    sandbox
        .state()
        .user_ids()
        .into_iter()
        .filter(|id| *id != me)
        .collect()
}

#[tokio::test]
async fn users_are_granted_then_revoked_and_read_back() {
    let sandbox = sandbox().await;
    let emails = emails(&sandbox).await;
    let project = sandbox.state().project_ids()[0].clone();
    let users = others(&sandbox);
    let (editor, viewer) = (&users[3], &users[4]);
    let session = Launch::against(&sandbox).start().await;

    let answer = session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": [
                {"user_id": editor, "access": "CAN_EDIT"},
                {"user_id": viewer, "access": "app_only"},
            ]}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "applied", "{answer}");
    assert_eq!(answer["project"]["id"], project.as_str());
    assert!(answer.get("errors").is_none(), "{answer}");
    let answered = &answer["project"]["sharing"];
    assert_eq!(
        user_access(answered, &emails[editor]).as_deref(),
        Some("CAN_EDIT")
    );
    let body = sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(
        body,
        json!({"sharing": {"upsert": {"users": [
            {"access": "CAN_EDIT", "user": {"id": editor}},
            {"access": "APP_ONLY", "user": {"id": viewer}},
        ]}}})
    );

    let sharing = sharing_of(&session, &project).await;
    assert_eq!(
        user_access(&sharing, &emails[editor]).as_deref(),
        Some("CAN_EDIT")
    );
    assert_eq!(
        user_access(&sharing, &emails[viewer]).as_deref(),
        Some("APP_ONLY")
    );

    session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": [{"user_id": editor, "access": "NONE"}]}),
        )
        .await
        .ok();
    let sharing = sharing_of(&session, &project).await;
    assert_eq!(user_access(&sharing, &emails[editor]), None, "not revoked");
    assert_eq!(
        user_access(&sharing, &emails[viewer]).as_deref(),
        Some("APP_ONLY"),
        "an unlisted user changed"
    );
    session.finish().await;
}

#[tokio::test]
async fn groups_are_granted_then_revoked_and_read_back() {
    let sandbox = sandbox().await;
    let groups = group_ids(&sandbox).await;
    let project = sandbox.state().project_ids()[1].clone();
    let session = Launch::against(&sandbox).start().await;

    session
        .call(
            GROUPS,
            json!({"project_id": project, "group_permissions": [
                {"group_id": groups["Finance"], "access": "CAN_VIEW"},
                {"group_id": groups["Marketing"], "access": "CAN_EDIT"},
            ]}),
        )
        .await
        .ok();
    let sharing = sharing_of(&session, &project).await;
    assert_eq!(
        group_access(&sharing, "Finance").as_deref(),
        Some("CAN_VIEW")
    );
    assert_eq!(
        group_access(&sharing, "Marketing").as_deref(),
        Some("CAN_EDIT")
    );

    let answer = session
        .call(
            GROUPS,
            json!({"project_id": project, "group_permissions": [{"group_id": groups["Marketing"], "access": "NONE"}]}),
        )
        .await
        .ok();
    assert_eq!(
        group_access(&answer["project"]["sharing"], "Marketing"),
        None
    );
    let sharing = sharing_of(&session, &project).await;
    assert_eq!(group_access(&sharing, "Marketing"), None, "not revoked");
    assert_eq!(
        group_access(&sharing, "Finance").as_deref(),
        Some("CAN_VIEW")
    );
    session.finish().await;
}

async fn project_ids_in(session: &Session, collection_id: &str) -> Vec<String> {
    let page = session
        .call(
            "list_hex_projects",
            json!({"collection_id": collection_id, "limit": 100}),
        )
        .await
        .ok();
    page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|project| project["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_project_goes_into_a_collection_and_out_again() {
    let sandbox = sandbox().await;
    let collection = sandbox.state().collection_ids()[2].clone();
    let session = Launch::against(&sandbox).start().await;
    let inside = project_ids_in(&session, &collection).await;
    let listed = session
        .call("list_hex_projects", json!({"limit": 50}))
        .await
        .ok();
    let project = listed["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .find(|id| !inside.contains(id))
        .unwrap();

    let answer = session
        .call(
            COLLECTIONS,
            json!({"project_id": project, "collection_permissions": [{"collection_id": collection, "access": "CAN_VIEW"}]}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "applied", "{answer}");
    assert!(
        project_ids_in(&session, &collection)
            .await
            .contains(&project)
    );
    let name = session
        .call("get_hex_collection", json!({"collection_id": collection}))
        .await
        .ok()["name"]
        .as_str()
        .unwrap()
        .to_string();
    let sharing = sharing_of(&session, &project).await;
    assert_eq!(
        access_in(&sharing, "collections", "collection", "name", &name).as_deref(),
        Some("CAN_VIEW")
    );

    session
        .call(
            COLLECTIONS,
            json!({"project_id": project, "collection_permissions": [{"collection_id": collection, "access": "NONE"}]}),
        )
        .await
        .ok();
    assert!(
        !project_ids_in(&session, &collection)
            .await
            .contains(&project)
    );
    session.finish().await;
}

#[tokio::test]
async fn workspace_and_public_access_are_set_and_read_back() {
    let sandbox = sandbox().await;
    let project = sandbox.state().project_ids()[3].clone();
    let session = Launch::against(&sandbox).start().await;
    let answer = session
        .call(
            WORKSPACE,
            json!({"project_id": project, "workspace_access": "CAN_VIEW", "public_access": "NONE"}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "applied", "{answer}");
    assert_eq!(
        sandbox.requests().last().unwrap().body,
        Some(json!({"sharing": {"workspace": "CAN_VIEW", "publicWeb": "NONE"}}))
    );
    let sharing = sharing_of(&session, &project).await;
    assert_eq!(sharing["workspace"]["access"], "CAN_VIEW");
    assert_eq!(sharing["publicWeb"]["access"], "NONE");

    session
        .call(
            WORKSPACE,
            json!({"project_id": project, "workspace_access": "NONE"}),
        )
        .await
        .ok();
    let sharing = sharing_of(&session, &project).await;
    assert_eq!(sharing["workspace"]["access"], "NONE", "not revoked");

    sandbox.clear_requests();
    let error = session
        .call(WORKSPACE, json!({"project_id": project}))
        .await
        .err();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("workspace_access, public_access"),
        "{error}"
    );
    assert_eq!(sandbox.requests().len(), 0, "a request was sent");
    session.finish().await;
}

#[tokio::test]
async fn thirty_users_go_out_as_two_requests_and_all_apply() {
    let sandbox = sandbox().await;
    let emails = emails(&sandbox).await;
    let project = sandbox.state().project_ids()[4].clone();
    let users: Vec<String> = others(&sandbox).into_iter().take(30).collect();
    let permissions: Vec<Value> = users
        .iter()
        .map(|id| json!({"user_id": id, "access": "CAN_VIEW"}))
        .collect();
    let session = Launch::against(&sandbox).start().await;
    sandbox.clear_requests();

    let answer = session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": permissions}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "applied", "{answer}");
    let sizes: Vec<usize> = sandbox
        .requests()
        .iter()
        .filter(|request| request.method == "PATCH")
        .map(|request| {
            request.body.as_ref().unwrap()["sharing"]["upsert"]["users"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, vec![25, 5]);

    let sharing = sharing_of(&session, &project).await;
    for id in &users {
        assert_eq!(
            user_access(&sharing, &emails[id]).as_deref(),
            Some("CAN_VIEW"),
            "user {id} was not applied"
        );
    }
    session.finish().await;
}

#[tokio::test]
async fn a_batch_that_fails_midway_is_reported_and_the_rest_is_not_lost() {
    let sandbox = sandbox().await;
    let emails = emails(&sandbox).await;
    let project = sandbox.state().project_ids()[5].clone();
    let users: Vec<String> = others(&sandbox).into_iter().take(30).collect();
    let permissions: Vec<Value> = users
        .iter()
        .map(|id| json!({"user_id": id, "access": "CAN_EDIT"}))
        .collect();
    // The first batch passes (after a tiny delay), the second is refused.
    let path = "/v1/projects/*/sharing/users";
    sandbox.inject(FaultRule::delay("PATCH", path, Duration::from_millis(1)));
    sandbox.inject(FaultRule::status("PATCH", path, 403));
    let session = Launch::against(&sandbox).start().await;

    let answer = session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": permissions}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "partial", "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("25 of 30 user permissions applied, 5 NOT applied"),
        "{answer}"
    );
    let unsent = &answer["errors"][0];
    assert_eq!(unsent["userIds"], json!(users[25..]));
    assert!(
        unsent["reason"].as_str().unwrap().contains("403"),
        "{answer}"
    );

    let sharing = sharing_of(&session, &project).await;
    assert!(
        users[..25]
            .iter()
            .all(|id| user_access(&sharing, &emails[id]).as_deref() == Some("CAN_EDIT"))
    );
    session.finish().await;
}

#[tokio::test]
async fn an_unknown_user_comes_back_in_errors_while_the_others_apply() {
    let sandbox = sandbox().await;
    let emails = emails(&sandbox).await;
    let project = sandbox.state().project_ids()[6].clone();
    let users = others(&sandbox);
    let session = Launch::against(&sandbox).start().await;

    let answer = session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": [
                {"user_id": users[0], "access": "CAN_VIEW"},
                {"user_id": UNKNOWN, "access": "CAN_VIEW"},
                {"user_id": users[1], "access": "CAN_EDIT"},
            ]}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "partial", "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.starts_with("PARTIAL: 2 of 3") && message.contains("1 NOT applied"),
        "{message}"
    );
    assert_eq!(answer["errors"][0]["userIds"], json!([UNKNOWN]));
    assert_eq!(answer["errors"][0]["reason"], "User not found");
    let sharing = sharing_of(&session, &project).await;
    assert_eq!(
        user_access(&sharing, &emails[&users[0]]).as_deref(),
        Some("CAN_VIEW")
    );
    assert_eq!(
        user_access(&sharing, &emails[&users[1]]).as_deref(),
        Some("CAN_EDIT")
    );

    // When nothing at all applies, the call is an error, not a success with a footnote.
    let before = sharing_of(&session, &project).await;
    let other_unknown = "00000000-0000-4000-8000-00000000beef";
    let answer = session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": [
                {"user_id": UNKNOWN, "access": "CAN_VIEW"},
                {"user_id": other_unknown, "access": "CAN_VIEW"},
            ]}),
        )
        .await;
    let error = answer.err();
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("none of the 2 user permissions")
            && message.contains(UNKNOWN)
            && message.contains(other_unknown)
            && message.contains("User not found"),
        "{message}"
    );
    assert_eq!(sharing_of(&session, &project).await, before);
    session.finish().await;
}

#[tokio::test]
async fn an_unknown_project_is_a_404_that_says_where_to_look() {
    let sandbox = sandbox().await;
    let user = others(&sandbox)[0].clone();
    let session = Launch::against(&sandbox).start().await;
    let error = session
        .call(
            USERS,
            json!({"project_id": UNKNOWN, "user_permissions": [{"user_id": user, "access": "CAN_VIEW"}]}),
        )
        .await
        .err();
    assert_eq!(error["status"], 404);
    assert!(
        error["next"]
            .as_str()
            .unwrap()
            .contains("search_hex_projects")
    );
    session.finish().await;
}

/// 501 distinct well-formed ids.
fn too_many() -> Vec<Value> {
    (0..501)
        .map(|i| json!({"user_id": format!("00000000-0000-4000-8000-{i:012x}"), "access": "CAN_VIEW"}))
        .collect()
}

#[tokio::test]
async fn input_errors_name_the_field_and_send_nothing() {
    let sandbox = sandbox().await;
    let project = sandbox.state().project_ids()[0].clone();
    let users = others(&sandbox);
    let groups: Vec<String> = group_ids(&sandbox).await.into_values().collect();
    let session = Launch::against(&sandbox).start().await;
    sandbox.clear_requests();

    let error = session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": [
                {"user_id": users[0], "access": "CAN_VIEW"},
                {"user_id": users[1], "access": "OWNER"},
            ]}),
        )
        .await
        .err();
    assert_eq!(error["field"], "user_permissions[1].access");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("NONE, APP_ONLY, CAN_VIEW, CAN_EDIT, FULL_ACCESS"),
        "{error}"
    );

    let error = session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": too_many()}),
        )
        .await
        .err();
    assert_eq!(error["field"], "user_permissions");
    assert!(
        error["message"].as_str().unwrap().contains("at most 500"),
        "{error}"
    );

    // The same group twice, the second time in capitals: which access should win is unclear.
    let error = session
        .call(
            GROUPS,
            json!({"project_id": project, "group_permissions": [
                {"group_id": groups[0], "access": "CAN_VIEW"},
                {"group_id": groups[1], "access": "CAN_VIEW"},
                {"group_id": groups[0].to_uppercase(), "access": "FULL_ACCESS"},
            ]}),
        )
        .await
        .err();
    assert_eq!(error["field"], "group_permissions");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("listed twice (items 0 and 2)"),
        "{error}"
    );

    let error = session
        .call(
            COLLECTIONS,
            json!({"project_id": project, "collection_permissions": []}),
        )
        .await
        .err();
    assert_eq!(error["field"], "collection_permissions");

    let error = session
        .call(
            USERS,
            json!({"project_id": project, "user_permissions": [{"user_id": "jane@example.com", "access": "CAN_VIEW"}]}),
        )
        .await
        .err();
    assert_eq!(error["field"], "user_permissions[0].user_id");

    let error = session
        .call(
            WORKSPACE,
            json!({"project_id": project, "public_access": "CAN_EDIT"}),
        )
        .await
        .err();
    assert_eq!(error["field"], "public_access");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("NONE, APP_ONLY, CAN_VIEW"),
        "{error}"
    );

    assert_eq!(sandbox.requests().len(), 0, "a request was sent");
    session.finish().await;
}

/// Calls a risky change without a way to ask: answers the preview.
async fn preview(session: &Session, tool: &str, arguments: Value) -> (String, String) {
    let answer = session.call(tool, arguments).await.ok();
    assert_eq!(answer["confirmationRequired"], true, "{answer}");
    (
        answer["change"].as_str().unwrap().to_string(),
        answer["confirmationToken"].as_str().unwrap().to_string(),
    )
}

fn with_token(mut arguments: Value, token: &str) -> Value {
    arguments["confirmation_token"] = json!(token);
    arguments
}

#[tokio::test]
async fn public_web_access_waits_for_a_token_that_works_once() {
    let sandbox = sandbox().await;
    let ids = sandbox.state().project_ids();
    let (project, other) = (ids[7].clone(), ids[8].clone());
    let session = Launch::against(&sandbox).start().await;
    let before = sharing_of(&session, &project).await["publicWeb"]["access"].clone();
    assert_ne!(before, "APP_ONLY");
    sandbox.clear_requests();

    let arguments = json!({"project_id": project, "public_access": "APP_ONLY"});
    let (change, token) = preview(&session, WORKSPACE, arguments.clone()).await;
    assert!(
        change.contains(&project) && change.contains("APP_ONLY") && change.contains("anyone"),
        "{change}"
    );
    // The project is named by its title, beside its id.
    let title = session.project_title(&project).await;
    assert!(
        change.contains(&format!("project \"{title}\" ({project})")),
        "{change}"
    );
    assert_eq!(sharing_patches(&sandbox), 0, "changed before confirmation");
    assert_eq!(
        sharing_of(&session, &project).await["publicWeb"]["access"],
        before
    );

    let answer = session
        .call(WORKSPACE, with_token(arguments.clone(), &token))
        .await
        .ok();
    assert_eq!(answer["status"], "applied", "{answer}");
    assert_eq!(
        sharing_of(&session, &project).await["publicWeb"]["access"],
        "APP_ONLY"
    );
    assert_eq!(sharing_patches(&sandbox), 1);

    let error = session
        .call(WORKSPACE, with_token(arguments, &token))
        .await
        .err();
    assert!(
        error["message"].as_str().unwrap().contains("already used"),
        "{error}"
    );

    // A token for one project does not open another.
    let other_before = sharing_of(&session, &other).await["publicWeb"]["access"].clone();
    let (_, token) = preview(
        &session,
        WORKSPACE,
        json!({"project_id": project, "public_access": "CAN_VIEW"}),
    )
    .await;
    let error = session
        .call(
            WORKSPACE,
            with_token(
                json!({"project_id": other, "public_access": "CAN_VIEW"}),
                &token,
            ),
        )
        .await
        .err();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("different tool or different arguments"),
        "{error}"
    );
    assert_eq!(
        sharing_patches(&sandbox),
        1,
        "a refused token changed something"
    );
    assert_eq!(
        sharing_of(&session, &other).await["publicWeb"]["access"],
        other_before
    );
    session.finish().await;
}

#[tokio::test]
async fn full_access_and_workspace_editing_name_who_gets_what_before_applying() {
    let sandbox = sandbox().await;
    let emails = emails(&sandbox).await;
    let groups = group_ids(&sandbox).await;
    let collection = sandbox.state().collection_ids()[0].clone();
    let project = sandbox.state().project_ids()[9].clone();
    let users = others(&sandbox);
    let session = Launch::against(&sandbox).start().await;
    sandbox.clear_requests();

    let arguments = json!({"project_id": project, "user_permissions": [
        {"user_id": users[0], "access": "CAN_VIEW"},
        {"user_id": users[1], "access": "FULL_ACCESS"},
    ]});
    let (change, token) = preview(&session, USERS, arguments.clone()).await;
    assert!(
        change.contains("FULL_ACCESS")
            && change.contains(&project)
            && change.contains(&users[1])
            && !change.contains(&users[0]),
        "{change}"
    );
    let (change, _) = preview(
        &session,
        GROUPS,
        json!({"project_id": project, "group_permissions": [{"group_id": groups["Leadership"], "access": "FULL_ACCESS"}]}),
    )
    .await;
    assert!(
        change.contains(&groups["Leadership"]) && change.contains("every member"),
        "{change}"
    );
    let (change, _) = preview(
        &session,
        COLLECTIONS,
        json!({"project_id": project, "collection_permissions": [{"collection_id": collection, "access": "FULL_ACCESS"}]}),
    )
    .await;
    assert!(change.contains(&collection), "{change}");
    let (change, _) = preview(
        &session,
        WORKSPACE,
        json!({"project_id": project, "workspace_access": "CAN_EDIT", "public_access": "CAN_VIEW"}),
    )
    .await;
    assert!(
        change.contains("everyone in the workspace CAN_EDIT") && change.contains("CAN_VIEW"),
        "{change}"
    );
    assert_eq!(sharing_patches(&sandbox), 0, "changed before confirmation");

    session
        .call(USERS, with_token(arguments, &token))
        .await
        .ok();
    let sharing = sharing_of(&session, &project).await;
    assert_eq!(
        user_access(&sharing, &emails[&users[1]]).as_deref(),
        Some("FULL_ACCESS")
    );
    assert_eq!(
        user_access(&sharing, &emails[&users[0]]).as_deref(),
        Some("CAN_VIEW")
    );
    session.finish().await;
}

#[tokio::test]
async fn a_client_that_can_ask_applies_after_yes_and_not_after_no() {
    let sandbox = sandbox().await;
    let ids = sandbox.state().project_ids();
    let accept = TestClient {
        answer: Some(ElicitationAction::Accept),
        tick: true,
        ..Default::default()
    };
    let session = Launch::against(&sandbox)
        .client(accept.clone())
        .start()
        .await;
    let answer = session
        .call(
            WORKSPACE,
            json!({"project_id": ids[10], "public_access": "CAN_VIEW"}),
        )
        .await
        .ok();
    assert_eq!(answer["status"], "applied", "{answer}");
    let asked = accept.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert!(asked[0].contains(&ids[10]) && asked[0].contains("CAN_VIEW"));
    assert_eq!(
        sharing_of(&session, &ids[10]).await["publicWeb"]["access"],
        "CAN_VIEW"
    );
    // Nothing risky: no question.
    session
        .call(
            WORKSPACE,
            json!({"project_id": ids[10], "workspace_access": "CAN_VIEW"}),
        )
        .await
        .ok();
    assert_eq!(accept.asked.lock().unwrap().len(), 1);
    session.finish().await;

    let decline = TestClient {
        answer: Some(ElicitationAction::Decline),
        ..Default::default()
    };
    let session = Launch::against(&sandbox)
        .client(decline.clone())
        .start()
        .await;
    let before = sharing_of(&session, &ids[11]).await["publicWeb"]["access"].clone();
    assert_ne!(before, "APP_ONLY");
    sandbox.clear_requests();
    let error = session
        .call(
            WORKSPACE,
            json!({"project_id": ids[11], "public_access": "APP_ONLY"}),
        )
        .await
        .err();
    assert!(
        error["message"].as_str().unwrap().contains("declined"),
        "{error}"
    );
    assert_eq!(decline.asked.lock().unwrap().len(), 1);
    assert_eq!(sharing_patches(&sandbox), 0);
    assert_eq!(
        sharing_of(&session, &ids[11]).await["publicWeb"]["access"],
        before
    );
    session.finish().await;
}

/// The seed's usage example: give an analytics team edit rights and leadership view rights on
/// several projects, open them to the workspace read-only and keep them off the public web.
#[tokio::test]
async fn bulk_group_permissions_across_projects() {
    let sandbox = sandbox().await;
    let groups = group_ids(&sandbox).await;
    let (analytics, leadership) = (&groups["Analytics Engineers"], &groups["Leadership"]);
    let session = Launch::against(&sandbox).start().await;
    let found = session
        .call(
            "search_hex_projects",
            json!({"search_pattern": "^Finance", "limit": 4}),
        )
        .await
        .ok();
    let projects: Vec<String> = found["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(projects.len(), 4);

    for project in &projects {
        let answer = session
            .call(
                GROUPS,
                json!({"project_id": project, "group_permissions": [
                    {"group_id": analytics, "access": "CAN_EDIT"},
                    {"group_id": leadership, "access": "CAN_VIEW"},
                ]}),
            )
            .await
            .ok();
        assert_eq!(answer["status"], "applied", "{answer}");
        let answer = session
            .call(
                WORKSPACE,
                json!({"project_id": project, "workspace_access": "CAN_VIEW", "public_access": "NONE"}),
            )
            .await
            .ok();
        assert_eq!(answer["status"], "applied", "{answer}");
    }
    for project in &projects {
        let sharing = sharing_of(&session, project).await;
        assert_eq!(
            group_access(&sharing, "Analytics Engineers").as_deref(),
            Some("CAN_EDIT")
        );
        assert_eq!(
            group_access(&sharing, "Leadership").as_deref(),
            Some("CAN_VIEW")
        );
        assert_eq!(sharing["workspace"]["access"], "CAN_VIEW");
        assert_eq!(sharing["publicWeb"]["access"], "NONE");
    }
    session.finish().await;
}
