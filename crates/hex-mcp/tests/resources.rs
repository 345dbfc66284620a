//! MCP resources and prompts with rmcp's client, over stdio and Streamable HTTP, in both
//! protocol eras: projects listed page by page with Hex's cursor, each template read and checked
//! against what the tools answer, errors as JSON-RPC errors, and each prompt written for the
//! session's tools.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::{Launch, Session, TOKEN, TestClient, sandbox, sandbox_with};
use hex_sandbox::FaultRule;
use rmcp::{
    ServiceError,
    model::{
        GetPromptRequestParams, PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams,
        ResourceContents,
    },
};
use serde_json::{Value, json};

/// The text and media type of a resource that read.
async fn read(session: &Session, uri: &str) -> (String, String) {
    let result = session
        .client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .unwrap_or_else(|error| panic!("{uri}: {error}"));
    assert_eq!(result.contents.len(), 1);
    match &result.contents[0] {
        ResourceContents::TextResourceContents {
            uri: read_uri,
            mime_type,
            text,
            ..
        } => {
            assert_eq!(read_uri, uri);
            (text.clone(), mime_type.clone().unwrap())
        }
        other => panic!("not text: {other:?}"),
    }
}

/// The JSON-RPC error of a read that failed.
async fn read_error(session: &Session, uri: &str) -> rmcp::ErrorData {
    match session
        .client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
    {
        Err(ServiceError::McpError(error)) => error,
        other => panic!("{uri}: expected a JSON-RPC error, got {other:?}"),
    }
}

#[tokio::test]
async fn projects_are_listed_page_by_page_with_hexs_cursor() {
    let sandbox = sandbox_with(|config| config.projects = 250).await;
    let session = Launch::against(&sandbox).start().await;
    let first = session.client.list_resources(None).await.unwrap();
    assert_eq!(first.resources.len(), 100);
    let cursor = first
        .next_cursor
        .clone()
        .expect("more than a page of projects");
    let second = session
        .client
        .list_resources(Some(
            PaginatedRequestParams::default().with_cursor(Some(cursor)),
        ))
        .await
        .unwrap();
    let first_uris: BTreeSet<String> = first.resources.iter().map(|r| r.uri.clone()).collect();
    assert!(
        second
            .resources
            .iter()
            .all(|r| !first_uris.contains(&r.uri))
    );

    // All pages: every live project once, named by its title, as list_hex_projects lists them.
    let all = session.client.list_all_resources().await.unwrap();
    let listed = session
        .all_pages("list_hex_projects", json!({"limit": 100}))
        .await;
    assert_eq!(all.len(), listed.len());
    for (resource, project) in all.iter().zip(&listed) {
        assert_eq!(
            resource.uri,
            format!("hex://projects/{}", project["id"].as_str().unwrap())
        );
        assert_eq!(resource.name, project["title"].as_str().unwrap());
        assert_eq!(resource.mime_type.as_deref(), Some("application/json"));
    }

    // A cursor this server never gave out is the client's mistake, said as invalid params.
    let bad = session
        .client
        .list_resources(Some(
            PaginatedRequestParams::default().with_cursor(Some("garbled".into())),
        ))
        .await;
    match bad {
        Err(ServiceError::McpError(error)) => assert_eq!(error.code.0, -32602, "{error:?}"),
        other => panic!("expected invalid params, got {other:?}"),
    }
    session.finish().await;
}

#[tokio::test]
async fn each_template_reads_what_the_tools_answer() {
    let sandbox = sandbox_with(|config| {
        config.projects = 6;
        config.cells_per_project = 130;
    })
    .await;
    let session = Launch::against(&sandbox).start().await;
    let templates = session.client.list_resource_templates(None).await.unwrap();
    let uris: Vec<&str> = templates
        .resource_templates
        .iter()
        .map(|t| t.uri_template.as_str())
        .collect();
    assert_eq!(
        uris,
        [
            "hex://projects/{id}",
            "hex://projects/{id}/cells",
            "hex://projects/{id}/export",
            "hex://projects/{id}/export/{version}"
        ]
    );
    let project = sandbox.state().runnable_project_ids()[0].clone();

    // Metadata, with sharing: what get_hex_project answers with include_sharing.
    let (text, mime) = read(&session, &format!("hex://projects/{project}")).await;
    assert_eq!(mime, "application/json");
    let read_back: Value = serde_json::from_str(&text).unwrap();
    let got = session
        .call(
            "get_hex_project",
            json!({"project_id": project, "include_sharing": true}),
        )
        .await
        .ok();
    assert_eq!(read_back, got);
    assert!(read_back["sharing"].is_object(), "{read_back}");

    // The notebook: every cell over two pages of ListCells, in order, with its source.
    sandbox.clear_requests();
    let (text, mime) = read(&session, &format!("hex://projects/{project}/cells")).await;
    assert_eq!(mime, "text/markdown");
    assert_eq!(sandbox.count_requests("GET", "/v1/cells"), 2);
    let cells = session
        .all_pages(
            "list_hex_cells",
            json!({"project_id": project, "limit": 100}),
        )
        .await;
    assert!(cells.len() > 100, "{} cells", cells.len());
    let mut at = 0;
    for (number, cell) in cells.iter().enumerate() {
        let heading = format!("## {}. {}", number + 1, cell["cellType"].as_str().unwrap());
        let found = text[at..]
            .find(&heading)
            .unwrap_or_else(|| panic!("{heading} missing or out of order"));
        at += found + heading.len();
        let contents = &cell["contents"];
        let source = ["sqlCell", "codeCell", "markdownCell"]
            .iter()
            .find_map(|kind| contents[*kind]["source"].as_str());
        if let Some(source) = source.filter(|s| !s.trim().is_empty()) {
            let first_line = source.trim().lines().next().unwrap();
            assert!(text[at..].contains(first_line), "{heading}: {first_line}");
        }
    }
    assert!(!text.contains("stopped after"), "{text}");

    // The export: the YAML export_hex_project embeds, for the draft and for a named version.
    let exported = session
        .call_raw("export_hex_project", json!({"project_id": project}))
        .await;
    let embedded = exported
        .content
        .iter()
        .find_map(|block| block.as_resource())
        .map(|resource| match &resource.resource {
            ResourceContents::TextResourceContents { text, .. } => text.clone(),
            other => panic!("{other:?}"),
        })
        .unwrap();
    let (text, mime) = read(&session, &format!("hex://projects/{project}/export")).await;
    assert_eq!(mime, "application/yaml");
    assert_eq!(text, embedded);
    let (latest, _) = read(&session, &format!("hex://projects/{project}/export/latest")).await;
    assert!(!latest.is_empty());
    session.finish().await;
}

#[tokio::test]
async fn unknown_resources_and_hex_failures_are_json_rpc_errors_without_secrets() {
    let sandbox = sandbox().await;
    let legacy = TestClient {
        protocol: Some(ProtocolVersion::V_2025_11_25),
        ..TestClient::default()
    };
    let session = Launch::against(&sandbox).client(legacy).start().await;
    let missing = "0f8fad5b-d9cb-469f-a165-70867728950e";
    for uri in [
        format!("hex://projects/{missing}"),
        format!("hex://projects/{missing}/cells"),
        format!("hex://projects/{missing}/export"),
        "hex://projects/not-a-project".to_string(),
        "test://static-text".to_string(),
    ] {
        let error = read_error(&session, &uri).await;
        // 2025-11-25: resource not found.
        assert_eq!(error.code.0, -32002, "{uri}: {error:?}");
        assert_eq!(error.data.as_ref().unwrap()["uri"], uri.as_str());
    }
    // Hex failing is an internal error that carries the tools' error details.
    let project = sandbox.state().project_ids()[0].clone();
    sandbox.inject(FaultRule::status("GET", "/v1/projects/*", 500));
    let error = read_error(&session, &format!("hex://projects/{project}")).await;
    assert_eq!(error.code.0, -32603, "{error:?}");
    let data = error.data.clone().unwrap();
    assert_eq!(data["status"], 500, "{data}");
    assert!(!format!("{error:?}").contains(TOKEN));
    session.finish().await;
}

/// The first message's text of a prompt.
async fn prompt_text(session: &Session, name: &str, arguments: Value) -> String {
    let result = session
        .client
        .get_prompt(
            GetPromptRequestParams::new(name)
                .with_arguments(arguments.as_object().cloned().unwrap()),
        )
        .await
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    let message = serde_json::to_value(&result.messages[0]).unwrap();
    assert_eq!(message["role"], "user");
    message["content"]["text"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn each_prompt_names_its_tools_and_says_when_some_are_not_enabled() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let prompts = session.client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "migrate_queries",
            "audit_project_access",
            "investigate_failed_run"
        ]
    );
    let tools: BTreeSet<String> = session.tool_names().await.into_iter().collect();
    for (name, arguments, named) in [
        (
            "migrate_queries",
            json!({"from": "dev_analytics", "to": "prod_analytics", "scope": "Revenue"}),
            &["search_hex_cells", "replace_in_hex_cells"][..],
        ),
        (
            "audit_project_access",
            json!({"project": "https://app.hex.tech/acme/app/Revenue/latest"}),
            &["resolve_hex_project", "audit_hex_access"][..],
        ),
        (
            "investigate_failed_run",
            json!({"project": "Revenue"}),
            &[
                "get_hex_project_runs",
                "get_hex_run_status",
                "list_hex_cells",
            ][..],
        ),
    ] {
        let text = prompt_text(&session, name, arguments.clone()).await;
        for tool in named {
            assert!(text.contains(tool), "{name} does not name {tool}: {text}");
        }
        for value in arguments.as_object().unwrap().values() {
            assert!(text.contains(value.as_str().unwrap()), "{name}: {text}");
        }
        // The note on missing tools appears exactly when a named tool is not in tools/list.
        let lacking = named.iter().any(|tool| !tools.contains(*tool));
        assert_eq!(
            text.starts_with("Before starting"),
            lacking,
            "{name}: {text}"
        );
    }
    let error = session
        .client
        .get_prompt(GetPromptRequestParams::new("migrate_queries"))
        .await;
    match error {
        Err(ServiceError::McpError(error)) => {
            assert_eq!(error.code.0, -32602);
            assert!(error.message.contains("`from`"), "{error:?}");
        }
        other => panic!("expected invalid params, got {other:?}"),
    }
    session.finish().await;

    // In a session of the runs toolset only, the prompt says what to enable.
    let session = Launch::against(&sandbox)
        .arg("--toolsets")
        .arg("runs")
        .start()
        .await;
    let text = prompt_text(
        &session,
        "investigate_failed_run",
        json!({"project": "Revenue"}),
    )
    .await;
    assert!(text.starts_with("Before starting"), "{text}");
    assert!(
        text.contains("--toolsets default,cells,results,workflows"),
        "{text}"
    );
    session.finish().await;
}

/// Lists, reads each template and gets each prompt through one session.
async fn browse(session: &Session, project: &str) {
    let info = session.client.peer_info().unwrap();
    let capabilities = serde_json::to_value(&info.capabilities).unwrap();
    assert!(capabilities["resources"].is_object(), "{capabilities}");
    assert!(capabilities["prompts"].is_object(), "{capabilities}");
    let listed = session.client.list_resources(None).await.unwrap();
    assert!(!listed.resources.is_empty());
    for suffix in ["", "/cells", "/export"] {
        let (text, _) = read(session, &format!("hex://projects/{project}{suffix}")).await;
        assert!(!text.is_empty(), "{suffix}");
    }
    let text = prompt_text(session, "audit_project_access", json!({"project": project})).await;
    assert!(text.contains(project));
}

#[tokio::test]
async fn resources_and_prompts_work_over_http_in_both_eras() {
    let sandbox = sandbox().await;
    let project = sandbox.state().runnable_project_ids()[0].clone();
    let session = Launch::against(&sandbox).http().start().await;
    browse(&session, &project).await;
    session.finish().await;

    let session = Launch::against(&sandbox)
        .http()
        .stateless()
        .arg("--stateless")
        .start()
        .await;
    browse(&session, &project).await;
    // 2026-07-28: an unknown resource is invalid params, with the URI (SEP-2164).
    let error = read_error(&session, "hex://projects/not-a-project").await;
    assert_eq!(error.code.0, -32602, "{error:?}");
    assert_eq!(error.data.unwrap()["uri"], "hex://projects/not-a-project");
    session.finish().await;

    let session = Launch::against(&sandbox).stateless().start().await;
    browse(&session, &project).await;
    session.finish().await;
}
