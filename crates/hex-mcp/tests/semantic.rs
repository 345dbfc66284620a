//! The semantic tools over MCP against a sandbox: an ingest reads only under --allow-path (a path
//! outside, or a link out of it, is refused before anything is sent), is a dry run unless asked
//! to write, and reports problems; status batches are all or nothing and "" clears a status.
//! Every effect is read back from the sandbox.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{Launch, sandbox};
use serde_json::json;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hex-mcp-semantic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

/// A Hex semantic project: orders (kept), customers (kept), returns (new), one view.
fn write_project(dir: &Path) {
    std::fs::create_dir_all(dir.join("views")).unwrap();
    let files = [
        (
            "orders.yml",
            "id: orders\nbase_sql_table: dev.sales.orders\ndimensions:\n  - id: id\n    type: string\n",
        ),
        (
            "customers.yml",
            "id: customers\nbase_sql_table: dev.sales.customers\n",
        ),
        (
            "returns.yml",
            "id: returns\nbase_sql_query: select * from dev.sales.orders where returned\n",
        ),
        (
            "views/sales_overview.yml",
            "id: sales_overview\ntype: view\nbase: orders\n",
        ),
        ("README.md", "How to edit this project."),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn allow(dir: &Path) -> Vec<&str> {
    vec!["--allow-path", dir.to_str().unwrap()]
}

#[tokio::test]
async fn ingest_without_allowed_directories_is_refused_with_how_to_enable_it() {
    let sandbox = sandbox().await;
    let project = sandbox.state().semantic_project_ids()[0].clone();
    let session = Launch::against(&sandbox).start().await;
    let error = session
        .call(
            "ingest_hex_semantic_project",
            json!({"semantic_project_id": project, "path": "/tmp"}),
        )
        .await
        .err();
    assert_eq!(error["kind"], "invalid_input", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("--allow-path"),
        "{error}"
    );
    assert_eq!(sandbox.count_requests("*", "/v1/semantic-projects/**"), 0);
    session.finish().await;
}

#[tokio::test]
async fn ingest_is_a_dry_run_by_default_and_writes_with_dry_run_false() {
    let sandbox = sandbox().await;
    let project = sandbox.state().semantic_project_ids()[0].clone();
    let before = sandbox.state().semantic_statuses(&project);
    assert_eq!(before["DATASET orders"].as_deref(), Some("Approved"));
    let root = temp_dir("dry-run");
    write_project(&root.join("sales"));
    let mut launch = Launch::against(&sandbox);
    for arg in allow(&root) {
        launch = launch.arg(arg);
    }
    let session = launch.start().await;
    let arguments = json!({"semantic_project_id": project, "path": "sales"});

    let dry = session
        .call("ingest_hex_semantic_project", arguments.clone())
        .await
        .ok();
    assert_eq!(dry["dryRun"], true, "{dry}");
    assert_eq!(dry["files"], 5);
    assert!(dry["next"].as_str().unwrap().contains("dry_run: false"));
    let contents: Vec<&str> = dry["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(contents.contains(&"dataset returns") && contents.contains(&"view sales_overview"));
    assert!(dry["skipped"]["README.md"].is_string(), "{dry}");
    assert!(
        dry["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("subscriptions")),
        "{dry}"
    );
    assert_eq!(sandbox.state().semantic_statuses(&project), before);
    assert!(!sandbox.state().semantic_ingested(&project));
    let sent = sandbox.requests();
    let ingest = sent.iter().find(|r| r.path.ends_with("/ingest")).unwrap();
    assert_eq!(ingest.method, "POST");
    assert_eq!(ingest.status, 201);

    let mut write = arguments;
    write["dry_run"] = json!(false);
    let written = session
        .call("ingest_hex_semantic_project", write)
        .await
        .ok();
    assert_eq!(written["dryRun"], false, "{written}");
    assert!(written.get("next").is_none());
    let after = sandbox.state().semantic_statuses(&project);
    let names: Vec<&str> = after.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "DATASET customers",
            "DATASET orders",
            "DATASET returns",
            "VIEW sales_overview"
        ]
    );
    // Statuses stay with the names that stay.
    assert_eq!(after["DATASET orders"], before["DATASET orders"]);
    assert_eq!(after["DATASET returns"], None);
    assert!(sandbox.state().semantic_ingested(&project));
    assert_eq!(
        sandbox.count_requests("POST", "/v1/semantic-projects/*/ingest"),
        2
    );
    session.finish().await;
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_zip_file_is_sent_as_it_is_and_problems_are_reported() {
    let sandbox = sandbox().await;
    let project = sandbox.state().semantic_project_ids()[1].clone();
    let before = sandbox.state().semantic_statuses(&project);
    let root = temp_dir("zip");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("sessions.yml", options).unwrap();
    zip.write_all(b"id: sessions\nbase_sql_table: acme-marketing-prod.marketing.sessions\n")
        .unwrap();
    zip.start_file("funnel.yml", options).unwrap();
    zip.write_all(b"id: funnel\ntype: view\nbase: clicks\n")
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    std::fs::write(root.join("broken.zip"), bytes).unwrap();
    std::fs::write(root.join("not-a.zip"), b"plain text").unwrap();
    let mut launch = Launch::against(&sandbox);
    for arg in allow(&root) {
        launch = launch.arg(arg);
    }
    let session = launch.start().await;

    let error = session
        .call(
            "ingest_hex_semantic_project",
            json!({"semantic_project_id": project, "path": root.join("broken.zip"), "dry_run": false}),
        )
        .await
        .err();
    assert_eq!(error["status"], 400, "{error}");
    let problem = &error["problems"][0];
    assert_eq!(problem["severity"], "error", "{error}");
    assert!(
        problem["message"].as_str().unwrap().contains("clicks"),
        "{error}"
    );
    assert!(
        error["message"].as_str().unwrap().contains("clicks"),
        "{error}"
    );
    assert_eq!(sandbox.state().semantic_statuses(&project), before);

    let error = session
        .call(
            "ingest_hex_semantic_project",
            json!({"semantic_project_id": project, "path": "not-a.zip"}),
        )
        .await
        .err();
    assert!(
        error["message"].as_str().unwrap().contains("not a zip"),
        "{error}"
    );
    assert_eq!(
        sandbox.count_requests("POST", "/v1/semantic-projects/*/ingest"),
        1
    );
    session.finish().await;
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn paths_outside_the_allowed_directory_and_links_out_of_it_send_nothing() {
    let sandbox = sandbox().await;
    let project = sandbox.state().semantic_project_ids()[0].clone();
    let root = temp_dir("allowed");
    let outside = temp_dir("outside");
    write_project(&outside.join("elsewhere"));
    write_project(&root.join("sales"));
    std::fs::write(
        outside.join("secret.yml"),
        "id: secret\nbase_sql_table: s3cr3t\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("secret.yml"), root.join("sales/linked.yml")).unwrap();
    std::os::unix::fs::symlink(outside.join("elsewhere"), root.join("escape")).unwrap();
    let mut launch = Launch::against(&sandbox);
    for arg in allow(&root) {
        launch = launch.arg(arg);
    }
    let session = launch.start().await;
    let cases = [
        (
            outside.join("elsewhere").to_str().unwrap().to_owned(),
            "outside",
        ),
        (
            "../".to_owned() + outside.file_name().unwrap().to_str().unwrap(),
            "outside",
        ),
        ("escape".to_owned(), "outside"),
        ("sales".to_owned(), "linked.yml"),
    ];
    for (path, needle) in cases {
        let error = session
            .call(
                "ingest_hex_semantic_project",
                json!({"semantic_project_id": project, "path": path, "dry_run": false}),
            )
            .await
            .err();
        assert_eq!(error["kind"], "invalid_input", "{path}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(needle), "{path}: {message}");
        assert!(!message.contains("s3cr3t"), "{message}");
    }
    assert_eq!(sandbox.count_requests("*", "/v1/semantic-projects/**"), 0);
    session.finish().await;
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::remove_dir_all(&outside).unwrap();
}

#[tokio::test]
async fn status_batches_are_all_or_nothing_and_an_empty_status_clears() {
    let sandbox = sandbox().await;
    let project = sandbox.state().semantic_project_ids()[0].clone();
    let before = sandbox.state().semantic_statuses(&project);
    let session = Launch::against(&sandbox).start().await;

    let error = session
        .call(
            "update_hex_semantic_project",
            json!({"semantic_project_id": project, "updates": [
                {"type": "DATASET", "name": "customers", "status": "Approved"},
                {"type": "VIEW", "name": "no_such_view", "status": "Approved"},
                {"type": "dataset", "name": "orders", "status": "Gold"},
            ]}),
        )
        .await
        .err();
    assert_eq!(error["status"], 400, "{error}");
    let details = error["details"].as_array().unwrap();
    assert_eq!(details.len(), 2, "{error}");
    assert_eq!(details[0]["name"], "no_such_view");
    assert_eq!(details[0]["reason"], "not_found");
    assert_eq!(
        (&details[1]["reason"], &details[1]["value"]),
        (&json!("invalid_status"), &json!("Gold"))
    );
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("VIEW no_such_view: not_found") && message.contains("(Gold)"),
        "{message}"
    );
    assert_eq!(sandbox.state().semantic_statuses(&project), before);

    let done = session
        .call(
            "update_hex_semantic_project",
            json!({"semantic_project_id": project, "updates": [
                {"type": "DATASET", "name": "customers", "status": "Approved"},
                {"type": "DATASET", "name": "orders", "status": ""},
            ]}),
        )
        .await
        .ok();
    assert_eq!(
        done["updated"]["datasets"][0],
        json!({"name": "customers", "status": "Approved"})
    );
    assert_eq!(
        done["updated"]["datasets"][1],
        json!({"name": "orders"}),
        "{done}"
    );
    let after = sandbox.state().semantic_statuses(&project);
    assert_eq!(after["DATASET customers"].as_deref(), Some("Approved"));
    assert_eq!(after["DATASET orders"], None);

    let unknown = uuid::Uuid::new_v4().to_string();
    let error = session
        .call(
            "update_hex_semantic_project",
            json!({"semantic_project_id": unknown, "updates": [
                {"type": "DATASET", "name": "orders", "status": "Approved"}]}),
        )
        .await
        .err();
    assert_eq!(error["status"], 404);
    assert!(
        error["next"]
            .as_str()
            .unwrap()
            .contains("Semantic projects"),
        "{error}"
    );
    session.finish().await;
}
