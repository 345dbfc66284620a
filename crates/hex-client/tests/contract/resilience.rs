//! Transient failures injected in the sandbox: retries that honour `Retry-After`, creating POSTs
//! sent exactly once, timeouts, dropped connections and unreadable bodies.

use std::time::{Duration, Instant};

use hex_client::api::projects::{CreateProjectRequest, GetProjectParams, ListProjectsParams};
use hex_client::api::runs::RunProjectRequest;
use hex_client::{HexError, RateLimitSource};
use hex_sandbox::FaultRule;

use crate::common::{Env, config, no_hang};

/// The statuses the sandbox answered to GetProject, oldest first (0 for a dropped connection).
fn get_project_statuses(env: &Env) -> Vec<u16> {
    env.sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/api/v1/projects/"))
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn a_get_meeting_429_then_503_succeeds_on_the_third_try_after_the_advertised_waits() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().project_ids()[0].clone();
    let path = format!("/v1/projects/{project_id}");
    env.sandbox
        .inject(FaultRule::status("GET", &path, 429).with_retry_after(1));
    env.sandbox
        .inject(FaultRule::status("GET", &path, 503).with_retry_after(1));
    let started = Instant::now();
    let project = env.ok(no_hang(
        env.client
            .projects()
            .get(&project_id, &GetProjectParams::default()),
    )
    .await);
    let elapsed = started.elapsed();
    assert_eq!(project.id, project_id);
    // Two advertised waits of 1 s each (a lower bound only: slow machines take longer).
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(env.sandbox.count_requests("GET", "/v1/projects/*"), 3);
    assert_eq!(get_project_statuses(&env), vec![429, 503, 200]);
}

#[tokio::test]
async fn run_project_meeting_429_is_sent_once_and_comes_back_rate_limited() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    let runs_before = env.sandbox.state().run_ids(&project_id).len();
    // Enough faults for every retry a client might try: only one request may arrive.
    env.sandbox.inject(
        FaultRule::status("POST", "/v1/projects/*/runs", 429)
            .with_retry_after(1)
            .times(5),
    );
    let err = env.err(
        no_hang(
            env.client
                .runs()
                .run(&project_id, &RunProjectRequest::default()),
        )
        .await,
    );
    let HexError::RateLimited {
        retry_after,
        source,
    } = &err
    else {
        panic!("expected RateLimited, got {err:?}");
    };
    assert_eq!(*source, RateLimitSource::Server);
    assert_eq!(*retry_after, Some(Duration::from_secs(1)));
    assert_eq!(err.status(), Some(429));
    assert!(err.to_string().contains("429"), "{err}");
    assert_eq!(env.sandbox.count_requests("POST", "/v1/projects/*/runs"), 1);
    assert_eq!(env.sandbox.state().run_ids(&project_id).len(), runs_before);
}

#[tokio::test]
async fn run_project_meeting_503_is_sent_once_and_comes_back_unavailable() {
    let env = Env::start().await;
    let project_id = env.sandbox.state().runnable_project_ids()[0].clone();
    env.sandbox.inject(
        FaultRule::status("POST", "/v1/projects/*/runs", 503)
            .with_retry_after(1)
            .times(5),
    );
    let err = env.err(
        no_hang(
            env.client
                .runs()
                .run(&project_id, &RunProjectRequest::default()),
        )
        .await,
    );
    let HexError::Unavailable {
        status,
        reason,
        trace_id,
        retry_after,
    } = &err
    else {
        panic!("expected Unavailable, got {err:?}");
    };
    assert_eq!(*status, 503);
    assert_eq!(reason.as_deref(), Some("Service Unavailable"));
    assert!(trace_id.is_some());
    assert_eq!(*retry_after, Some(Duration::from_secs(1)));
    assert!(err.is_transient());
    assert_eq!(env.sandbox.count_requests("POST", "/v1/projects/*/runs"), 1);
}

#[tokio::test]
async fn a_timeout_is_a_timeout_error_not_a_hang() {
    let env = Env::custom(config(), |b| b.timeout(Duration::from_millis(300))).await;
    env.sandbox.inject(FaultRule::delay(
        "GET",
        "/v1/users/me",
        Duration::from_secs(8),
    ));
    let started = Instant::now();
    let err = env.err(no_hang(env.client.users().me()).await);
    let elapsed = started.elapsed();
    let HexError::Timeout { operation, timeout } = &err else {
        panic!("expected Timeout, got {err:?}");
    };
    assert_eq!((*operation, *timeout), ("Me", Duration::from_millis(300)));
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(err.is_transient());
    assert!(
        err.to_string().contains("did not answer GET /v1/users/me"),
        "{err}"
    );
    // Without the delay the same client answers at once.
    assert_eq!(
        env.ok(no_hang(env.client.users().me()).await).id,
        env.sandbox.state().me_id()
    );
}

#[tokio::test]
async fn a_dropped_connection_is_a_network_error() {
    let env = Env::start().await;
    let projects_before = env.sandbox.state().project_ids().len();
    // A creating POST is never retried: the drop comes back as it is.
    env.sandbox
        .inject(FaultRule::drop_connection("POST", "/v1/projects"));
    let request = CreateProjectRequest {
        title: "Dropped".to_owned(),
        description: None,
    };
    let err = env.err(no_hang(env.client.projects().create(&request)).await);
    let HexError::Network { operation, .. } = &err else {
        panic!("expected Network, got {err:?}");
    };
    assert_eq!(*operation, "CreateProject");
    assert!(err.is_transient());
    assert_eq!(err.status(), None);
    // The request went out: the message must not claim it never reached Hex.
    let text = err.to_string();
    assert!(text.contains("broke during POST /v1/projects"), "{text}");
    assert!(text.contains("may have received"), "{text}");
    assert_eq!(env.sandbox.count_requests("POST", "/v1/projects"), 1);
    assert_eq!(env.sandbox.state().project_ids().len(), projects_before);

    // A GET that keeps meeting drops gives up with the same error after its retries.
    env.sandbox
        .inject(FaultRule::drop_connection("GET", "/v1/projects").times(10));
    let err = env.err(no_hang(env.client.projects().list(&ListProjectsParams::default())).await);
    assert!(
        matches!(
            err,
            HexError::Network {
                operation: "ListProjects",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(env.sandbox.count_requests("GET", "/v1/projects"), 4);
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error() {
    let env = Env::start().await;
    env.sandbox
        .inject(FaultRule::malformed_body("GET", "/v1/projects"));
    let err = env.err(no_hang(env.client.projects().list(&ListProjectsParams::default())).await);
    let HexError::Decode {
        operation,
        status,
        excerpt,
        ..
    } = &err
    else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!((*operation, *status), ("ListProjects", 200));
    assert!(excerpt.contains("truncated"), "{excerpt}");
    assert!(!err.is_transient());
    // Not retried: an unreadable answer would be unreadable again.
    assert_eq!(env.sandbox.count_requests("GET", "/v1/projects"), 1);
}

#[tokio::test]
async fn a_sandbox_that_is_gone_is_a_network_error_saying_hex_was_not_reached() {
    let env = Env::start().await;
    let client = env.client.clone();
    let Env { sandbox, .. } = env;
    sandbox.shutdown().await;
    let err = no_hang(client.users().me()).await.unwrap_err();
    assert!(
        matches!(
            err,
            HexError::Network {
                operation: "Me",
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("could not reach Hex to send GET /v1/users/me"),
        "{text}"
    );
    assert!(!text.contains(crate::common::TOKEN), "{text}");
}
