//! Client-side pacing against the sandbox's documented limits: bulk RunProject calls stop at the
//! client before Hex would answer 429.

use std::time::Duration;

use hex_client::api::runs::RunProjectRequest;
use hex_client::{HexError, RateGroup, RateLimitSource, RateLimits};
use hex_sandbox::{RateLimitMode, SandboxConfig};
use reqwest::Method;
use serde_json::json;

use crate::common::{Env, config, no_hang};

#[tokio::test]
async fn client_pacing_keeps_21_run_project_calls_under_the_sandbox_limit() {
    let sandbox = SandboxConfig {
        rate_limits: RateLimitMode::Documented,
        // Runs stay PENDING: nothing here waits for them.
        run_pending: Duration::from_secs(60),
        ..config()
    };
    let pacing = RateLimits::default().with_max_wait(Duration::from_millis(50));
    let env = Env::custom(sandbox, |b| b.rate_limits(pacing)).await;
    let projects = env.sandbox.state().runnable_project_ids();
    let request = RunProjectRequest::default();
    for i in 0..20 {
        let project_id = &projects[i % projects.len()];
        env.ok(no_hang(env.client.runs().run(project_id, &request)).await);
    }
    // The 21st within the minute: refused by the client's own pacing, without a request.
    let err = env.err(no_hang(env.client.runs().run(&projects[0], &request)).await);
    let HexError::RateLimited {
        retry_after,
        source,
    } = &err
    else {
        panic!("expected RateLimited, got {err:?}");
    };
    assert_eq!(
        *source,
        RateLimitSource::ClientPacing {
            group: RateGroup::RunProject
        }
    );
    // The wait is until the oldest of the 20 leaves the minute: most of a minute.
    let wait = retry_after.expect("a wait");
    assert!(wait > Duration::from_secs(30), "{wait:?}");
    assert!(err.to_string().contains("RunProject"), "{err}");
    assert_eq!(
        env.sandbox.count_requests("POST", "/v1/projects/*/runs"),
        20
    );
    assert!(
        env.sandbox.requests().iter().all(|r| r.status != 429),
        "the sandbox answered 429"
    );

    // The sandbox's limit is real: a 21st request that skips the client's pacing meets 429.
    let path = format!("/projects/{}/runs", projects[0]);
    let raw = env.raw(Method::POST, &path, Some(json!({}))).await;
    assert_eq!(raw.status.as_u16(), 429, "{}", raw.body);
}
