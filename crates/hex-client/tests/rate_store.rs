#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The shared pacing store against a real `redis-server`: clients that share a store share one
//! budget per token; a store that dies mid-run degrades to in-process pacing instead of failing
//! calls; no password ever shows.

mod common;
#[path = "support/redis_server.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use common::{PROJECT_ID, TOKEN, base, fast_retries, project_json};
use futures::future::join_all;
use hex_client::api::projects::GetProjectParams;
use hex_client::{
    HexClient, HexError, Quota, RateGroup, RateLimitSource, RateLimits, RateStore, SecretString,
};
use redis_server::RedisServer;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// 5 requests per 2 s in the `hex-api` group (GetProject's).
fn five_per_two_seconds(max_wait: Duration) -> RateLimits {
    let quota = Quota {
        max: 5,
        per: Duration::from_secs(2),
    };
    RateLimits::default()
        .with_group(RateGroup::HexApi, vec![quota])
        .with_max_wait(max_wait)
}

async fn hex() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1/projects/[^/]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(project_json(PROJECT_ID)))
        .mount(&server)
        .await;
    server
}

fn client(
    server: &MockServer,
    token: &str,
    limits: RateLimits,
    store: Option<&RateStore>,
) -> HexClient {
    let builder = HexClient::builder(base(server), SecretString::from(token.to_string()))
        .retry_policy(fast_retries())
        .rate_limits(limits);
    match store {
        Some(store) => builder.rate_store(store.clone()),
        None => builder,
    }
    .build()
    .unwrap()
}

/// Five GetProject calls on each client at once; each call's result and when it finished.
async fn ten_at_once(a: &HexClient, b: &HexClient) -> Vec<(Result<(), HexError>, Duration)> {
    let start = Instant::now();
    let calls = [a, b].into_iter().flat_map(|client| {
        (0..5).map(move |_| async move {
            let result = client
                .projects()
                .get(PROJECT_ID, &GetProjectParams::default())
                .await
                .map(|_| ());
            (result, start.elapsed())
        })
    });
    join_all(calls).await
}

fn paced_refusals(results: &[(Result<(), HexError>, Duration)]) -> usize {
    results
        .iter()
        .filter(|(result, _)| {
            matches!(
                result,
                Err(HexError::RateLimited {
                    source: RateLimitSource::ClientPacing {
                        group: RateGroup::HexApi
                    },
                    ..
                })
            )
        })
        .count()
}

/// A Redis, a Hex, and a client booking in that Redis one GetProject a minute (refused beyond).
async fn one_a_minute_on_a_store() -> (RedisServer, MockServer, HexClient) {
    let redis = RedisServer::start();
    let store = RateStore::connect(&redis.url()).await.unwrap();
    let server = hex().await;
    let one = RateLimits::default()
        .with_group(RateGroup::HexApi, vec![Quota::per_minute(1)])
        .with_max_wait(Duration::ZERO);
    let client = client(&server, TOKEN, one, Some(&store));
    (redis, server, client)
}

#[tokio::test]
async fn two_clients_sharing_a_store_share_one_budget() {
    let redis = RedisServer::start();
    let store = RateStore::connect(&redis.url()).await.unwrap();
    let server = hex().await;
    let limits = five_per_two_seconds(Duration::ZERO);
    let a = client(&server, TOKEN, limits.clone(), Some(&store));
    let b = client(&server, TOKEN, limits, Some(&store));

    let results = ten_at_once(&a, &b).await;
    let granted = results.iter().filter(|(r, _)| r.is_ok()).count();
    assert_eq!((granted, paced_refusals(&results)), (5, 5));
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn control_two_clients_pacing_alone_send_twice_the_budget() {
    let server = hex().await;
    let limits = five_per_two_seconds(Duration::ZERO);
    let a = client(&server, TOKEN, limits.clone(), None);
    let b = client(&server, TOKEN, limits, None);

    let results = ten_at_once(&a, &b).await;
    assert!(results.iter().all(|(r, _)| r.is_ok()));
    assert_eq!(server.received_requests().await.unwrap().len(), 10);
}

#[tokio::test]
async fn within_the_maximum_wait_the_rest_wait_for_the_next_window() {
    let redis = RedisServer::start();
    let store = RateStore::connect(&redis.url()).await.unwrap();
    let server = hex().await;
    let limits = five_per_two_seconds(Duration::from_secs(3));
    let a = client(&server, TOKEN, limits.clone(), Some(&store));
    let b = client(&server, TOKEN, limits, Some(&store));

    let results = ten_at_once(&a, &b).await;
    assert!(results.iter().all(|(r, _)| r.is_ok()));
    let at_once = results
        .iter()
        .filter(|(_, t)| *t < Duration::from_millis(1500))
        .count();
    let waited = results
        .iter()
        .filter(|(_, t)| *t >= Duration::from_millis(1900))
        .count();
    assert_eq!((at_once, waited), (5, 5), "{results:?}");
}

#[tokio::test]
async fn each_token_has_its_own_budget() {
    let redis = RedisServer::start();
    let store = RateStore::connect(&redis.url()).await.unwrap();
    let server = hex().await;
    let limits = five_per_two_seconds(Duration::ZERO);
    let a = client(&server, TOKEN, limits.clone(), Some(&store));
    let b = client(&server, "another-token-abcdef", limits, Some(&store));

    let results = ten_at_once(&a, &b).await;
    assert!(results.iter().all(|(r, _)| r.is_ok()), "{results:?}");
}

/// Redis going away mid-run must not fail calls: they are paced in-process, and the failure is
/// counted in `hex_mcp_rate_store_errors_total`.
#[test]
fn a_store_that_dies_falls_back_to_in_process_pacing() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let (mut redis, _server, client) = one_a_minute_on_a_store().await;
            redis.stop();

            let started = Instant::now();
            let params = GetProjectParams::default();
            let projects = client.projects();
            let get = || projects.get(PROJECT_ID, &params);
            get().await.unwrap();
            // The in-process window still paces: the second call in the minute is refused.
            let err = get().await.unwrap_err();
            assert!(matches!(
                err,
                HexError::RateLimited {
                    source: RateLimitSource::ClientPacing { .. },
                    ..
                }
            ));
            assert!(started.elapsed() < Duration::from_secs(5));
        });
    });
    let text = handle.render();
    assert!(text.contains("hex_mcp_rate_store_errors_total 2"), "{text}");
}

/// Once Redis is back (a restart, empty), bookings go to it again: the connection reconnects.
#[tokio::test]
async fn bookings_return_to_the_store_once_it_is_back() {
    let (mut redis, _server, client) = one_a_minute_on_a_store().await;
    let params = GetProjectParams::default();
    let projects = client.projects();
    redis.stop();
    // Paced in-process: the minute's one request is spent there.
    projects.get(PROJECT_ID, &params).await.unwrap();
    assert!(projects.get(PROJECT_ID, &params).await.is_err());

    redis.restart();
    // The emptied store grants a slot the in-process window would refuse, once reconnected.
    let deadline = Instant::now() + Duration::from_secs(5);
    while projects.get(PROJECT_ID, &params).await.is_err() {
        assert!(Instant::now() < deadline, "the store was not used again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_password_never_shows() {
    let redis = RedisServer::start_with(&["--requirepass", "s3cret-pw"]);
    let port = redis.port();
    let store = RateStore::connect(&format!("redis://:s3cret-pw@127.0.0.1:{port}"))
        .await
        .unwrap();
    let shown = format!("{store:?}");
    assert!(
        !shown.contains("s3cret-pw") && shown.contains(":***@"),
        "{shown}"
    );
    let server = hex().await;
    let client = client(&server, TOKEN, RateLimits::default(), Some(&store));
    let shown = format!("{client:?}");
    assert!(
        !shown.contains("s3cret-pw") && shown.contains(":***@"),
        "{shown}"
    );

    let wrong = RateStore::connect(&format!("redis://:wrong-pw@127.0.0.1:{port}"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        !wrong.contains("wrong-pw") && wrong.contains(":***@"),
        "{wrong}"
    );
    let closed = redis_server::free_port();
    let refused = RateStore::connect(&format!("redis://:s3cret-pw@127.0.0.1:{closed}"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        !refused.contains("s3cret-pw") && refused.contains(&closed.to_string()),
        "{refused}"
    );
}
