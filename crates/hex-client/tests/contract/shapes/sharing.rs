//! The four project-sharing PATCHes: 200 `{project, errors}`, with Hex's error items.

use reqwest::Method;
use serde_json::{Value, json};

use super::projects::assert_project;
use super::{assert_exact, assert_string};
use crate::common::{Env, UNKNOWN_ID};

fn assert_update(value: &Value) -> Vec<Value> {
    assert_exact("sharing update", value, &["project", "errors"]);
    assert_project(&value["project"], true);
    value["errors"]
        .as_array()
        .expect("errors is an array")
        .clone()
}

#[tokio::test]
async fn sharing_json_matches_the_reference() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project = state.project_ids()[0].clone();
    let base = format!("/projects/{project}/sharing");
    let user = state.user_ids()[5].clone();
    let group = state.group_ids()[1].clone();
    let collection = state.collection_ids()[1].clone();
    for (kind, item, ids_key, known) in [
        ("users", "user", "userIds", &user),
        ("groups", "group", "groupIds", &group),
        ("collections", "collection", "collectionIds", &collection),
    ] {
        let body = json!({"sharing": {"upsert": {kind: [
            {"access": "CAN_VIEW", item: {"id": known}},
            {"access": "CAN_VIEW", item: {"id": UNKNOWN_ID}},
        ]}}});
        let answer = env
            .raw(Method::PATCH, &format!("{base}/{kind}"), Some(body))
            .await
            .expect(200);
        let errors = assert_update(&answer);
        assert_eq!(errors.len(), 1, "{answer}");
        assert_exact("errors[0]", &errors[0], &[ids_key, "reason"]);
        assert_eq!(errors[0][ids_key], json!([UNKNOWN_ID]));
        assert_string("reason", &errors[0]["reason"]);
        assert!(
            !answer["project"]["sharing"][kind]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
    let body = json!({"sharing": {"workspace": "CAN_VIEW", "publicWeb": "FULL_ACCESS"}});
    let answer = env
        .raw(
            Method::PATCH,
            &format!("{base}/workspaceAndPublic"),
            Some(body),
        )
        .await
        .expect(200);
    let errors = assert_update(&answer);
    assert_exact("errors[0]", &errors[0], &["type", "reason"]);
    assert_eq!(errors[0]["type"], "publicWeb");
    assert_eq!(
        answer["project"]["sharing"]["workspace"],
        json!({"access": "CAN_VIEW"})
    );
}
