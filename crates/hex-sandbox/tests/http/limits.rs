//! Rate limits as Hex documents them, and the configurable latency.

use std::time::{Duration, Instant};

use hex_sandbox::{RateLimitMode, SandboxConfig};
use serde_json::json;

use crate::common::{Api, assert_error};

fn documented() -> SandboxConfig {
    SandboxConfig::default()
}

#[tokio::test]
async fn the_31st_cell_request_within_a_minute_is_a_429_with_retry_after() {
    let api = Api::with(documented()).await;
    let project = api.sandbox.state().project_ids()[0].clone();
    let cell = api.sandbox.state().cell_ids(&project)[0].clone();
    // ListCells and GetCell share hex-api-30rpm.
    for i in 0..30 {
        let path = if i % 2 == 0 {
            format!("/cells?projectId={project}&limit=1")
        } else {
            format!("/cells/{cell}")
        };
        let answer = api.get(&path).await;
        assert_eq!(answer.status, 200, "request {i}: {}", answer.body);
    }
    let refused = api.get(&format!("/cells/{cell}")).await;
    assert_error(&refused, 429, "Rate limit");
    assert_error(&refused, 429, "hex-api-30rpm");
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    // Other groups keep working, and runs (hex-run-kernel, no figures) are not limited.
    assert_eq!(api.get("/projects?limit=1").await.status, 200);
    let runnable = api.sandbox.state().runnable_project_ids()[0].clone();
    for _ in 0..25 {
        let answer = api
            .post(
                &format!("/projects/{runnable}/runs"),
                json!({"dryRun": true}),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
}

#[tokio::test]
async fn the_hex_api_group_limits_create_project_and_connections_reads() {
    let api = Api::with(documented()).await;
    for _ in 0..30 {
        assert_eq!(api.get("/data-connections").await.status, 200);
    }
    assert_error(&api.get("/data-connections").await, 429, "Rate limit");
    // GetDataConnection shares the group's budget.
    let id = api.sandbox.state().connection_ids()[0].clone();
    assert_eq!(
        api.get(&format!("/data-connections/{id}")).await.status,
        429
    );
    // Operations without rate-limit text are unlimited by default.
    for _ in 0..40 {
        assert_eq!(api.get("/groups?limit=1").await.status, 200);
    }
}

#[tokio::test]
async fn scale_and_everywhere_modes() {
    let api = Api::with(SandboxConfig {
        rate_limits: RateLimitMode::DocumentedEverywhere,
        rate_limit_scale: 0.1,
        ..SandboxConfig::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(api.get("/groups").await.status, 200);
    }
    let refused = api.get("/groups").await;
    assert_error(&refused, 429, "Rate limit");
    assert!(refused.headers.contains_key("retry-after"));

    let off = Api::with(SandboxConfig {
        rate_limits: RateLimitMode::Off,
        ..SandboxConfig::default()
    })
    .await;
    let project = off.sandbox.state().runnable_project_ids()[0].clone();
    for _ in 0..25 {
        assert_eq!(
            off.post(
                &format!("/projects/{project}/runs"),
                json!({"dryRun": true})
            )
            .await
            .status,
            201
        );
    }
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let api = Api::with(SandboxConfig {
        latency: Duration::from_millis(150),
        ..crate::common::config()
    })
    .await;
    let started = Instant::now();
    assert_eq!(api.get("/users/me").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}
