//! `--rate-store`: two `hex-mcp run --transport http` replicas on one Hex token, against a
//! sandbox that enforces a (scaled) `hex-api` limit. Sharing a real `redis-server` they send no
//! more than the limit and draw no 429 (the calls that could not be paced in time come back as
//! the client's own refusal); pacing alone, the same two draw 429s. A store that cannot be
//! reached stops start-up, and no message shows the URL's password.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "../../hex-client/tests/support/redis_server.rs"]
mod redis_server;

use std::{process::Stdio, time::Duration};

use futures::future::join_all;
use hex_sandbox::{RateLimitMode, RunningSandbox};
use redis_server::RedisServer;
use rmcp::{
    ServiceExt,
    model::{CallToolRequestParams, ClientConfig},
    service::RunningService,
    transport::StreamableHttpClientTransport,
};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The sandbox's `hex-api` limit at scale 0.2: 30/min becomes 6/min.
const LIMIT_PER_MINUTE: usize = 6;
/// Calls each replica makes at once.
const CALLS_PER_REPLICA: usize = 6;

/// A sandbox whose `hex-api` group (GetProject's) allows 6 requests a minute.
async fn limited_sandbox() -> RunningSandbox {
    common::sandbox_with(|config| {
        config.rate_limits = RateLimitMode::DocumentedEverywhere;
        config.rate_limit_scale = 0.2;
    })
    .await
}

/// `hex-mcp run --transport http` on the sandbox's token, paced at the sandbox's limit.
fn replica_command(sandbox: &RunningSandbox, extra: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"));
    command
        .args(["run", "--transport", "http", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("HEX_API_URL", sandbox.base_url())
        .env("HEX_API_KEY", sandbox.token())
        .env(
            "HEX_MCP_RATE_LIMITS",
            format!("hex-api={LIMIT_PER_MINUTE}/min"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// A running replica and its MCP client.
struct Replica {
    client: RunningService<rmcp::RoleClient, ClientConfig>,
    _child: tokio::process::Child,
}

async fn replica(sandbox: &RunningSandbox, extra: &[&str]) -> Replica {
    replica_from(replica_command(sandbox, extra)).await
}

async fn replica_from(mut command: tokio::process::Command) -> Replica {
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line.find("http://") {
                return line[at..].trim().to_string();
            }
        }
        panic!("the replica never said where it listens");
    })
    .await
    .unwrap();
    // Keep draining stderr so the replica never blocks writing its log.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = ClientConfig::default()
        .serve(StreamableHttpClientTransport::from_uri(url))
        .await
        .unwrap();
    Replica {
        client,
        _child: child,
    }
}

/// What came back from the calls, and what the sandbox saw.
#[derive(Debug)]
struct Figures {
    succeeded: usize,
    paced_by_client: usize,
    other_errors: Vec<String>,
    /// GetProject requests that reached the sandbox (all within the test's minute).
    sent: usize,
    /// Of those, answered 429.
    answered_429: usize,
}

/// Six `get_hex_project` calls on each of two replicas, all at once.
async fn drive(sandbox: &RunningSandbox, extra: &[&str]) -> Figures {
    let (a, b) = tokio::join!(replica(sandbox, extra), replica(sandbox, extra));
    let project = sandbox.state().project_ids()[0].clone();
    let calls = [&a, &b].into_iter().flat_map(|replica| {
        let project = project.clone();
        (0..CALLS_PER_REPLICA).map(move |_| {
            let params = CallToolRequestParams::new("get_hex_project").with_arguments(
                json!({"project_id": project.clone()})
                    .as_object()
                    .cloned()
                    .unwrap(),
            );
            replica.client.call_tool(params)
        })
    });
    let results = join_all(calls).await;
    let mut figures = Figures {
        succeeded: 0,
        paced_by_client: 0,
        other_errors: Vec::new(),
        sent: 0,
        answered_429: 0,
    };
    for result in results {
        let answer = common::answer_of(result.unwrap());
        if !answer.is_error {
            figures.succeeded += 1;
        } else if answer.text.contains("client-side pacing") && answer.text.contains("call again") {
            figures.paced_by_client += 1;
        } else {
            figures.other_errors.push(answer.text);
        }
    }
    let requests: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|request| request.method == "GET" && request.path.contains("/projects/"))
        .collect();
    figures.sent = requests.len();
    figures.answered_429 = requests.iter().filter(|r| r.status == 429).count();
    figures
}

#[tokio::test]
async fn replicas_sharing_a_store_stay_within_hexs_limit() {
    let redis = RedisServer::start();
    let sandbox = limited_sandbox().await;
    let figures = drive(&sandbox, &["--rate-store", &redis.url()]).await;
    eprintln!("with --rate-store: {figures:?} (limit {LIMIT_PER_MINUTE}/min)");
    assert_eq!(figures.answered_429, 0, "{figures:?}");
    assert!(figures.sent <= LIMIT_PER_MINUTE, "{figures:?}");
    assert_eq!(figures.succeeded, LIMIT_PER_MINUTE, "{figures:?}");
    assert_eq!(
        figures.paced_by_client,
        2 * CALLS_PER_REPLICA - LIMIT_PER_MINUTE,
        "{figures:?}"
    );
    assert!(figures.other_errors.is_empty(), "{figures:?}");
}

/// The control: the same replicas pacing alone send twice the limit and draw Hex's 429s.
#[tokio::test]
async fn replicas_pacing_alone_draw_429s() {
    let sandbox = limited_sandbox().await;
    let figures = drive(&sandbox, &[]).await;
    eprintln!("without --rate-store: {figures:?} (limit {LIMIT_PER_MINUTE}/min)");
    assert!(figures.sent > LIMIT_PER_MINUTE, "{figures:?}");
    assert!(figures.answered_429 > 0, "{figures:?}");
}

/// A store asked for but unreachable stops `run` and `call` at start-up, naming the store and
/// the fix, never the password.
#[tokio::test]
async fn an_unreachable_store_refuses_start_up_without_showing_the_password() {
    let sandbox = common::sandbox().await;
    let closed = redis_server::free_port();
    let url = format!("redis://:secret@127.0.0.1:{closed}");
    let mut run = replica_command(&sandbox, &["--rate-store", &url]);
    let mut call = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"));
    call.args(["call", "list_hex_projects", "--sandbox"])
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .env("HEX_MCP_RATE_STORE", &url);
    for command in [&mut run, &mut call] {
        let output = tokio::time::timeout(Duration::from_secs(15), command.output())
            .await
            .expect("start-up should fail within the connect timeout")
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{stderr}");
        assert!(!stderr.contains("secret"), "{stderr}");
        assert!(
            stderr.contains(&format!("redis://:***@127.0.0.1:{closed}")),
            "{stderr}"
        );
        assert!(
            stderr.contains("Start Redis") && stderr.contains("drop --rate-store"),
            "{stderr}"
        );
    }
}

/// With the store, a confirmation token is spent for every replica: redeemed on one, it is
/// refused on the other, before anything reaches Hex.
#[tokio::test]
async fn a_token_redeemed_on_one_replica_is_spent_on_all() {
    let redis = RedisServer::start();
    let sandbox = common::sandbox().await;
    let url = redis.url();
    let extra = ["--rate-store", url.as_str(), "--stateless"];
    let start = |sandbox| {
        let mut command = replica_command(sandbox, &extra);
        command.env(
            "HEX_MCP_CONFIRM_KEY",
            "shared-confirm-key-0123456789abcdef01234567",
        );
        command
    };
    let (a, b) = tokio::join!(replica_from(start(&sandbox)), replica_from(start(&sandbox)));
    // One token, redeemed on a, replayed on b.
    let group = sandbox.state().group_ids()[0].clone();
    let call = |replica: &Replica, arguments: serde_json::Value| {
        let params = CallToolRequestParams::new("delete_hex_group")
            .with_arguments(arguments.as_object().cloned().unwrap());
        let peer = replica.client.peer().clone();
        async move { common::answer_of(peer.call_tool(params).await.unwrap()) }
    };
    let preview = call(&a, json!({"group_id": group})).await.ok();
    let confirmed = json!({"group_id": group, "confirmation_token": preview["confirmationToken"]});
    assert_eq!(call(&a, confirmed.clone()).await.ok()["deleted"], true);
    let replayed = call(&b, confirmed).await.err();
    let message = replayed["message"].as_str().unwrap();
    assert!(message.contains("already used"), "{message}");
    assert_eq!(sandbox.count_requests("DELETE", "/v1/groups/*"), 1);
}
