//! Protocol robustness (issue 11, item 3), over stdio with the real binary and over Streamable
//! HTTP: unknown methods, notifications among requests, a 10 MB message and one over the line
//! limit, a burst of 1,000 requests sent without waiting, cancelling a call in flight, and
//! stdin closed during a call. The server answers what it can, logs to stderr, keeps stdout to
//! JSON-RPC messages (checked at the end of every stdio test) and exits 0 on EOF. Malformed
//! lines are tested in tests/protocol.rs, bodies over the HTTP limit in tests/http.rs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "protocol_robustness/raw.rs"]
mod raw;

use std::{collections::BTreeSet, time::Duration};

use common::{Launch, sandbox};
use futures::StreamExt;
use hex_sandbox::{FaultRule, RunningSandbox};
use raw::{Raw, call, request};
use serde_json::{Value, json};

fn embedded() -> Raw {
    Raw::start(&["run", "--sandbox"], &[])
}

fn against(sandbox: &RunningSandbox) -> Raw {
    let url = sandbox.base_url();
    Raw::start(
        &["run"],
        &[("HEX_API_URL", &url), ("HEX_API_KEY", sandbox.token())],
    )
}

#[tokio::test]
async fn unknown_methods_get_method_not_found_and_notifications_get_nothing() {
    let mut server = embedded();
    server.initialize().await;
    server
        .send(&request("a", "no/such/method", json!({})))
        .await;
    server
        .send(&json!({"jsonrpc": "2.0", "method": "notifications/no_such_thing"}))
        .await;
    server
        .send(
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": 999, "reason": "never sent"}}),
        )
        .await;
    server.send(&request(2, "ping", json!({}))).await;
    server.send(&call(3, "no_such_tool", json!({}))).await;

    let unknown = server.next().await;
    assert_eq!(unknown["id"], "a", "{unknown}");
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let ping = server.next().await;
    assert_eq!(
        (ping["id"].clone(), ping["result"].clone()),
        (json!(2), json!({}))
    );
    let tool = server.next().await;
    assert_eq!(tool["id"], 3, "{tool}");
    let said = tool.to_string();
    assert!(said.contains("no_such_tool"), "{said}");
    let (rest, _) = server.finish().await;
    assert!(rest.is_empty(), "answers to notifications: {rest:?}");
}

#[tokio::test]
async fn a_burst_of_1000_requests_with_notifications_among_them_gets_1000_answers() {
    let mut server = embedded();
    server.initialize().await;
    let mut burst = Vec::new();
    for id in 0..1000 {
        let message = if id % 2 == 0 {
            request(id, "ping", json!({}))
        } else {
            request(id, "tools/list", json!({}))
        };
        burst.extend_from_slice(format!("{message}\n").as_bytes());
        if id % 10 == 0 {
            let note = json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"});
            burst.extend_from_slice(format!("{note}\n").as_bytes());
        }
    }
    server.write(&burst).await;
    let mut answered = BTreeSet::new();
    for _ in 0..1000 {
        let answer = server.next().await;
        let id = answer["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{answer:.300}"));
        let expected = if id % 2 == 0 { "ping" } else { "tools/list" };
        let ok = if expected == "ping" {
            answer["result"] == json!({})
        } else {
            answer["result"]["tools"].is_array()
        };
        assert!(ok, "{expected} {id}: {answer:.300}");
        assert!(answered.insert(id), "{id} answered twice");
    }
    assert_eq!(answered, (0..1000).collect());
    let (rest, _) = server.finish().await;
    assert!(rest.is_empty(), "unexpected messages: {rest:?}");
}

#[tokio::test]
async fn a_10_mb_message_is_answered_and_one_over_the_limit_is_refused() {
    let mut server = embedded();
    server.initialize().await;
    let pattern = "x".repeat(10 * 1024 * 1024);
    server
        .send(&call(
            1,
            "search_hex_projects",
            json!({"search_pattern": pattern}),
        ))
        .await;
    let answer = server.next().await;
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["result"]["isError"], true, "{answer:.300}");

    // 17 MiB: over the 16 MiB line limit. The line is dropped, and the client is told.
    let huge = "y".repeat(17 * 1024 * 1024);
    server.send(&request(2, "ping", json!({"pad": huge}))).await;
    let refused = server.next().await;
    assert_eq!(refused["error"]["code"], -32600, "{refused:.300}");
    assert!(refused["id"].is_null(), "{refused:.300}");
    server.send(&request(3, "ping", json!({}))).await;
    assert_eq!(server.next().await["id"], 3);
    let (_, stderr) = server.finish().await;
    assert!(stderr.contains("was dropped"), "{stderr:.2000}");
}

#[tokio::test]
async fn a_cancelled_call_gets_no_answer_and_the_server_keeps_serving() {
    let sandbox = sandbox().await;
    sandbox.inject(FaultRule::delay(
        "GET",
        "/v1/projects",
        Duration::from_secs(3),
    ));
    let mut server = against(&sandbox);
    server.initialize().await;
    server
        .send(&call(7, "list_hex_projects", json!({"limit": 1})))
        .await;
    // Give the call time to reach Hex (which holds it for 3 s), then cancel it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server
        .send(
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": 7, "reason": "the user gave up"}}),
        )
        .await;
    server.send(&request(8, "ping", json!({}))).await;
    server
        .send(&call(9, "list_hex_groups", json!({"limit": 1})))
        .await;
    let mut seen = server.drain(Duration::from_secs(5)).await;
    let ids: Vec<Value> = seen.iter().map(|message| message["id"].clone()).collect();
    assert!(
        ids.contains(&json!(8)) && ids.contains(&json!(9)),
        "{seen:?}"
    );
    let groups = seen.iter().find(|message| message["id"] == 9).unwrap();
    assert!(
        groups["result"]["structuredContent"]["values"].is_array(),
        "{groups}"
    );
    seen.retain(|message| message["id"] == 7);
    assert!(
        seen.iter().all(|message| message.get("result").is_none()),
        "a cancelled call was answered: {seen:?}"
    );
    server.finish().await;
}

#[tokio::test]
async fn stdin_closed_during_a_call_ends_the_server_with_0_and_clean_stdout() {
    let sandbox = sandbox().await;
    sandbox.inject(FaultRule::delay(
        "GET",
        "/v1/projects",
        Duration::from_secs(2),
    ));
    let mut server = against(&sandbox);
    server.initialize().await;
    server
        .send(&call(4, "list_hex_projects", json!({"limit": 1})))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.close_stdin();
    let (rest, stderr) = server.finish().await;
    for message in &rest {
        assert_eq!(message["id"], 4, "{message}");
    }
    assert!(!stderr.contains(common::TOKEN));
}

/// One HTTP client for every request (and its pooled connections).
fn http() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::new()
    })
}

/// One JSON-RPC exchange with a Streamable HTTP server: the messages of a JSON or SSE answer.
async fn post(url: &str, session: Option<&str>, body: String) -> (u16, Vec<Value>) {
    let mut request = http()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .header("mcp-protocol-version", "2025-06-18")
        .body(body);
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let messages = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .chain(std::iter::once(text.as_str()))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .collect();
    (status, messages)
}

/// Initializes a 2025-era session over HTTP and returns its id.
async fn http_session(url: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let init = request(
        "init",
        "initialize",
        json!({"protocolVersion": "2025-06-18",
        "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}),
    );
    let response = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(&init)
        .send()
        .await
        .unwrap();
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let (status, _) = post(url, Some(&session), initialized.to_string()).await;
    assert_eq!(status, 202);
    session
}

#[tokio::test]
async fn over_http_a_10_mb_message_over_the_default_limit_gets_its_413() {
    // The default limit (4 MiB): the 10 MB body is refused, and the client, still sending it,
    // reads the 413 that says why instead of a reset connection.
    let session = Launch::embedded().http().start().await;
    let url = session.url.clone().unwrap();
    let id = http_session(&url).await;
    for attempt in 0..3 {
        let big = call(
            attempt,
            "search_hex_projects",
            json!({"search_pattern": "x".repeat(10 << 20)}),
        );
        let (status, messages) = post(&url, Some(&id), big.to_string()).await;
        assert_eq!(status, 413, "attempt {attempt}: {messages:.300?}");
        let said = messages.iter().any(|m| {
            m["error"]["message"]
                .as_str()
                .is_some_and(|text| text.contains("--max-body-bytes"))
        });
        assert!(said, "{messages:.300?}");
    }
    let (status, _) = post(&url, Some(&id), request(9, "ping", json!({})).to_string()).await;
    assert_eq!(status, 200, "the server serves on");
}

#[tokio::test]
async fn over_http_bad_bodies_unknown_methods_notifications_and_a_burst_are_answered() {
    // A body limit above 10 MB, so that the 10 MB message is read and answered (the test above
    // sends it against the default limit).
    let session = Launch::embedded()
        .http()
        .arg("--max-body-bytes")
        .arg("16777216")
        .start()
        .await;
    let url = session.url.clone().unwrap();
    let id = http_session(&url).await;

    let (status, messages) = post(&url, Some(&id), "{not json".into()).await;
    assert!((400..500).contains(&status), "{status} {messages:?}");
    let (status, messages) = post(
        &url,
        Some(&id),
        request(5, "no/such/method", json!({})).to_string(),
    )
    .await;
    let error = messages.iter().find(|m| m["id"] == 5);
    assert!(
        error.is_some_and(|m| m["error"]["code"] == -32601),
        "{status} {messages:?}"
    );
    let note = json!({"jsonrpc": "2.0", "method": "notifications/no_such_thing"});
    let (status, messages) = post(&url, Some(&id), note.to_string()).await;
    assert_eq!((status, messages.len()), (202, 0), "{messages:?}");

    // 10 MB: answered, and the server serves on.
    let big = call(
        6,
        "search_hex_projects",
        json!({"search_pattern": "x".repeat(10 << 20)}),
    );
    let (status, messages) = post(&url, Some(&id), big.to_string()).await;
    let answered = messages
        .iter()
        .any(|m| m["id"] == 6 && m["result"]["isError"] == true);
    assert!(answered, "{status} {messages:.300?}");

    let burst = futures::stream::iter(0..1000)
        .map(|n| {
            let (url, id) = (url.clone(), id.clone());
            async move {
                let method = if n % 2 == 0 { "ping" } else { "tools/list" };
                let (_, messages) = post(
                    &url,
                    Some(&id),
                    request(1000 + n, method, json!({})).to_string(),
                )
                .await;
                messages
                    .iter()
                    .any(|m| m["id"] == 1000 + n && m.get("result").is_some())
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<bool>>()
        .await;
    assert_eq!(burst.iter().filter(|ok| **ok).count(), 1000);
    let (stdout, _) = session.finish().await;
    assert!(
        stdout.trim().is_empty(),
        "stdout in HTTP mode: {stdout:.300}"
    );
}

#[tokio::test]
async fn over_http_a_cancelled_call_ends_and_the_session_serves_on() {
    let sandbox = sandbox().await;
    sandbox.inject(FaultRule::delay(
        "GET",
        "/v1/projects",
        Duration::from_secs(3),
    ));
    let session = Launch::against(&sandbox).http().start().await;
    let handle = session
        .start_call("list_hex_projects", json!({"limit": 1}))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    handle
        .cancel(Some("the user gave up".into()))
        .await
        .unwrap();
    let me = session.call("get_hex_current_user", json!({})).await.ok();
    assert!(me["email"].is_string(), "{me}");
    session.finish().await;
}
