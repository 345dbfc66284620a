//! No secret (the token, connection secrets) in any error message or `Debug` output: every
//! kind of error the client can return against the sandbox, plus the client and request types.

use std::time::Duration;

use hex_client::api::connections::{
    ConnectionDetailsUpdate, CreateDataConnectionRequest, NewConnectionDetails, NewPostgres,
    PostgresUpdate, UpdateDataConnectionRequest,
};
use hex_client::api::projects::{GetProjectParams, ListProjectsParams};
use hex_client::api::runs::RunProjectRequest;
use hex_client::{
    HexClient, HexError, Quota, RateGroup, RateLimitSource, RateLimits, RetryPolicy, Secret,
    SecretString,
};
use hex_sandbox::{FaultRule, SandboxConfig};

use crate::common::{Env, TOKEN, UNKNOWN_ID, config, no_hang};

const PASSWORD: &str = "S3CRET-pw-secrets-test-42";

fn postgres(password: &str) -> NewConnectionDetails {
    NewConnectionDetails::Postgres(NewPostgres {
        hostname: "db.acme.example".into(),
        port: 5432,
        database: "app".into(),
        username: "hex".into(),
        password: Secret::new(password),
    })
}

#[tokio::test]
async fn no_secret_appears_in_any_error_message_or_debug_output() {
    let env = Env::custom(
        SandboxConfig {
            rate_limits: hex_sandbox::RateLimitMode::Documented,
            rate_limit_scale: 0.05,
            ..config()
        },
        |b| {
            b.timeout(Duration::from_millis(300))
                .retry_policy(RetryPolicy::none())
        },
    )
    .await;
    env.secret(PASSWORD);
    env.assert_clean("the client's Debug", &format!("{:?}", env.client));
    let builder = HexClient::builder(env.sandbox.base_url(), SecretString::from(TOKEN));
    env.assert_clean("a builder's Debug", &format!("{builder:?}"));

    // 400 on a connection with a secret in the body: the body is not echoed.
    let mut bad = CreateDataConnectionRequest::new("  ", postgres(PASSWORD));
    env.err(no_hang(env.client.connections().create(&bad)).await);
    bad.name = "pg".to_owned();
    bad.description = Some("with a secret".to_owned());
    env.assert_clean("a create request's Debug", &format!("{bad:?}"));
    let created = env.ok(no_hang(env.client.connections().create(&bad)).await);
    let edit = UpdateDataConnectionRequest {
        name: Some(String::new()),
        connection_details: Some(ConnectionDetailsUpdate::Postgres(PostgresUpdate {
            password: Some(Secret::new(PASSWORD)),
            ..PostgresUpdate::default()
        })),
        ..UpdateDataConnectionRequest::default()
    };
    let err = env.err(no_hang(env.client.connections().update(&created.id, &edit)).await);
    assert_eq!(err.status(), Some(400));
    // 404, 429 (the hex-api group at 5%: 2 per minute), 503, timeout, dropped connection, bad body.
    env.err(
        no_hang(
            env.client
                .projects()
                .get(UNKNOWN_ID, &GetProjectParams::default()),
        )
        .await,
    );
    for _ in 0..3 {
        let _ = no_hang(env.client.connections().get(&created.id)).await;
    }
    let limited = env.err(no_hang(env.client.connections().get(&created.id)).await);
    assert_eq!(limited.status(), Some(429));
    env.sandbox
        .inject(FaultRule::status("GET", "/v1/projects", 503));
    env.sandbox.inject(FaultRule::delay(
        "GET",
        "/v1/projects",
        Duration::from_secs(5),
    ));
    env.sandbox
        .inject(FaultRule::drop_connection("GET", "/v1/projects"));
    env.sandbox
        .inject(FaultRule::malformed_body("GET", "/v1/projects"));
    let list = ListProjectsParams::default();
    for expected in ["Unavailable", "Timeout", "Network", "Decode"] {
        let err = env.err(no_hang(env.client.projects().list(&list)).await);
        assert!(format!("{err:?}").starts_with(expected), "{err:?}");
    }
    // A refusal by the client's own pacing.
    let one_per_minute = RateLimits::default()
        .with_group(RateGroup::RunKernel, vec![Quota::per_minute(1)])
        .with_max_wait(Duration::ZERO);
    let paced = HexClient::builder(env.sandbox.base_url(), SecretString::from(TOKEN))
        .rate_limits(one_per_minute)
        .build()
        .unwrap();
    env.assert_clean("a paced client's Debug", &format!("{paced:?}"));
    let project = env.sandbox.state().runnable_project_ids()[0].clone();
    let run = RunProjectRequest::default();
    env.ok(no_hang(paced.runs().run(&project, &run)).await);
    let refused = env.err(no_hang(paced.runs().run(&project, &run)).await);
    assert!(matches!(
        refused,
        HexError::RateLimited {
            source: RateLimitSource::ClientPacing { .. },
            ..
        }
    ));
}
