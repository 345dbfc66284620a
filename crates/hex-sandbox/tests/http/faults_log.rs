//! Fault injection and the request log, in process and through the admin routes.

use std::time::{Duration, Instant};

use hex_sandbox::{FaultKind, FaultRule};
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

/// A GET of `path` as raw bytes, or the transport error.
async fn raw(api: &Api, path: &str) -> Result<(u16, String, Vec<u8>), reqwest::Error> {
    let response = api
        .client
        .get(api.url(path))
        .bearer_auth(api.sandbox.token())
        .send()
        .await?;
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok((status, kind, response.bytes().await?.to_vec()))
}

#[tokio::test]
async fn a_proxy_page_is_html_with_the_status() {
    let api = Api::start().await;
    api.sandbox
        .inject(FaultRule::proxy_page("GET", "/v1/groups", 502));
    let (status, kind, body) = raw(&api, "/groups").await.unwrap();
    assert_eq!((status, kind.as_str()), (502, "text/html"));
    assert!(String::from_utf8(body).unwrap().contains("502 Bad Gateway"));
    assert_eq!(api.get("/groups").await.status, 200);
}

#[tokio::test]
async fn a_truncated_body_breaks_after_half_the_answer_and_a_create_takes_effect() {
    let api = Api::start().await;
    api.sandbox.inject(FaultRule::new(
        "POST",
        "/v1/groups",
        FaultKind::TruncatedBody,
    ));
    let sent = api
        .client
        .post(api.url("/groups"))
        .bearer_auth(api.sandbox.token())
        .json(&json!({"name": "Cut"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    assert!(sent.content_length().unwrap() > 2);
    assert!(sent.bytes().await.is_err(), "the body should break");
    let groups = api.walk("/groups").await;
    assert!(groups.iter().any(|group| group["name"] == "Cut"));
    assert_eq!(
        api.sandbox.requests()[0].fault.as_deref(),
        Some("truncated body")
    );
}

#[tokio::test]
async fn a_drop_after_serving_gives_no_answer_but_the_create_took_effect() {
    let api = Api::start().await;
    api.sandbox.inject(FaultRule::new(
        "POST",
        "/v1/groups",
        FaultKind::DropAfterServing,
    ));
    let sent = async {
        api.client
            .post(api.url("/groups"))
            .bearer_auth(api.sandbox.token())
            .json(&json!({"name": "Dropped"}))
            .send()
            .await?
            .bytes()
            .await
    }
    .await;
    assert!(sent.is_err(), "{sent:?}");
    let groups = api.walk("/groups").await;
    assert!(groups.iter().any(|group| group["name"] == "Dropped"));
    assert_eq!(api.sandbox.requests()[0].status, 0);
}

#[tokio::test]
async fn a_connection_closed_at_accept_never_reaches_the_log() {
    let api = Api::start().await;
    api.sandbox.close_next_connections(1);
    // The test client's first connection (a pooled one would not be accepted again).
    assert!(raw(&api, "/users/me").await.is_err());
    assert_eq!(api.sandbox.connections_closed_at_accept(), 1);
    assert!(api.sandbox.requests().is_empty());
    assert_eq!(raw(&api, "/users/me").await.unwrap().0, 200);
}

#[tokio::test]
async fn extra_fields_are_added_and_optional_fields_removed() {
    let api = Api::start().await;
    api.sandbox
        .inject(FaultRule::new("GET", "/v1/groups", FaultKind::ExtraFields));
    let page = api.get("/groups").await;
    assert!(page.body["sandboxUndocumentedField"].is_object());
    assert!(page.body["values"][0]["sandboxUndocumentedField"].is_object());
    let project = api.sandbox.state().runnable_project_ids()[0].clone();
    let run = api
        .post(&format!("/projects/{project}/runs"), json!({}))
        .await;
    let run_path = format!(
        "/projects/{project}/runs/{}",
        run.body["runId"].as_str().unwrap()
    );
    assert!(api.get(&run_path).await.body.get("traceId").is_some());
    api.sandbox
        .inject(FaultRule::omit_optional_fields("GET", "/v1/projects/**"));
    let trimmed = api.get(&run_path).await;
    assert_eq!(trimmed.status, 200);
    for field in hex_sandbox::OPTIONAL_RESPONSE_FIELDS {
        assert!(
            trimmed.body.get(field).is_none(),
            "{field}: {}",
            trimmed.body
        );
    }
    assert!(trimmed.body["runId"].is_string());
}
