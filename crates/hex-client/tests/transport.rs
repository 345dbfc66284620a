#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Transport behaviour against a mock Hex: auth, statuses, error bodies, retries, timeouts.

mod common;

use std::time::{Duration, Instant};

use common::{PROJECT_ID, RUN_ID, TOKEN, client, project_json, run_status_json};
use hex_client::api::projects::GetProjectParams;
use hex_client::api::runs::{GetRunStatusParams, RunProjectRequest};
use hex_client::{
    ErrorDetails, HexClient, HexError, RateLimitSource, RateLimits, RetryPolicy, SecretString,
};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn sends_bearer_token_user_agent_and_accept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/me"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .and(header("user-agent", hex_client::DEFAULT_USER_AGENT))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "u1", "role": "ADMIN", "email": "ana@example.com", "org": {"id": "o1"}, "token": {"exp": null}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let me = client(&server).users().me().await.unwrap();
    assert_eq!(me.email, "ana@example.com");
    assert!(hex_client::DEFAULT_USER_AGENT.starts_with("hex-mcp/"));
}

#[tokio::test]
async fn custom_user_agent_is_sent() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/groups/g1"))
        .and(header("user-agent", "airflow-task/2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "g1", "name": "Data", "createdAt": "x"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = HexClient::builder(common::base(&server), SecretString::from(TOKEN))
        .user_agent("airflow-task/2")
        .build()
        .unwrap();
    assert_eq!(client.groups().get("g1").await.unwrap().name, "Data");
}

#[tokio::test]
async fn ids_are_percent_encoded_into_one_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/projects/a%2Fb%20c"))
        .respond_with(ResponseTemplate::new(200).set_body_json(project_json("a/b c")))
        .expect(1)
        .mount(&server)
        .await;
    let project = client(&server)
        .projects()
        .get("a/b c", &GetProjectParams::default())
        .await
        .unwrap();
    assert_eq!(project.id, "a/b c");
}

#[tokio::test]
async fn no_content_answers_are_success() {
    let server = MockServer::start().await;
    let run_path = format!("/api/v1/projects/{PROJECT_ID}/runs/{RUN_ID}");
    Mock::given(method("DELETE"))
        .and(path(run_path))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/groups/g1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users/u1/deactivate"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.runs().cancel(PROJECT_ID, RUN_ID).await.unwrap();
    client.groups().delete("g1").await.unwrap();
    client.users().deactivate("u1").await.unwrap();
}

#[tokio::test]
async fn not_found_carries_reason_and_trace_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"reason": "Project not found", "traceId": "abc123"})),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .projects()
        .get(PROJECT_ID, &GetProjectParams::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.trace_id(), Some("abc123"));
    assert!(matches!(&err, HexError::Api { reason: Some(r), .. } if r == "Project not found"));
    assert_eq!(
        err.to_string(),
        "Hex answered HTTP 404 Not Found: Project not found (traceId abc123)"
    );
}

#[tokio::test]
async fn unprocessable_run_lists_invalid_and_missing_inputs() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "traceId": "t-422",
            "invalid": [{"paramName": "threshold", "paramValue": "\"high\"", "dataType": "NUMBER", "inputCellType": "SLIDER"}],
            "notFound": ["region"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .runs()
        .run(PROJECT_ID, &RunProjectRequest::default())
        .await
        .unwrap_err();
    let HexError::Api {
        status,
        invalid,
        not_found,
        trace_id,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*status, trace_id.as_deref()), (422, Some("t-422")));
    assert_eq!(invalid[0].param_name, "threshold");
    assert_eq!(invalid[0].input_cell_type, "SLIDER");
    assert_eq!(&not_found[..], &["region".to_owned()][..]);
}

#[tokio::test]
async fn details_may_be_a_string_or_an_array() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/groups/a"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"reason": "Bad request", "details": "name is too long"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/groups/b"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "reason": "Invalid updates",
            "details": [{"name": "db.sales", "type": "SCHEMA", "reason": "not_found"}]
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.groups().get("a").await.unwrap_err();
    assert!(
        matches!(&err, HexError::Api { details: Some(d), .. } if **d == ErrorDetails::Text("name is too long".into()))
    );
    let err = client.groups().get("b").await.unwrap_err();
    let HexError::Api {
        details: Some(details),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    let ErrorDetails::Items(items) = details.as_ref() else {
        panic!("{details:?}")
    };
    assert_eq!(items[0].reason.as_deref(), Some("not_found"));
    assert!(
        err.to_string().contains("SCHEMA db.sales: not_found"),
        "{err}"
    );
}

#[tokio::test]
async fn undecodable_success_is_a_decode_error_with_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
        .mount(&server)
        .await;
    let err = client(&server).users().me().await.unwrap_err();
    let HexError::Decode {
        operation,
        status,
        excerpt,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*operation, *status, excerpt.as_str()),
        ("Me", 200, "<html>login</html>")
    );
}

#[tokio::test]
async fn get_is_retried_after_429_honouring_retry_after() {
    let server = MockServer::start().await;
    let status_path = format!("/api/v1/projects/{PROJECT_ID}/runs/{RUN_ID}");
    Mock::given(method("GET"))
        .and(path(status_path.as_str()))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(status_path.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(run_status_json("COMPLETED")))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let status = client(&server)
        .runs()
        .status(PROJECT_ID, RUN_ID, &GetRunStatusParams::default())
        .await
        .unwrap();
    assert!(status.status.is_terminal());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );
}

#[tokio::test]
async fn retry_after_beyond_the_budget_returns_rate_limited_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .expect(1)
        .mount(&server)
        .await;
    // Waiting out the 120 s would fail the guard; the answer itself must come without any wait.
    let err = tokio::time::timeout(Duration::from_secs(60), client(&server).groups().get("g1"))
        .await
        .expect("the client waited out a Retry-After beyond its budget")
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert!(matches!(
        err,
        HexError::RateLimited {
            source: RateLimitSource::Server,
            ..
        }
    ));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn gateway_errors_are_retried_a_bounded_number_of_times() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"reason": "maintenance", "traceId": "t503"})),
        )
        .expect(4) // the first attempt and 3 retries
        .mount(&server)
        .await;
    let err = client(&server).groups().get("g1").await.unwrap_err();
    assert!(
        matches!(&err, HexError::Unavailable { status: 503, reason: Some(r), .. } if r == "maintenance")
    );
    assert_eq!(err.trace_id(), Some("t503"));
}

#[tokio::test]
async fn run_project_is_sent_exactly_once_on_429_and_503() {
    for (status, expect_rate_limited) in [(429, true), (503, false)] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/api/v1/projects/{PROJECT_ID}/runs")))
            .respond_with(ResponseTemplate::new(status).insert_header("retry-after", "0"))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server)
            .runs()
            .run(PROJECT_ID, &RunProjectRequest::default())
            .await
            .unwrap_err();
        assert_eq!(
            matches!(err, HexError::RateLimited { .. }),
            expect_rate_limited,
            "{err:?}"
        );
        assert_eq!(
            matches!(err, HexError::Unavailable { .. }),
            !expect_rate_limited,
            "{err:?}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn creating_posts_are_never_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let client = client(&server);
    let group = hex_client::api::groups::CreateGroupRequest {
        name: "Data".into(),
        members: None,
    };
    assert!(client.groups().create(&group).await.is_err());
    let collection = hex_client::api::collections::CreateCollectionRequest {
        name: "Finance".into(),
        ..Default::default()
    };
    assert!(client.collections().create(&collection).await.is_err());
    let cell = hex_client::api::cells::CreateCellRequest::code(PROJECT_ID, "print(1)");
    assert!(client.cells().create(&cell).await.is_err());
}

#[tokio::test]
async fn a_slow_answer_is_a_quick_timeout_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(10)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = HexClient::builder(common::base(&server), SecretString::from(TOKEN))
        .timeout(Duration::from_millis(200))
        .retry_policy(common::fast_retries())
        .build()
        .unwrap();
    // The body is 10 s late: only a timeout (and no retry, see `expect(1)`) makes this an error.
    let err = client.users().me().await.unwrap_err();
    assert!(
        matches!(
            err,
            HexError::Timeout {
                operation: "Me",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_reported_without_the_token() {
    // Bind then drop a listener, so the port refuses connections.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = HexClient::builder(
        format!("http://127.0.0.1:{port}/api/v1"),
        SecretString::from(TOKEN),
    )
    .retry_policy(common::fast_retries())
    .build()
    .unwrap();
    let err = client.users().me().await.unwrap_err();
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
    let text = format!("{err} {err:?}");
    assert!(!text.contains(TOKEN), "{text}");
}

/// A port that accepts connections, counts them, and answers each with plain text: a TLS client
/// fails its handshake there, as it would against a proxy or a wrong certificate.
async fn counting_listener(
    answer: &'static [u8],
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let _ = stream.write_all(answer).await;
            let _ = stream.shutdown().await;
        }
    });
    (port, accepted)
}

/// How many connections `GET /users/me` opens, with fast retries, against a counting listener
/// that answers `answer` over `scheme`; and the error it ends in.
async fn attempts_against(scheme: &str, answer: &'static [u8]) -> (usize, HexError) {
    let (port, accepted) = counting_listener(answer).await;
    let client = HexClient::builder(
        format!("{scheme}://127.0.0.1:{port}/api/v1"),
        SecretString::from(TOKEN),
    )
    .retry_policy(common::fast_retries())
    .build()
    .unwrap();
    let err = client.users().me().await.unwrap_err();
    assert!(matches!(err, HexError::Network { .. }), "{err:?}");
    (accepted.load(std::sync::atomic::Ordering::SeqCst), err)
}

#[tokio::test]
async fn a_tls_failure_is_not_retried() {
    // Another handshake with the same peer fails the same way: one attempt, not four.
    let (attempts, err) =
        attempts_against("https", b"HTTP/1.1 400 Bad Request\r\n\r\nnot TLS\n").await;
    assert_eq!(attempts, 1, "{err}");
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_still_retried() {
    // Unlike a refused or failed connect, a dropped connection can heal on the next try.
    let (attempts, err) = attempts_against("http", b"").await;
    assert_eq!(attempts, 4, "{err}");
}

/// The token goes only to the configured host: a redirect to another host (here `localhost`
/// instead of `127.0.0.1`, a different host to any HTTP client) is reported, not followed, so the
/// other host never sees a request, let alone the Authorization header. Same-host redirects
/// are not followed either: Hex's API never redirects, so one means a wrong base URL or a proxy.
#[tokio::test]
async fn a_redirect_never_takes_the_token_elsewhere() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"stolen": true})))
        .mount(&elsewhere)
        .await;
    let port = elsewhere.address().port();
    for (status, target) in [
        (302, format!("http://localhost:{port}/api/v1/users/me")),
        (307, format!("http://localhost:{port}/steal")),
        (308, "/api/v1/users/me".to_owned()),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).insert_header("location", target.as_str()))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server).users().me().await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert!(err.to_string().contains("redirect"), "{err}");
    }
    let reached = elsewhere.received_requests().await.unwrap();
    assert!(
        reached.is_empty(),
        "the other host was reached: {reached:?}"
    );
}

#[tokio::test]
async fn pacing_refuses_beyond_the_max_wait_without_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "projectId": PROJECT_ID, "runId": RUN_ID, "runUrl": "u", "runStatusUrl": "s", "traceId": "t", "projectVersion": 1
        })))
        .expect(2)
        .mount(&server)
        .await;
    let limits = RateLimits::default()
        .with_group(
            hex_client::RateGroup::RunKernel,
            vec![hex_client::Quota::per_minute(2)],
        )
        .with_max_wait(Duration::from_millis(100));
    let client = HexClient::builder(common::base(&server), SecretString::from(TOKEN))
        .rate_limits(limits)
        .build()
        .unwrap();
    for _ in 0..2 {
        client
            .runs()
            .run(PROJECT_ID, &RunProjectRequest::default())
            .await
            .unwrap();
    }
    let err = client
        .runs()
        .run(PROJECT_ID, &RunProjectRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        HexError::RateLimited {
            source: RateLimitSource::ClientPacing {
                group: hex_client::RateGroup::RunKernel
            },
            ..
        }
    ));
    // The wait it refused is most of a minute and the pacing's 2 % guard (the third call is
    // not sent: `expect(2)`); the lower bound leaves a slow machine half a minute for the first
    // two calls.
    let wait = err.retry_after().unwrap();
    assert!(
        wait > Duration::from_secs(30) && wait <= Duration::from_millis(61_200),
        "{wait:?}"
    );
    // Other groups are not affected.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(run_status_json("RUNNING")))
        .mount(&server)
        .await;
    client
        .runs()
        .status(PROJECT_ID, RUN_ID, &GetRunStatusParams::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn short_pacing_waits_sleep_instead_of_failing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(run_status_json("RUNNING")))
        .expect(3)
        .mount(&server)
        .await;
    let quota = hex_client::Quota {
        max: 1,
        per: Duration::from_millis(150),
    };
    let limits = RateLimits::default()
        .with_group(hex_client::RateGroup::HexApi, vec![quota])
        .with_max_wait(Duration::from_secs(1));
    let client = HexClient::builder(common::base(&server), SecretString::from(TOKEN))
        .rate_limits(limits)
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        client
            .runs()
            .status(PROJECT_ID, RUN_ID, &GetRunStatusParams::default())
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = HexClient::builder(common::base(&server), SecretString::from(TOKEN))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(matches!(
        client.users().me().await,
        Err(HexError::Unavailable { status: 503, .. })
    ));
}

#[test]
fn calls_are_send_so_multi_threaded_servers_can_spawn_them() {
    fn assert_send<T: Send>(_: &T) {}
    let client = HexClient::builder("https://app.hex.tech", SecretString::from(TOKEN))
        .build()
        .unwrap();
    assert_send(&client.runs().run(PROJECT_ID, &RunProjectRequest::default()));
    assert_send(
        &client
            .projects()
            .get(PROJECT_ID, &GetProjectParams::default()),
    );
    let mut pages = client
        .groups()
        .pages(Default::default(), Default::default());
    assert_send(&pages.next_page());
}

/// A group DELETE answered `first`, then 404 on the retry.
async fn delete_after(first: u16) -> Result<(), HexError> {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/groups/g1"))
        .respond_with(ResponseTemplate::new(first))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/groups/g1"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"reason": "Group not found"})),
        )
        .mount(&server)
        .await;
    client(&server).groups().delete("g1").await
}

/// A DELETE whose first answer was lost after Hex may have acted (504) and whose retry finds
/// nothing left was done by the first attempt: success, not "not found". After a 503 (Hex
/// refused before acting), or with no earlier attempt, a 404 stays an error.
#[tokio::test]
async fn a_delete_retried_after_hex_may_have_acted_finds_it_done() {
    delete_after(504).await.unwrap();
    let refused = delete_after(503).await.unwrap_err();
    assert_eq!(refused.status(), Some(404), "{refused}");
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/groups/g1"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let missing = client(&server).groups().delete("g1").await.unwrap_err();
    assert_eq!(missing.status(), Some(404));
}
