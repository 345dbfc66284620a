//! Error bodies: `{reason, details?, traceId?}` for 400, 401, 404, 422 and 429 (with an integer
//! `Retry-After`).

use hex_sandbox::{RateLimitMode, SandboxConfig};
use reqwest::Method;
use serde_json::json;

use super::{assert_error_body, assert_new_error_body};
use crate::common::{Env, UNKNOWN_ID, config, raw_client};

#[tokio::test]
async fn error_json_matches_the_reference() {
    let env = Env::with(SandboxConfig {
        rate_limits: RateLimitMode::Documented,
        ..config()
    })
    .await;
    let state = env.sandbox.state();
    let bad_cursor = env.raw_get("/projects?after=garbage").await.expect(400);
    assert_error_body("400", &bad_cursor);
    assert!(bad_cursor["details"].is_string());
    let bad_limit = env.raw_get("/projects?limit=101").await.expect(400);
    assert_error_body("400 limit", &bad_limit);
    let missing = env
        .raw_get(&format!("/groups/{UNKNOWN_ID}"))
        .await
        .expect(404);
    assert_error_body("404", &missing);
    let project = state.unpublished_project_ids()[0].clone();
    let unpublished = env
        .raw(
            Method::POST,
            &format!("/projects/{project}/runs"),
            Some(json!({})),
        )
        .await
        .expect(422);
    assert_new_error_body("422", &unpublished, "UNPROCESSABLE_CONTENT");

    // 401 without a token.
    let url = format!("{}/users/me", env.sandbox.base_url());
    let answer = raw_client().get(url).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_new_error_body("401", &body, "UNAUTHORIZED");
    assert_eq!(body["message"], "Authorization not provided");

    // 429 once a documented limit is used up (hex-api: 30 per minute on GetDataConnection).
    let connection = state.connection_ids()[0].clone();
    let path = format!("/data-connections/{connection}");
    for _ in 0..30 {
        env.raw_get(&path).await.expect(200);
    }
    let url = format!("{}{path}", env.sandbox.base_url());
    let answer = raw_client()
        .get(url)
        .bearer_auth(env.sandbox.token())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 429);
    let retry_after = answer.headers()["retry-after"].to_str().unwrap().to_owned();
    assert!(
        retry_after
            .parse::<u64>()
            .is_ok_and(|s| (1..=60).contains(&s)),
        "{retry_after}"
    );
    let body: serde_json::Value = answer.json().await.unwrap();
    // 429 is declared nowhere; the sandbox answers in the operation's generation.
    assert_new_error_body("429", &body, "TOO_MANY_REQUESTS");
}
