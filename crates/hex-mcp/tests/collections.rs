//! Collections through MCP against a sandbox: listing and reading, creating and editing with
//! typed sharing (read back with get_hex_collection), projects filed into collections (read back
//! with list_hex_projects), and confirmation before anyone gets full control.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::{Launch, Session, TestClient, sandbox};
use hex_sandbox::RunningSandbox;
use rmcp::model::ElicitationAction;
use serde_json::{Value, json};

const LIST: &str = "list_hex_collections";
const GET: &str = "get_hex_collection";
const CREATE: &str = "create_hex_collection";
const UPDATE: &str = "update_hex_collection";
const UNKNOWN: &str = "00000000-0000-4000-8000-00000000dead";

fn ids(values: &Value) -> Vec<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value["id"].as_str().unwrap().to_string())
        .collect()
}

/// The access a collection's sharing list gives `id`.
fn access_of(collection: &Value, list: &str, id: &str) -> Option<String> {
    collection["sharing"][list]
        .as_array()
        .unwrap()
        .iter()
        .find(|grant| grant["id"] == id)
        .map(|grant| grant["access"].as_str().unwrap().to_string())
}

async fn get(session: &Session, id: &str) -> Value {
    session.call(GET, json!({"collection_id": id})).await.ok()
}

fn others(sandbox: &RunningSandbox) -> Vec<String> {
    let me = sandbox.state().me_id();
    let users = sandbox.state().user_ids();
    users.into_iter().filter(|id| *id != me).collect()
}

#[tokio::test]
async fn collections_are_listed_by_name_page_by_page_and_read_one_by_one() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut arguments = json!({"limit": 2, "sort_by": "name"});
        if let Some(cursor) = &after {
            arguments["after"] = json!(cursor);
        }
        let page = session.call(LIST, arguments).await.ok();
        pages += 1;
        for collection in page["values"].as_array().unwrap() {
            names.push(collection["name"].as_str().unwrap().to_string());
            // A listed collection is the same one get_hex_collection reads.
            assert_eq!(
                &get(&session, collection["id"].as_str().unwrap()).await,
                collection
            );
        }
        match page["pagination"]["after"].as_str() {
            Some(cursor) => after = Some(cursor.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), sandbox.state().collection_ids().len());
    let mut sorted = names.clone();
    sorted.sort_by_key(|name| name.to_lowercase());
    assert_eq!(names, sorted);

    let error = session
        .call(GET, json!({"collection_id": UNKNOWN}))
        .await
        .err();
    assert_eq!(error["status"], 404);
    assert!(error["next"].as_str().unwrap().contains(LIST), "{error}");
    session.finish().await;
}

#[tokio::test]
async fn a_collection_is_created_with_typed_sharing_and_read_back() {
    let sandbox = sandbox().await;
    let user = others(&sandbox)[2].clone();
    let group = sandbox.state().group_ids()[1].clone();
    let session = Launch::against(&sandbox).start().await;
    let created = session
        .call(
            CREATE,
            json!({
                "name": "Finance dashboards",
                "description": "Board-ready finance apps",
                "sharing_users": [{"id": user, "access": "CAN_VIEW"}],
                "sharing_groups": [{"id": group, "access": "can-edit"}],
                "workspace_access": "CAN_VIEW",
            }),
        )
        .await
        .ok();
    assert_eq!(created["name"], "Finance dashboards");
    let request = sandbox.requests().last().unwrap().clone();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.body.unwrap(),
        json!({
            "name": "Finance dashboards",
            "description": "Board-ready finance apps",
            "sharing": {
                "users": [{"access": "CAN_VIEW", "id": user}],
                "groups": [{"access": "CAN_EDIT", "id": group}],
                "workspace": {"members": "CAN_VIEW"},
            },
        })
    );

    let id = created["id"].as_str().unwrap();
    let read = get(&session, id).await;
    assert_eq!(read["description"], "Board-ready finance apps");
    assert_eq!(
        access_of(&read, "users", &user).as_deref(),
        Some("CAN_VIEW")
    );
    assert_eq!(
        access_of(&read, "groups", &group).as_deref(),
        Some("CAN_EDIT")
    );
    assert_eq!(read["sharing"]["workspace"]["members"], "CAN_VIEW");
    let listed = session.call(LIST, json!({"limit": 100})).await.ok();
    assert!(ids(&listed["values"]).contains(&id.to_string()));
    session.finish().await;
}

#[tokio::test]
async fn a_collection_is_renamed_and_its_sharing_upserted() {
    let sandbox = sandbox().await;
    let id = sandbox.state().collection_ids()[1].clone();
    let session = Launch::against(&sandbox).start().await;
    let before = get(&session, &id).await;
    let existing = before["sharing"]["users"].as_array().unwrap().clone();
    assert!(!existing.is_empty());
    let removed = existing[0]["id"].as_str().unwrap().to_string();
    let added = others(&sandbox)
        .into_iter()
        .find(|user| access_of(&before, "users", user).is_none())
        .unwrap();

    let updated = session
        .call(
            UPDATE,
            json!({
                "collection_id": id,
                "name": "Finance reporting (FY27)",
                "sharing_users": [
                    {"id": added, "access": "CAN_EDIT"},
                    {"id": removed, "access": "NONE"},
                ],
                "workspace_access": "NONE",
            }),
        )
        .await
        .ok();
    assert_eq!(updated["name"], "Finance reporting (FY27)");
    assert_eq!(
        sandbox.requests().last().unwrap().body,
        Some(json!({
            "name": "Finance reporting (FY27)",
            "sharing": {"upsert": {
                "users": [
                    {"access": "CAN_EDIT", "id": added},
                    {"access": "NONE", "id": removed},
                ],
                "workspace": {"members": "NONE"},
            }},
        }))
    );

    let read = get(&session, &id).await;
    assert_eq!(read["name"], "Finance reporting (FY27)");
    assert_eq!(
        read["description"], before["description"],
        "description changed"
    );
    assert_eq!(
        access_of(&read, "users", &added).as_deref(),
        Some("CAN_EDIT")
    );
    assert_eq!(access_of(&read, "users", &removed), None, "not removed");
    for grant in &existing[1..] {
        let user = grant["id"].as_str().unwrap();
        assert_eq!(
            access_of(&read, "users", user).as_deref(),
            grant["access"].as_str(),
            "an unlisted user changed"
        );
    }
    assert!(read["sharing"]["workspace"].get("members").is_none());
    session.finish().await;
}

#[tokio::test]
async fn input_errors_name_the_field_and_send_nothing() {
    let sandbox = sandbox().await;
    let id = sandbox.state().collection_ids()[0].clone();
    let users = others(&sandbox);
    let session = Launch::against(&sandbox).start().await;
    sandbox.clear_requests();

    let error = session
        .call(UPDATE, json!({"collection_id": id}))
        .await
        .err();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("nothing to change"),
        "{error}"
    );
    let error = session.call(CREATE, json!({"name": "  "})).await.err();
    assert_eq!(error["field"], "name");
    let error = session
        .call(
            UPDATE,
            json!({"collection_id": id, "sharing_users": [
                {"id": users[0], "access": "CAN_VIEW"},
                {"id": users[0], "access": "CAN_EDIT"},
            ]}),
        )
        .await
        .err();
    assert_eq!(error["field"], "sharing_users");
    assert!(
        error["message"].as_str().unwrap().contains("listed twice"),
        "{error}"
    );
    let error = session
        .call(
            CREATE,
            json!({"name": "X", "sharing_groups": [{"id": users[0], "access": "ADMIN"}]}),
        )
        .await
        .err();
    assert_eq!(error["field"], "sharing_groups[0].access");
    let error = session
        .call(CREATE, json!({"name": "X", "sharing_users": []}))
        .await
        .err();
    assert_eq!(error["field"], "sharing_users");
    let error = session
        .call(
            UPDATE,
            json!({"collection_id": "Finance reporting", "name": "Y"}),
        )
        .await
        .err();
    assert_eq!(error["field"], "collection_id");

    assert_eq!(sandbox.requests().len(), 0, "a request was sent");
    session.finish().await;
}

#[tokio::test]
async fn full_control_of_a_collection_waits_for_a_yes() {
    let sandbox = sandbox().await;
    let users = others(&sandbox);
    let id = sandbox.state().collection_ids()[3].clone();
    let session = Launch::against(&sandbox).start().await;
    sandbox.clear_requests();

    let arguments = json!({
        "name": "Board pack",
        "sharing_users": [
            {"id": users[0], "access": "FULL_ACCESS"},
            {"id": users[1], "access": "CAN_VIEW"},
        ],
    });
    let preview = session.call(CREATE, arguments.clone()).await.ok();
    assert_eq!(preview["confirmationRequired"], true, "{preview}");
    let change = preview["change"].as_str().unwrap();
    assert!(
        change.contains("FULL_ACCESS")
            && change.contains("Board pack")
            && change.contains(&users[0])
            && !change.contains(&users[1]),
        "{change}"
    );
    assert_eq!(sandbox.count_requests("POST", "/v1/collections"), 0);

    let mut confirmed = arguments;
    confirmed["confirmation_token"] = preview["confirmationToken"].clone();
    let created = session.call(CREATE, confirmed).await.ok();
    let read = get(&session, created["id"].as_str().unwrap()).await;
    assert_eq!(
        access_of(&read, "users", &users[0]).as_deref(),
        Some("FULL_ACCESS")
    );

    let preview = session
        .call(
            UPDATE,
            json!({"collection_id": id, "workspace_access": "CAN_EDIT"}),
        )
        .await
        .ok();
    let change = preview["change"].as_str().unwrap();
    assert!(
        change.contains(&id) && change.contains("everyone in the workspace CAN_EDIT"),
        "{change}"
    );
    assert_eq!(sandbox.count_requests("PATCH", "/v1/collections/*"), 0);
    session.finish().await;

    // A client that can ask: a "no" leaves the collection as it was.
    let decline = TestClient {
        answer: Some(ElicitationAction::Decline),
        ..Default::default()
    };
    let session = Launch::against(&sandbox)
        .client(decline.clone())
        .start()
        .await;
    let before = get(&session, &id).await;
    let error = session
        .call(
            UPDATE,
            json!({"collection_id": id, "workspace_access": "FULL_ACCESS"}),
        )
        .await
        .err();
    assert!(error["message"].as_str().unwrap().contains("declined"));
    assert_eq!(decline.asked.lock().unwrap().len(), 1);
    assert_eq!(get(&session, &id).await, before);
    assert_eq!(sandbox.count_requests("PATCH", "/v1/collections/*"), 0);
    session.finish().await;
}

/// The seed's usage example: create a collection per department, file each department's
/// projects (found by title pattern) into it, and check with list_hex_projects.
#[tokio::test]
async fn organising_projects_into_department_collections() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    for department in ["Finance", "Marketing"] {
        let collection = session
            .call(
                CREATE,
                json!({"name": format!("{department} projects"), "workspace_access": "CAN_VIEW"}),
            )
            .await
            .ok();
        let collection_id = collection["id"].as_str().unwrap();
        let found = session
            .call(
                "search_hex_projects",
                json!({"search_pattern": format!("^{department}\\b"), "limit": 500}),
            )
            .await
            .ok();
        let projects: BTreeSet<String> = ids(&found["values"]).into_iter().collect();
        assert!(projects.len() >= 3, "{department}: {found}");
        for project in &projects {
            let answer = session
                .call(
                    "update_hex_project_collection_sharing",
                    json!({"project_id": project, "collection_permissions": [
                        {"collection_id": collection_id, "access": "CAN_VIEW"},
                    ]}),
                )
                .await
                .ok();
            assert_eq!(answer["status"], "applied", "{answer}");
        }
        let listed = session
            .call(
                "list_hex_projects",
                json!({"collection_id": collection_id, "limit": 100}),
            )
            .await
            .ok();
        let filed: BTreeSet<String> = ids(&listed["values"]).into_iter().collect();
        assert_eq!(filed, projects, "{department}");
        for project in listed["values"].as_array().unwrap() {
            assert!(project["title"].as_str().unwrap().starts_with(department));
        }
    }
    session.finish().await;
}
