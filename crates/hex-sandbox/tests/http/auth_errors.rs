//! Bearer auth and the shapes of Hex's errors.

use reqwest::Method;
use serde_json::json;

use crate::common::{Api, answer, assert_error, assert_legacy};

#[tokio::test]
async fn every_route_needs_the_bearer_token() {
    let api = Api::start().await;
    let missing = answer(api.client.get(api.url("/projects")).send().await.unwrap()).await;
    assert_error(&missing, 401, "Authorization");
    let wrong = answer(
        api.client
            .get(api.url("/users/me"))
            .bearer_auth("not-the-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&wrong, 401, "token");
    assert!(!wrong.body.to_string().contains("sandbox-token"));
    let unknown_route = answer(
        api.client
            .get(api.url("/nothing-here"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(unknown_route.status, 401);
    let admin = answer(
        api.client
            .get(format!("http://{}/_sandbox/requests", api.sandbox.addr()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(admin.status, 401);
    assert_eq!(api.get("/users/me").await.status, 200);
}

#[tokio::test]
async fn the_token_is_configurable() {
    let api = Api::with(hex_sandbox::SandboxConfig {
        token: "custom".into(),
        ..crate::common::config()
    })
    .await;
    assert_eq!(api.sandbox.token(), "custom");
    assert_eq!(api.get("/users/me").await.status, 200);
    let default = answer(
        api.client
            .get(api.url("/users/me"))
            .bearer_auth("sandbox-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(default.status, 401);
    assert!(!format!("{:?}", hex_sandbox::SandboxConfig::default()).contains("sandbox-token"));
}

#[tokio::test]
async fn malformed_ids_are_400s_naming_the_parameter_and_unknown_ids_404s_naming_the_kind() {
    let api = Api::start().await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    let cases = [
        ("/projects/{}", "projectId", "Project"),
        ("/projects/{}/runs", "projectId", "Project"),
        ("/cells/{}", "cellId", "Cell"),
        ("/groups/{}", "groupId", "Group"),
        ("/collections/{}", "collectionId", "Collection"),
        (
            "/data-connections/{}",
            "dataConnectionId",
            "Data connection",
        ),
    ];
    for (path, param, kind) in cases {
        assert_error(
            &api.get(&path.replace("{}", "not-a-uuid")).await,
            400,
            param,
        );
        assert_error(&api.get(&path.replace("{}", unknown)).await, 404, kind);
    }
    let project = api.sandbox.state().project_ids()[0].clone();
    assert_error(
        &api.get(&format!("/projects/{project}/runs/{unknown}"))
            .await,
        404,
        "Run",
    );
    assert_error(
        &api.post(&format!("/users/{unknown}/deactivate"), json!({}))
            .await,
        404,
        "User",
    );
    assert_error(&api.get("/cells").await, 400, "projectId");
}

#[tokio::test]
async fn bodies_must_be_json() {
    let api = Api::start().await;
    let bad_json = api
        .client
        .post(api.url("/projects"))
        .bearer_auth(api.sandbox.token())
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_error(&answer(bad_json).await, 400, "Invalid request body");
    let form = api
        .client
        .post(api.url("/projects"))
        .bearer_auth(api.sandbox.token())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("title=x")
        .send()
        .await
        .unwrap();
    assert_error(&answer(form).await, 415, "content type");
    let empty = api.call(Method::POST, "/groups", None).await;
    assert_error(&empty, 400, "body");
    let wrong_type = api.post("/projects", json!({"title": 5})).await;
    assert_error(&wrong_type, 400, "invalid type");
    let method = api.call(Method::PUT, "/projects", None).await;
    assert_eq!(method.status, 405);
}

/// The 22 legacy operations answer `{reason, details?, traceId}`, the other 30
/// `{message, code, issues?}` (endpoints.md §1.2), whatever the error.
#[tokio::test]
async fn each_operation_answers_errors_in_its_generation() {
    let api = Api::start().await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    let legacy = [
        api.get(&format!("/groups/{unknown}")).await,
        api.get(&format!("/collections/{unknown}")).await,
        api.get("/projects?limit=0").await,
        api.patch(&format!("/groups/{unknown}"), json!({"name": "x"}))
            .await,
    ];
    for answer in &legacy {
        assert_legacy(answer, true);
    }
    let new = [
        api.get(&format!("/projects/{unknown}")).await,
        api.get(&format!("/cells/{unknown}")).await,
        api.get("/users?limit=0").await,
        api.get(&format!("/data-connections/{unknown}")).await,
    ];
    for answer in &new {
        assert_legacy(answer, false);
    }
    assert_eq!(new[0].body["code"], "NOT_FOUND");
    assert_eq!(new[2].body["code"], "BAD_REQUEST");
}
