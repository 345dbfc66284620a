//! Client-side pacing against the sandbox's documented limits: bulk cell reads (the
//! `hex-api-30rpm` group) stop at the client before Hex would answer 429.

use std::time::Duration;

use hex_client::api::cells::ListCellsParams;
use hex_client::{HexError, RateGroup, RateLimitSource, RateLimits};
use hex_sandbox::{RateLimitMode, SandboxConfig};
use reqwest::Method;

use crate::common::{Env, config, no_hang};

#[tokio::test]
async fn client_pacing_keeps_31_cell_calls_under_the_sandbox_limit() {
    let sandbox = SandboxConfig {
        rate_limits: RateLimitMode::Documented,
        ..config()
    };
    let pacing = RateLimits::default().with_max_wait(Duration::from_millis(50));
    let env = Env::custom(sandbox, |b| b.rate_limits(pacing)).await;
    let projects = env.sandbox.state().project_ids();
    let cell = env.sandbox.state().cell_ids(&projects[0])[0].clone();
    // ListCells and GetCell share the group's 30 per minute.
    for i in 0..30 {
        if i % 2 == 0 {
            let params = ListCellsParams {
                project_id: projects[i % projects.len()].clone(),
                limit: Some(1),
                ..ListCellsParams::default()
            };
            env.ok(no_hang(env.client.cells().list(&params)).await);
        } else {
            env.ok(no_hang(env.client.cells().get(&cell)).await);
        }
    }
    // The 31st within the minute: refused by the client's own pacing, without a request.
    let err = env.err(no_hang(env.client.cells().get(&cell)).await);
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
            group: RateGroup::HexApi30Rpm
        }
    );
    // The wait is until the oldest of the 30 leaves the minute: most of a minute.
    let wait = retry_after.expect("a wait");
    assert!(wait > Duration::from_secs(30), "{wait:?}");
    assert!(err.to_string().contains("hex-api-30rpm"), "{err}");
    assert_eq!(
        env.sandbox.count_requests("GET", "/v1/cells")
            + env.sandbox.count_requests("GET", "/v1/cells/*"),
        30
    );
    assert!(
        env.sandbox.requests().iter().all(|r| r.status != 429),
        "the sandbox answered 429"
    );

    // The sandbox's limit is real: a 31st request that skips the client's pacing meets 429.
    let raw = env.raw(Method::GET, &format!("/cells/{cell}"), None).await;
    assert_eq!(raw.status.as_u16(), 429, "{}", raw.body);
}

#[tokio::test]
async fn run_project_has_no_figures_and_is_not_paced() {
    // `hex-run-kernel` states no limits: 25 runs in a row go out without client-side waits.
    let sandbox = SandboxConfig {
        rate_limits: RateLimitMode::Documented,
        run_pending: Duration::from_secs(60),
        ..config()
    };
    let pacing = RateLimits::default().with_max_wait(Duration::ZERO);
    let env = Env::custom(sandbox, |b| b.rate_limits(pacing)).await;
    let projects = env.sandbox.state().runnable_project_ids();
    let request = hex_client::api::runs::RunProjectRequest::default();
    for i in 0..25 {
        let project_id = &projects[i % projects.len()];
        env.ok(no_hang(env.client.runs().run(project_id, &request)).await);
    }
    assert_eq!(
        env.sandbox.count_requests("POST", "/v1/projects/*/runs"),
        25
    );
}
