//! Fault injection and the request log, in process and through the admin routes.

use std::time::{Duration, Instant};

use hex_sandbox::FaultRule;
use serde_json::{Value, json};

use crate::common::{Api, answer, assert_error};

#[tokio::test]
async fn a_status_fault_answers_n_times_then_goes_away() {
    let api = Api::start().await;
    api.sandbox.inject(
        FaultRule::status("GET", "/v1/projects", 503)
            .with_retry_after(7)
            .times(2),
    );
    for _ in 0..2 {
        let answer = api.get("/projects").await;
        assert_eq!(answer.status, 503);
        assert_eq!(answer.headers["retry-after"], "7");
        assert!(answer.body["reason"].is_string());
    }
    assert_eq!(api.get("/projects").await.status, 200);
    // Method and path must both match.
    api.sandbox.inject(
        FaultRule::status("POST", "/v1/projects/*/runs", 500).with_body(json!({"reason": "boom"})),
    );
    assert_eq!(api.get("/projects").await.status, 200);
    let project = api.sandbox.state().runnable_project_ids()[0].clone();
    let failed = api
        .post(&format!("/projects/{project}/runs"), json!({}))
        .await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.body, json!({"reason": "boom"}));
}

#[tokio::test]
async fn a_delay_fault_waits_then_answers_normally() {
    let api = Api::start().await;
    api.sandbox.inject(FaultRule::delay(
        "*",
        "/v1/users/me",
        Duration::from_millis(300),
    ));
    let started = Instant::now();
    let answer = api.get("/users/me").await;
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        api.sandbox.requests().last().unwrap().fault.as_deref(),
        Some("delay 300 ms")
    );
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let api = Api::start().await;
    api.sandbox
        .inject(FaultRule::drop_connection("GET", "/v1/projects"));
    let result = async {
        let response = api
            .client
            .get(api.url("/projects"))
            .bearer_auth(api.sandbox.token())
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(
        result.is_err(),
        "expected a transport error, got {result:?}"
    );
    assert_eq!(api.get("/projects").await.status, 200);
    let logged = api.sandbox.requests();
    let dropped = logged
        .iter()
        .find(|r| r.fault.as_deref() == Some("dropped connection"))
        .unwrap();
    assert_eq!(dropped.status, 0);
}

#[tokio::test]
async fn a_malformed_body_is_200_with_invalid_json() {
    let api = Api::start().await;
    api.sandbox
        .inject(FaultRule::malformed_body("GET", "/v1/groups"));
    let response = api
        .client
        .get(api.url("/groups"))
        .bearer_auth(api.sandbox.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.json::<Value>().await.is_err());
}

#[tokio::test]
async fn the_log_records_requests_with_secrets_redacted() {
    let api = Api::start().await;
    api.get("/projects?limit=2&includeSharing=true").await;
    let body = json!({"name": "pg", "type": "postgres", "connectionDetails": {"postgres":
        {"hostname": "h", "port": 5432, "database": "d", "username": "u", "password": "hunter2"}}});
    assert_eq!(api.post("/data-connections", body).await.status, 201);
    let unauthorized = answer(api.client.get(api.url("/users/me")).send().await.unwrap()).await;
    assert_eq!(unauthorized.status, 401);

    let log = api.sandbox.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/api/v1/projects");
    assert_eq!(log[0].query.as_deref(), Some("limit=2&includeSharing=true"));
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].status, 201);
    let logged_body = log[1].body.as_ref().unwrap();
    assert_eq!(
        logged_body["connectionDetails"]["postgres"]["password"],
        "[REDACTED]"
    );
    assert_eq!(
        logged_body["connectionDetails"]["postgres"]["username"],
        "u"
    );
    assert!(!format!("{log:?}").contains("hunter2"));
    assert_eq!(log[2].status, 401);
    assert!(log[0].time <= log[2].time);
    assert_eq!(
        api.sandbox.count_requests("POST", "/v1/data-connections"),
        1
    );
    assert_eq!(api.sandbox.count_requests("*", "/v1/**"), 3);
    api.sandbox.clear_requests();
    assert!(api.sandbox.requests().is_empty());
}

#[tokio::test]
async fn admin_routes_serve_the_log_and_take_faults() {
    let api = Api::start().await;
    let admin = |path: &str| format!("http://{}{path}", api.sandbox.addr());
    let rule = json!({"method": "GET", "path": "/v1/collections", "kind": "status", "status": 502, "times": 1});
    let injected = api
        .client
        .post(admin("/_sandbox/faults"))
        .bearer_auth(api.sandbox.token())
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(injected.status(), 201);
    assert_eq!(api.get("/collections").await.status, 502);
    assert_eq!(api.get("/collections").await.status, 200);
    let bad_rule = api
        .client
        .post(admin("/_sandbox/faults"))
        .bearer_auth(api.sandbox.token())
        .json(&json!({"path": "/x"}))
        .send()
        .await
        .unwrap();
    assert_error(&answer(bad_rule).await, 400, "kind");

    let log: Value = api
        .client
        .get(admin("/_sandbox/requests"))
        .bearer_auth(api.sandbox.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 2, "admin calls are not logged: {log}");
    assert_eq!(entries[0]["status"], 502);
    assert_eq!(entries[0]["fault"], "status 502");
    assert!(entries[0]["time"].is_string());
    let cleared = api
        .client
        .delete(admin("/_sandbox/requests"))
        .bearer_auth(api.sandbox.token())
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert!(api.sandbox.requests().is_empty());
}
