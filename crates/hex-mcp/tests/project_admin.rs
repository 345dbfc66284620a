//! Managing projects over MCP: create and set or clear a status (read back), export as an
//! embedded YAML resource or to an allowed file, the tables a project queries, and presigned
//! embedding URLs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{Launch, answer_of, sandbox};
use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};
use serde_json::json;

/// The text and media type of the one embedded resource of a result.
fn embedded_text(result: &CallToolResult) -> (String, String, String) {
    let resources: Vec<_> = result
        .content
        .iter()
        .filter_map(ContentBlock::as_resource)
        .collect();
    assert_eq!(resources.len(), 1, "{result:?}");
    match &resources[0].resource {
        ResourceContents::TextResourceContents {
            uri,
            mime_type,
            text,
            ..
        } => (
            uri.clone(),
            mime_type.clone().unwrap_or_default(),
            text.clone(),
        ),
        other => panic!("not a text resource: {other:?}"),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hex-mcp-admin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

#[tokio::test]
async fn a_created_project_gets_and_loses_a_status_read_back_through_other_tools() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let error = session
        .call("create_hex_project", json!({"title": "   "}))
        .await
        .err();
    assert_eq!(error["field"], "title");
    assert!(sandbox.requests().is_empty());

    let created = session
        .call(
            "create_hex_project",
            json!({"title": "Churn deep dive", "description": "Why customers leave"}),
        )
        .await
        .ok();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(sandbox.count_requests("POST", "/v1/projects"), 1);
    let read = session
        .call("get_hex_project", json!({"project_id": id}))
        .await
        .ok();
    assert_eq!(read["title"], "Churn deep dive");
    assert_eq!(read["description"], "Why customers leave");
    assert!(read.get("status").is_none());

    let set = session
        .call(
            "update_hex_project",
            json!({"project_id": id, "status": "Approved"}),
        )
        .await
        .ok();
    assert_eq!(
        set,
        json!({"id": id, "title": "Churn deep dive", "status": "Approved"})
    );
    let read = session
        .call("get_hex_project", json!({"project_id": id}))
        .await
        .ok();
    assert_eq!(read["status"]["name"], "Approved");
    let approved = session
        .call(
            "list_hex_projects",
            json!({"statuses": ["Approved"], "limit": 100}),
        )
        .await
        .ok();
    assert!(
        approved["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id.as_str())
    );

    let cleared = session
        .call(
            "update_hex_project",
            json!({"project_id": id, "status": ""}),
        )
        .await
        .ok();
    assert_eq!(cleared["statusRemoved"], true);
    let sent = sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(
        sent,
        json!({"status": null}),
        "an empty status is sent as null"
    );
    let read = session
        .call("get_hex_project", json!({"project_id": id}))
        .await
        .ok();
    assert!(read.get("status").is_none(), "{read}");

    let error = session
        .call(
            "update_hex_project",
            json!({"project_id": id, "status": "Gold plated"}),
        )
        .await
        .err();
    assert_eq!(error["status"], 400, "{error}");
    session.finish().await;
}

#[tokio::test]
async fn an_export_arrives_as_an_embedded_yaml_resource_naming_the_project() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().runnable_project_ids()[0].clone();
    let title = session.project_title(&project).await;

    let result = session
        .call_raw("export_hex_project", json!({"project_id": project}))
        .await;
    let (uri, mime, yaml) = embedded_text(&result);
    assert_eq!(mime, "application/yaml");
    assert!(yaml.contains(&format!("title: {title}")), "{yaml}");
    assert!(
        yaml.contains(&project) && yaml.contains("version: draft"),
        "{yaml}"
    );
    let answer = answer_of(result).ok();
    assert_eq!(answer["resource"], uri.as_str());
    assert_eq!(answer["bytes"], yaml.len());
    assert_eq!(answer["filename"], format!("{title}.hex.yaml"));
    assert!(
        !answer.to_string().contains("schemaVersion"),
        "the YAML is not in the JSON"
    );
    let sent = sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(sent, json!({"projectId": project, "version": "draft"}));

    for (version, expect) in [
        (json!("latest"), "version: "),
        (json!(1), "version: 1"),
        (json!("1"), "version: 1"),
    ] {
        let result = session
            .call_raw(
                "export_hex_project",
                json!({"project_id": project, "version": version}),
            )
            .await;
        let (_, _, yaml) = embedded_text(&result);
        assert!(
            yaml.contains(expect) && !yaml.contains("version: draft"),
            "{version}: {yaml}"
        );
    }
    let error = session
        .call(
            "export_hex_project",
            json!({"project_id": project, "version": 0}),
        )
        .await
        .err();
    assert_eq!(error["field"], "version");
    let unpublished = sandbox.state().unpublished_project_ids()[0].clone();
    let error = session
        .call(
            "export_hex_project",
            json!({"project_id": unpublished, "version": "latest"}),
        )
        .await
        .err();
    assert_eq!(error["status"], 400, "{error}");
    session.finish().await;
}

#[tokio::test]
async fn export_to_a_file_needs_an_allowed_directory() {
    let sandbox = sandbox().await;
    let project = sandbox.state().runnable_project_ids()[1].clone();
    let session = Launch::against(&sandbox).start().await;
    let error = session
        .call(
            "export_hex_project",
            json!({"project_id": project, "output_path": "p.hex.yaml"}),
        )
        .await
        .err();
    assert_eq!(error["field"], "output_path");
    assert!(
        error["message"].as_str().unwrap().contains("--allow-path"),
        "{error}"
    );
    assert_eq!(sandbox.count_requests("POST", "/v1/projects/export"), 0);
    session.finish().await;

    let allowed = temp_dir("allowed");
    let outside = temp_dir("outside");
    let session = Launch::against(&sandbox)
        .arg("--allow-path")
        .arg(allowed.to_str().unwrap())
        .start()
        .await;
    for path in [
        outside.join("p.hex.yaml").to_str().unwrap().to_string(),
        "../p.hex.yaml".into(),
    ] {
        let error = session
            .call(
                "export_hex_project",
                json!({"project_id": project, "output_path": path}),
            )
            .await
            .err();
        assert_eq!(error["field"], "output_path", "{path}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains("outside"),
            "{error}"
        );
    }
    assert_eq!(
        sandbox.count_requests("POST", "/v1/projects/export"),
        0,
        "refused before asking Hex"
    );

    let args = json!({"project_id": project, "output_path": "p.hex.yaml"});
    let result = session.call_raw("export_hex_project", args.clone()).await;
    assert!(
        result
            .content
            .iter()
            .all(|block| block.as_resource().is_none()),
        "no inline copy"
    );
    let links: Vec<_> = result
        .content
        .iter()
        .filter_map(ContentBlock::as_resource_link)
        .collect();
    assert_eq!(links.len(), 1);
    let written = allowed.join("p.hex.yaml");
    assert_eq!(links[0].uri, format!("file://{}", written.display()));
    assert_eq!(links[0].mime_type.as_deref(), Some("application/yaml"));
    let yaml = std::fs::read_to_string(&written).unwrap();
    assert!(yaml.contains(&project), "{yaml}");
    let answer = answer_of(result).ok();
    assert_eq!(answer["path"], written.to_str().unwrap());
    assert_eq!(answer["bytes"], yaml.len());

    let again = session.call("export_hex_project", args.clone()).await.err();
    assert!(
        again["message"].as_str().unwrap().contains("overwrite"),
        "{again}"
    );
    let mut replace = args;
    replace["overwrite"] = json!(true);
    session.call("export_hex_project", replace).await.ok();
    assert!(
        outside.read_dir().unwrap().next().is_none(),
        "nothing written outside"
    );
    session.finish().await;
    std::fs::remove_dir_all(&allowed).unwrap();
    std::fs::remove_dir_all(&outside).unwrap();
}

#[tokio::test]
async fn queried_tables_are_the_tables_the_sql_cells_read_page_by_page() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let connections = state.connection_ids();
    let created = session
        .call("create_hex_project", json!({"title": "Table audit"}))
        .await
        .ok();
    let project = created["id"].as_str().unwrap().to_string();
    let empty = session
        .call("get_hex_queried_tables", json!({"project_id": project}))
        .await
        .ok();
    assert_eq!(empty["values"], json!([]));
    for (source, connection) in [
        (
            "SELECT * FROM prod.billing.invoices i JOIN prod.billing.customers c ON c.id = i.c",
            &connections[0],
        ),
        ("SELECT id FROM prod.billing.invoices", &connections[1]),
        ("SELECT 1 FROM analytics.web.sessions", &connections[0]),
    ] {
        session
            .call(
                "create_hex_cell",
                json!({"project_id": project, "cell_type": "SQL",
                "source": source, "data_connection_id": connection}),
            )
            .await
            .ok();
    }
    session
        .call(
            "create_hex_cell",
            json!({"project_id": project, "cell_type": "CODE",
            "source": "df = spark.sql('SELECT * FROM ignored.table')"}),
        )
        .await
        .ok();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = json!({"project_id": project, "limit": 1});
        if let Some(cursor) = &after {
            args["after"] = json!(cursor);
        }
        let page = session.call("get_hex_queried_tables", args).await.ok();
        assert!(page.get("traceId").is_none());
        for table in page["values"].as_array().unwrap() {
            let name = session
                .call(
                    "get_hex_data_connection",
                    json!({"connection_id": table["dataConnectionId"]}),
                )
                .await
                .ok()["name"]
                .clone();
            assert_eq!(table["dataConnectionName"], name);
            seen.push((
                table["tableName"].as_str().unwrap().to_string(),
                table["dataConnectionId"].as_str().unwrap().to_string(),
            ));
        }
        match page["pagination"]["after"].as_str() {
            Some(cursor) => after = Some(cursor.to_string()),
            None => break,
        }
    }
    let expected: BTreeSet<(String, String)> = [
        ("prod.billing.invoices", &connections[0]),
        ("prod.billing.customers", &connections[0]),
        ("prod.billing.invoices", &connections[1]),
        ("analytics.web.sessions", &connections[0]),
    ]
    .into_iter()
    .map(|(t, c)| (t.to_string(), c.to_string()))
    .collect();
    assert_eq!(seen.len(), expected.len(), "each pair once: {seen:?}");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), expected);
    session.finish().await;
}

#[tokio::test]
async fn a_presigned_url_is_signed_with_what_was_asked_and_bad_expiries_are_refused() {
    let sandbox = sandbox().await;
    let session = Launch::against(&sandbox).start().await;
    let state = sandbox.state();
    let project = state.runnable_project_ids()[0].clone();

    let error = session
        .call(
            "create_hex_presigned_url",
            json!({"project_id": project, "expires_in_seconds": 301}),
        )
        .await
        .err();
    assert_eq!(error["field"], "expires_in_seconds", "{error}");
    let error = session
        .call(
            "create_hex_presigned_url",
            json!({"project_id": project, "display": ["dark", "light"]}),
        )
        .await
        .err();
    assert_eq!(error["field"], "display", "{error}");
    assert!(sandbox.requests().is_empty(), "refused calls sent nothing");

    let args = json!({"project_id": project, "expires_in_seconds": 120, "scope": ["export_pdf"],
        "user_attributes": {"region": "EMEA"}, "input_parameters": {"year": 2026},
        "display": ["dark", "no_footer", "no_padding"], "test_mode": true});
    let answer = session.call("create_hex_presigned_url", args).await.ok();
    let url = answer["url"].as_str().unwrap();
    assert_eq!(answer["expiresInSeconds"], 120.0);
    assert_eq!(answer["testMode"], true);
    assert_eq!(
        state.presigned_urls(),
        [(project.clone(), url.to_string(), 120_000, true)]
    );
    let sent = sandbox.requests().last().unwrap().body.clone().unwrap();
    assert_eq!(
        sent,
        json!({"hexUserAttributes": {"region": "EMEA"}, "scope": ["EXPORT_PDF"],
            "inputParameters": {"year": 2026}, "expiresIn": 120_000,
            "displayOptions": {"theme": "dark", "noEmbedHeaderPadding": true,
                "noEmbedBasePadding": true, "noEmbedFooter": true},
            "testMode": true})
    );

    let unpublished = state.unpublished_project_ids()[0].clone();
    let error = session
        .call(
            "create_hex_presigned_url",
            json!({"project_id": unpublished}),
        )
        .await
        .err();
    assert_eq!(error["status"], 422, "{error}");
    assert_eq!(state.presigned_urls().len(), 1);
    session.finish().await;
}

/// Hex offers exports (and its agent) to some organizations only: a 403 says so, and how to get
/// access, rather than a generic "the token lacks a scope".
#[tokio::test]
async fn an_export_refused_with_403_says_the_feature_is_limited() {
    let sandbox = sandbox().await;
    sandbox.inject(hex_sandbox::FaultRule::status(
        "POST",
        "/v1/projects/export",
        403,
    ));
    let session = Launch::against(&sandbox).start().await;
    let project = sandbox.state().project_ids()[0].clone();
    let error = session
        .call("export_hex_project", json!({"project_id": project}))
        .await
        .err();
    assert_eq!(error["status"], 403, "{error}");
    let next = error["next"].as_str().unwrap();
    assert!(
        next.contains("some Hex organizations") && next.contains("Hex support"),
        "{next}"
    );
    session.finish().await;
}
