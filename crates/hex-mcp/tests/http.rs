//! The Streamable HTTP transport, with rmcp's HTTP client: the same tools as over stdio.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::{process::Stdio, time::Duration};

use rmcp::{
    ServiceExt,
    model::{CallToolRequestParams, ClientConfig},
    transport::StreamableHttpClientTransport,
};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn tools_work_over_streamable_http() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hex-mcp"))
        .args([
            "run",
            "--sandbox",
            "--transport",
            "http",
            "--bind",
            "127.0.0.1:0",
        ])
        .env("HOME", std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // The server says where it listens on stderr.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line.find("http://") {
                return line[at..].trim().to_string();
            }
        }
        panic!("the server never said where it listens");
    })
    .await
    .unwrap();
    assert!(url.ends_with("/mcp"), "{url}");

    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = StreamableHttpClientTransport::from_uri(url);
    let client = ClientConfig::default().serve(transport).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|tool| tool.name == "get_hex_project"));
    let params = CallToolRequestParams::new("list_hex_projects")
        .with_arguments(json!({"limit": 2}).as_object().cloned().unwrap());
    let result = client.call_tool(params).await.unwrap();
    assert_eq!(result.is_error, Some(false));
    let values = &result.structured_content.unwrap()["values"];
    assert_eq!(values.as_array().unwrap().len(), 2);
    client.cancel().await.unwrap();
    // Nothing goes to stdout in HTTP mode either.
    child.start_kill().unwrap();
    let output = child.wait_with_output().await.unwrap();
    assert!(output.stdout.is_empty());
}
