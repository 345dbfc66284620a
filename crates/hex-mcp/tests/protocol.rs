//! The server over the real MCP protocol: both lifecycles, the tool list, hygiene of stdout
//! and secrets, and errors when nothing is configured.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Launch, TOKEN, sandbox};
use serde_json::json;

#[tokio::test]
async fn initialize_handshake_lists_tools_and_calls_one() {
    let session = Launch::embedded().start().await;
    let info = session.client.peer_info().unwrap();
    assert_eq!(
        info.server_info.as_ref().map(|s| s.name.as_str()),
        Some("hex-mcp")
    );
    let names = session.tool_names().await;
    assert!(
        names.contains(&"list_hex_projects".to_string()),
        "{names:?}"
    );
    let page = session
        .call("list_hex_projects", json!({"limit": 2}))
        .await
        .ok();
    assert_eq!(page["values"].as_array().unwrap().len(), 2);
    assert!(page["pagination"]["after"].is_string());
    session.finish().await;
}

#[tokio::test]
async fn stateless_2026_07_28_protocol_works_too() {
    let session = Launch::embedded().stateless().start().await;
    let info = session.client.peer_info().unwrap();
    assert_eq!(
        info.protocol_version,
        rmcp::model::ProtocolVersion::V_2026_07_28
    );
    let names = session.tool_names().await;
    assert!(names.contains(&"get_hex_project".to_string()));
    let page = session
        .call("list_hex_projects", json!({"limit": 1}))
        .await
        .ok();
    assert_eq!(page["values"].as_array().unwrap().len(), 1);
    session.finish().await;
}

#[tokio::test]
async fn every_tool_has_a_title_and_all_four_hints() {
    let session = Launch::embedded().start().await;
    let tools = session.client.list_all_tools().await.unwrap();
    assert!(!tools.is_empty());
    for tool in &tools {
        let hints = tool
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no annotations", tool.name));
        assert!(tool.title.is_some(), "{} has no title", tool.name);
        assert!(
            hints.read_only_hint.is_some()
                && hints.destructive_hint.is_some()
                && hints.idempotent_hint.is_some()
                && hints.open_world_hint.is_some(),
            "{} lacks a hint",
            tool.name
        );
        let schema = serde_json::to_string(&tool.input_schema).unwrap();
        assert!(
            !schema.contains("\"null\""),
            "{} has a null type: {schema}",
            tool.name
        );
        assert!(
            !schema.contains("$ref"),
            "{} has a $ref: {schema}",
            tool.name
        );
    }
    session.finish().await;
}

#[tokio::test]
async fn a_missing_token_is_a_tool_error_that_says_how_to_configure_one() {
    let session = Launch {
        args: vec!["run".into()],
        ..Launch::embedded()
    }
    .start()
    .await;
    let error = session.call("list_hex_projects", json!({})).await.err();
    assert_eq!(error["kind"], "not_configured");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("hex-mcp config --api-key"), "{message}");
    assert!(message.contains("HEX_API_KEY"), "{message}");
    session.finish().await;
}

#[tokio::test]
async fn a_wrong_token_is_a_clear_tool_error_and_never_echoed() {
    let sandbox = sandbox().await;
    let wrong = "wrong-token-4f9a2b7c1d";
    let session = Launch::against(&sandbox)
        .env("HEX_API_KEY", wrong)
        .start()
        .await;
    let answer = session.call("list_hex_projects", json!({})).await;
    assert!(!answer.text.contains(wrong));
    let error = answer.err();
    assert_eq!(error["status"], 401);
    assert!(
        error["next"]
            .as_str()
            .unwrap()
            .contains("hex-mcp config --api-key")
    );
    let (stdout, stderr) = session.finish().await;
    assert!(!stdout.contains(wrong) && !stderr.contains(wrong));
}

#[tokio::test]
async fn a_malformed_id_is_rejected_before_any_request() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let error = session
        .call(
            "get_hex_project",
            json!({"project_id": "finance-dashboard"}),
        )
        .await
        .err();
    assert_eq!(error["field"], "project_id");
    assert_eq!(error["kind"], "invalid_input");
    assert_eq!(sandbox.requests().len(), 0, "a request was sent");
    session.finish().await;
}

#[tokio::test]
async fn an_unknown_argument_is_named() {
    let session = Launch::embedded().start().await;
    let error = session
        .call("list_hex_projects", json!({"limt": 5}))
        .await
        .err();
    assert!(
        error["message"].as_str().unwrap().contains("limt"),
        "{error}"
    );
    session.finish().await;
}

#[tokio::test]
async fn logs_go_to_stderr_and_never_carry_the_token() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    session
        .call("list_hex_projects", json!({"limit": 1}))
        .await
        .ok();
    let (_, stderr) = session.finish().await;
    // The debug log is on in tests; it must say something, on stderr, without the token.
    assert!(!stderr.is_empty());
    assert!(!stderr.contains(TOKEN));
}

/// MCP logging (2025 era): quiet until the client sets a level, then each call's log line (tool,
/// outcome, duration; never arguments) at that level or above.
#[tokio::test]
#[allow(deprecated)]
async fn after_set_level_calls_are_logged_to_the_client() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let logs = session.client.service().logs.clone();
    let project = sandbox.state().runnable_project_ids()[0].clone();
    session
        .call("get_hex_project", json!({"project_id": project}))
        .await
        .ok();
    assert!(
        logs.lock().unwrap().is_empty(),
        "logged before any setLevel"
    );

    let level = |level| rmcp::model::SetLevelRequestParams::new(level);
    session
        .client
        .set_level(level(rmcp::model::LoggingLevel::Warning))
        .await
        .unwrap();
    session
        .call("get_hex_project", json!({"project_id": project}))
        .await
        .ok();
    let missing = json!({"project_id": "00000000-0000-4000-8000-000000000000"});
    session.call("get_hex_project", missing).await.err();
    session
        .client
        .set_level(level(rmcp::model::LoggingLevel::Info))
        .await
        .unwrap();
    session
        .call("list_hex_projects", json!({"limit": 1}))
        .await
        .ok();
    // Notifications travel apart from the answers; give the last one a moment.
    for _ in 0..50 {
        if logs.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let logs = logs.lock().unwrap().clone();
    let seen: Vec<(&str, &str, &str)> = logs
        .iter()
        .map(|log| {
            let field = |name: &str| log[name].as_str().unwrap_or_default();
            (field("level"), field("tool"), field("outcome"))
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("warning", "get_hex_project", "error"),
            ("info", "list_hex_projects", "ok")
        ],
        "{logs:?}"
    );
    assert!(!serde_json::to_string(&logs).unwrap().contains(&project));
    session.finish().await;
}

/// Lines that are not JSON-RPC get the errors JSON-RPC 2.0 prescribes, with `"id": null` where
/// the id cannot be read; the server keeps serving, stdout stays one message per line, and EOF
/// ends it with status 0.
#[tokio::test]
async fn malformed_lines_get_json_rpc_errors_and_the_server_keeps_serving() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"))
        .args(["run", "--sandbox"])
        .env_remove("HEX_API_KEY")
        .env_remove("HEX_API_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut input: Vec<u8> = Vec::new();
    input.extend_from_slice(b"{not json\n");
    input.extend_from_slice(b"\xff\xfe{\"jsonrpc\"\n");
    input.extend_from_slice(b"[]\n");
    input.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":7}\n");
    input.extend_from_slice(b"\"just a string\"\n");
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}});
    input.extend_from_slice(format!("{initialize}\n").as_bytes());
    stdin.write_all(&input).await.unwrap();
    stdin.flush().await.unwrap();

    let expected = [-32700, -32700, -32600, -32600, -32600];
    for code in expected {
        let line = lines.next_line().await.unwrap().unwrap();
        let reply: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(reply["jsonrpc"], "2.0", "{line}");
        assert_eq!(reply["error"]["code"], code, "{line}");
        assert!(
            reply.get("id").is_some_and(serde_json::Value::is_null),
            "{line}"
        );
    }
    let line = lines.next_line().await.unwrap().unwrap();
    let reply: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(reply["id"], 1, "{line}");
    assert!(reply["result"]["serverInfo"].is_object(), "{line}");
    drop(stdin);
    assert!(lines.next_line().await.unwrap().is_none());
    let status = child.wait().await.unwrap();
    assert!(status.success(), "{status}");
}
