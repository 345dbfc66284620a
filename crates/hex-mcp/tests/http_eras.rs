//! Over Streamable HTTP, in both protocol eras (2025-11-25 sessions and the 2026-07-28
//! stateless protocol), every tool of the Python hex-mcp answers against the sandbox; and with
//! `--stateless`, replicas behind a load balancer act as one server: a change previewed on one
//! is confirmed on another.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::{Launch, Session, TestClient, balancer::Balancer, sandbox};
use hex_sandbox::RunningSandbox;
use rmcp::{
    RoleClient,
    model::{CallToolRequestParams, CallToolResponse, ElicitationAction, ProtocolVersion},
    service::{ClientLifecycleMode, ClientServiceExt, RunningService},
    transport::StreamableHttpClientTransport,
};
use serde_json::{Value, json};

/// A confirmation key shared by the replicas of a test.
const CONFIRM_KEY: &str = "test-confirm-key-0123456789abcdef0123456789";

/// The 26 tools of the Python server, as `../shared/seed-tools.md` numbers them.
fn seed_tools() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seed-tools.md");
    let text = std::fs::read_to_string(path).unwrap();
    let tools: BTreeSet<String> = text
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.split_once(". **")?;
            number.trim().parse::<u32>().ok()?;
            Some(rest.split("**").next()?.to_string())
        })
        .collect();
    assert_eq!(tools.len(), 26, "{tools:?}");
    tools
}

/// Calls a tool; a preview of a risky change is confirmed with its token, as an agent does once
/// its user agrees. Panics on a tool error.
async fn call(session: &Session, called: &mut BTreeSet<String>, tool: &str, args: Value) -> Value {
    called.insert(tool.to_string());
    let answer = session.call(tool, args.clone()).await;
    assert!(!answer.is_error, "{tool}: {}", answer.text);
    let answer = answer.value;
    if answer["confirmationRequired"] != true {
        return answer;
    }
    let mut confirmed = args;
    confirmed["confirmation_token"] = answer["confirmationToken"].clone();
    session.call(tool, confirmed).await.ok()
}

/// Every seed tool once, each with arguments the sandbox can serve.
async fn every_seed_tool(session: &Session, sandbox: &RunningSandbox) -> BTreeSet<String> {
    let state = sandbox.state();
    let project = state.runnable_project_ids()[0].clone();
    let me = state.me_id();
    let user = state.user_ids().into_iter().find(|id| *id != me).unwrap();
    let collection = state.collection_ids()[0].clone();
    let connection = state.connection_ids()[0].clone();
    let called = &mut BTreeSet::new();

    call(session, called, "list_hex_projects", json!({"limit": 2})).await;
    call(
        session,
        called,
        "search_hex_projects",
        json!({"search_pattern": "."}),
    )
    .await;
    call(
        session,
        called,
        "get_hex_project",
        json!({"project_id": project}),
    )
    .await;
    let run = call(
        session,
        called,
        "run_hex_project",
        json!({"project_id": project}),
    )
    .await;
    let run_id = run["runId"].as_str().unwrap();
    let run_args = json!({"project_id": project, "run_id": run_id});
    call(session, called, "get_hex_run_status", run_args.clone()).await;
    call(
        session,
        called,
        "get_hex_project_runs",
        json!({"project_id": project}),
    )
    .await;
    call(session, called, "cancel_hex_run", run_args).await;

    let cells = call(
        session,
        called,
        "list_hex_cells",
        json!({"project_id": project}),
    )
    .await;
    let sql = cells["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|cell| cell["cellType"] == "SQL")
        .unwrap();
    let cell = json!({"cell_id": sql["id"], "sql_source": "select 1"});
    call(session, called, "update_hex_cell", cell).await;

    let users = json!({"project_id": project, "user_permissions": [{"user_id": user, "access": "CAN_VIEW"}]});
    call(session, called, "update_hex_project_user_sharing", users).await;
    let collections = json!({"project_id": project, "collection_permissions": [{"collection_id": collection, "access": "CAN_VIEW"}]});
    call(
        session,
        called,
        "update_hex_project_collection_sharing",
        collections,
    )
    .await;
    let workspace = json!({"project_id": project, "workspace_access": "CAN_VIEW"});
    call(
        session,
        called,
        "update_hex_project_workspace_sharing",
        workspace,
    )
    .await;

    call(session, called, "list_hex_collections", json!({"limit": 5})).await;
    call(
        session,
        called,
        "get_hex_collection",
        json!({"collection_id": collection}),
    )
    .await;
    let made = call(
        session,
        called,
        "create_hex_collection",
        json!({"name": "Eras"}),
    )
    .await;
    let renamed = json!({"collection_id": made["id"], "description": "both protocol eras"});
    call(session, called, "update_hex_collection", renamed).await;

    call(session, called, "list_hex_groups", json!({"limit": 5})).await;
    let group = call(
        session,
        called,
        "create_hex_group",
        json!({"name": "Eras", "member_user_ids": [user]}),
    )
    .await;
    let group_id = group["id"].as_str().unwrap();
    call(
        session,
        called,
        "get_hex_group",
        json!({"group_id": group_id}),
    )
    .await;
    let groups = json!({"project_id": project, "group_permissions": [{"group_id": group_id, "access": "CAN_VIEW"}]});
    call(session, called, "update_hex_project_group_sharing", groups).await;
    call(
        session,
        called,
        "update_hex_group",
        json!({"group_id": group_id, "name": "Eras 2"}),
    )
    .await;
    call(
        session,
        called,
        "delete_hex_group",
        json!({"group_id": group_id}),
    )
    .await;

    call(
        session,
        called,
        "list_hex_data_connections",
        json!({"limit": 5}),
    )
    .await;
    call(
        session,
        called,
        "get_hex_data_connection",
        json!({"connection_id": connection}),
    )
    .await;
    let details = json!({"postgres": {"hostname": "db.example.com", "port": 5432, "database": "app", "username": "reader", "password": "not-a-real-one"}});
    let made =
        json!({"name": "Eras DB", "connection_type": "postgres", "connection_details": details});
    let made = call(session, called, "create_hex_data_connection", made).await;
    let described = json!({"connection_id": made["id"], "description": "both eras"});
    call(session, called, "update_hex_data_connection", described).await;
    called.clone()
}

/// The protocol version a session agreed on.
fn agreed(session: &Session) -> String {
    session
        .client
        .peer_info()
        .map(|info| info.protocol_version.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_seed_tool_answers_over_http_in_both_protocol_eras() {
    for (era, modern) in [("2025-11-25", false), ("2026-07-28", true)] {
        let sandbox = sandbox().await;
        let client = TestClient {
            protocol: (!modern).then_some(ProtocolVersion::V_2025_11_25),
            ..TestClient::default()
        };
        let launch = Launch::against(&sandbox).http().client(client);
        let session = if modern { launch.stateless() } else { launch }
            .start()
            .await;
        assert_eq!(agreed(&session), era);
        let called = every_seed_tool(&session, &sandbox).await;
        assert_eq!(called, seed_tools(), "{era}");
        session.finish().await;
    }
}

/// A replica of a load-balanced deployment: `--stateless` with the shared confirmation key.
async fn replica(sandbox: &RunningSandbox, client: TestClient, modern: bool) -> Session {
    let launch = Launch::against(sandbox)
        .http()
        .arg("--stateless")
        .env("HEX_MCP_CONFIRM_KEY", CONFIRM_KEY)
        .client(client);
    if modern { launch.stateless() } else { launch }
        .start()
        .await
}

#[tokio::test]
async fn a_change_previewed_on_one_replica_is_confirmed_on_another() {
    let sandbox = sandbox().await;
    let legacy = TestClient {
        protocol: Some(ProtocolVersion::V_2025_11_25),
        ..TestClient::default()
    };
    let first = replica(&sandbox, legacy.clone(), false).await;
    let second = replica(&sandbox, legacy, false).await;
    assert_eq!(agreed(&first), "2025-11-25");
    let group = sandbox.state().group_ids()[0].clone();
    let preview = first
        .call("delete_hex_group", json!({"group_id": group}))
        .await
        .ok();
    assert_eq!(preview["confirmationRequired"], true, "{preview}");
    let token = preview["confirmationToken"].clone();
    let confirmed = json!({"group_id": group, "confirmation_token": token});
    let done = second
        .call("delete_hex_group", confirmed.clone())
        .await
        .ok();
    assert_eq!(done["deleted"], true, "{done}");
    assert_eq!(sandbox.count_requests("DELETE", "/v1/groups/*"), 1);
    // Spent where it was redeemed.
    let again = second.call("delete_hex_group", confirmed).await.err();
    assert!(
        again["message"].as_str().unwrap().contains("already used"),
        "{again}"
    );
    // Another group's deletion cannot ride on a token issued for this one.
    let other = sandbox.state().group_ids()[0].clone();
    assert_ne!(other, group);
    let preview = first
        .call("delete_hex_group", json!({"group_id": group}))
        .await;
    let token = preview.value["confirmationToken"].clone();
    let forged = json!({"group_id": other, "confirmation_token": token});
    assert!(second.call("delete_hex_group", forged).await.is_error);
    assert_eq!(sandbox.count_requests("DELETE", "/v1/groups/*"), 1);
    first.finish().await;
    second.finish().await;
}

#[tokio::test]
async fn an_input_required_answer_is_accepted_by_another_replica() {
    let sandbox = sandbox().await;
    let asking = TestClient {
        answer: Some(ElicitationAction::Accept),
        tick: true,
        protocol: Some(ProtocolVersion::V_2026_07_28),
        ..TestClient::default()
    };
    let first = replica(&sandbox, asking.clone(), true).await;
    let second = replica(&sandbox, asking, true).await;
    assert_eq!(agreed(&first), "2026-07-28");
    let group = sandbox.state().group_ids()[0].clone();
    let arguments = json!({"group_id": group});
    let CallToolResponse::InputRequired(required) =
        first.call_once("delete_hex_group", arguments.clone()).await
    else {
        panic!("expected an input-required result");
    };
    assert_eq!(sandbox.count_requests("DELETE", "/v1/groups/*"), 0);
    // The client's retry, with the person's answer, reaches the other replica.
    let mut retry = CallToolRequestParams::new("delete_hex_group")
        .with_arguments(arguments.as_object().cloned().unwrap());
    retry.request_state = required.request_state;
    retry.input_responses = Some(
        [(
            "confirm".to_string(),
            json!({"action": "accept", "content": {"confirm": true}}),
        )]
        .into_iter()
        .collect(),
    );
    let answer = match second.client.call_tool_once(retry).await.unwrap() {
        CallToolResponse::Complete(result) => common::answer_of(result),
        other => panic!("unexpected {other:?}"),
    };
    assert!(!answer.is_error, "{}", answer.text);
    assert_eq!(sandbox.count_requests("DELETE", "/v1/groups/*"), 1);
    first.finish().await;
    second.finish().await;
}

#[tokio::test]
async fn a_stateless_server_offers_no_tasks_and_waits_within_the_call() {
    let sandbox = sandbox().await;
    let tasks = TestClient {
        tasks: true,
        protocol: Some(ProtocolVersion::V_2025_11_25),
        ..TestClient::default()
    };
    let session = replica(&sandbox, tasks, false).await;
    let info = session.client.peer_info().unwrap();
    let extensions = serde_json::to_value(&info.capabilities).unwrap();
    assert!(
        extensions["extensions"]
            .get("io.modelcontextprotocol/tasks")
            .is_none(),
        "{extensions}"
    );
    // A wait runs within the call rather than as a task another replica could not find.
    let project = sandbox.state().runnable_project_ids()[0].clone();
    let run = session
        .call(
            "run_hex_project",
            json!({"project_id": project, "wait_seconds": 5}),
        )
        .await
        .ok();
    assert_eq!(run["runStatus"]["status"], "COMPLETED", "{run}");
    session.finish().await;
}

/// A client of `url` in one era.
async fn connect(
    url: &str,
    client: TestClient,
    modern: bool,
) -> RunningService<RoleClient, TestClient> {
    let lifecycle = if modern {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        }
    } else {
        ClientLifecycleMode::Initialize
    };
    let transport = StreamableHttpClientTransport::from_uri(url.to_string());
    client
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .unwrap()
}

async fn call_via(
    client: &RunningService<RoleClient, TestClient>,
    tool: &str,
    arguments: Value,
) -> common::Answer {
    let params = CallToolRequestParams::new(tool.to_string())
        .with_arguments(arguments.as_object().cloned().unwrap());
    common::answer_of(client.call_tool(params).await.unwrap())
}

#[tokio::test]
async fn replicas_behind_a_round_robin_balancer_act_as_one_server() {
    for modern in [false, true] {
        let sandbox = sandbox().await;
        let first = replica(&sandbox, TestClient::default(), modern).await;
        let second = replica(&sandbox, TestClient::default(), modern).await;
        let base = |session: &Session| session.url.clone().unwrap().replace("/mcp", "");
        let balancer = Balancer::start(vec![base(&first), base(&second)]).await;
        // Legacy clients confirm with a preview's token, 2026-07-28 ones through an
        // input-required round that rmcp's client answers and retries.
        let client = TestClient {
            answer: modern.then_some(ElicitationAction::Accept),
            tick: true,
            protocol: Some(if modern {
                ProtocolVersion::V_2026_07_28
            } else {
                ProtocolVersion::V_2025_11_25
            }),
            ..TestClient::default()
        };
        let client = connect(&balancer.url, client, modern).await;
        assert!(client.list_all_tools().await.unwrap().len() > 26);
        let project = sandbox.state().runnable_project_ids()[0].clone();
        for _ in 0..3 {
            let read = call_via(&client, "get_hex_project", json!({"project_id": project})).await;
            assert!(!read.is_error, "{}", read.text);
        }
        let group = sandbox.state().group_ids()[0].clone();
        let mut arguments = json!({"group_id": group});
        let mut answer = call_via(&client, "delete_hex_group", arguments.clone()).await;
        if answer.value["confirmationRequired"] == true {
            arguments["confirmation_token"] = answer.value["confirmationToken"].clone();
            answer = call_via(&client, "delete_hex_group", arguments).await;
        }
        assert_eq!(
            answer.value["deleted"], true,
            "modern {modern}: {}",
            answer.text
        );
        assert_eq!(sandbox.count_requests("DELETE", "/v1/groups/*"), 1);
        let counts = balancer.counts();
        assert!(
            counts.iter().all(|count| *count >= 3),
            "modern {modern}: {counts:?}"
        );
        let _ = client.cancel().await;
        first.finish().await;
        second.finish().await;
    }
}

/// The control of the test above: without `--stateless`, a 2025-era session lives in one
/// replica's memory and an ordinary balancer breaks it.
#[tokio::test]
async fn without_stateless_a_balancer_breaks_2025_sessions() {
    let sandbox = sandbox().await;
    let first = Launch::against(&sandbox).http().start().await;
    let second = Launch::against(&sandbox).http().start().await;
    let base = |session: &Session| session.url.clone().unwrap().replace("/mcp", "");
    let balancer = Balancer::start(vec![base(&first), base(&second)]).await;
    let client = TestClient {
        protocol: Some(ProtocolVersion::V_2025_11_25),
        ..TestClient::default()
    };
    let transport = StreamableHttpClientTransport::from_uri(balancer.url.clone());
    let worked = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        let client = client
            .serve_with_lifecycle(transport, ClientLifecycleMode::Initialize)
            .await
            .ok()?;
        for _ in 0..4 {
            client.list_all_tools().await.ok()?;
        }
        Some(())
    })
    .await;
    assert!(!matches!(worked, Ok(Some(()))), "{:?}", balancer.counts());
    first.finish().await;
    second.finish().await;
}
