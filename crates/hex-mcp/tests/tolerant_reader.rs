#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The tolerant reader through the tools: every tool, run the way `tools/call` runs it (output
//! shaping included), answers every response Hex's description allows without an error.
//!
//! A fake Hex (wiremock on loopback) answers each operation a tool declares with a body
//! generated from our transcription of Hex's description (hex-client's `tests/hex_schemas`,
//! through `support/hex_schema.rs`): boundary integers, fractional numbers, nulls where
//! allowed, unknown enum values and unknown members. Each tool runs with valid arguments and
//! must succeed, skip no list item (every item is valid), and call only the operations it
//! declares. `PROPTEST_CASES` sets the cases per tool (default [`CASES`]).
//!
//! A second test feeds one malformed item in a page and checks that the tool serves the rest
//! and says which item it skipped and why.

#[path = "../../hex-client/tests/support/hex_schema.rs"]
mod hex_schema;
#[path = "common/temp_dir.rs"]
mod temp_dir;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hex_client::{Operation, RateLimits, SecretString};
use hex_mcp::confirm::{ConfirmKey, Gate};
use hex_mcp::context::{HexTarget, Limits, ToolContext};
use hex_mcp::files::AllowedPaths;
use hex_mcp::registry::{Selection, Toolset};
use hex_mcp::server::{HexServer, Serving};
use hex_schema::{FakeHex, Schemas, cases};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rmcp::model::CallToolResult;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer};

/// Generated answers per tool unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 32;

const ID: &str = "5a8591dd-4039-49df-9202-96385ba3eff8";

/// Valid arguments for every tool (a tool may appear more than once, for each way it reads).
fn calls() -> Vec<(&'static str, Value)> {
    let project = json!({ "project_id": ID });
    vec![
        ("cancel_hex_run", json!({"project_id": ID, "run_id": ID})),
        (
            "continue_hex_thread",
            json!({"thread_id": ID, "prompt": "and then?"}),
        ),
        (
            "create_hex_cell",
            json!({"project_id": ID, "cell_type": "CODE", "source": "1"}),
        ),
        ("create_hex_collection", json!({"name": "c"})),
        (
            "create_hex_data_connection",
            json!({"name": "c", "connection_type": "databricks",
                   "connection_details": {"databricks": {"jdbcUrl": "jdbc:x", "accessToken": "tok"}}}),
        ),
        ("create_hex_group", json!({"name": "g"})),
        ("create_hex_presigned_url", project.clone()),
        ("create_hex_project", json!({"title": "t"})),
        ("create_hex_thread", json!({"prompt": "why?"})),
        ("deactivate_hex_user", json!({"user_id": ID})),
        ("delete_hex_cell", json!({"cell_id": ID})),
        ("delete_hex_group", json!({"group_id": ID})),
        ("delete_hex_guide_draft", json!({"guide_id": ID})),
        ("export_hex_project", project.clone()),
        ("get_hex_cell", json!({"cell_id": ID})),
        ("get_hex_cell_output", json!({"cell_id": ID})),
        ("get_hex_chart_image", json!({"cell_id": ID})),
        (
            "get_hex_chart_image",
            json!({"project_id": ID, "run_id": ID, "static_id": ID}),
        ),
        ("get_hex_collection", json!({"collection_id": ID})),
        ("get_hex_current_user", json!({})),
        ("get_hex_data_connection", json!({"connection_id": ID})),
        ("get_hex_group", json!({"group_id": ID})),
        ("get_hex_project", project.clone()),
        ("get_hex_project_runs", project.clone()),
        ("get_hex_queried_tables", project.clone()),
        (
            "get_hex_run_status",
            json!({"project_id": ID, "run_id": ID}),
        ),
        ("get_hex_thread", json!({"thread_id": ID})),
        ("get_hex_thread_messages", json!({"thread_id": ID})),
        (
            "ingest_hex_semantic_project",
            json!({"semantic_project_id": ID, "path": "semantic", "dry_run": false}),
        ),
        ("list_hex_cells", project.clone()),
        ("list_hex_collections", json!({})),
        ("list_hex_data_connections", json!({})),
        ("list_hex_groups", json!({})),
        ("list_hex_guide_drafts", json!({})),
        ("list_hex_projects", json!({})),
        ("list_hex_threads", json!({})),
        ("list_hex_topics", json!({})),
        ("list_hex_users", json!({})),
        ("publish_hex_guide_drafts", json!({"all": true})),
        ("run_hex_project", project.clone()),
        ("search_hex_projects", json!({"search_pattern": "."})),
        // An id is looked up (GetProject, then GetMe for the links); a title walks ListProjects.
        ("resolve_hex_project", json!({"query": ID})),
        ("resolve_hex_project", json!({"query": "t"})),
        (
            "search_hex_cells",
            json!({"pattern": "a", "project_id": ID}),
        ),
        ("search_hex_cells", json!({"pattern": "a"})),
        (
            "replace_in_hex_cells",
            json!({"pattern": "a", "replacement": "b", "project_id": ID}),
        ),
        (
            "replace_in_hex_cells",
            json!({"pattern": "a", "data_connection_id": ID}),
        ),
        (
            "update_hex_cell",
            json!({"cell_id": ID, "code_source": "2"}),
        ),
        (
            "update_hex_collection",
            json!({"collection_id": ID, "name": "c"}),
        ),
        (
            "update_hex_data_connection",
            json!({"connection_id": ID, "name": "c"}),
        ),
        (
            "update_hex_data_connection_schema",
            json!({"connection_id": ID,
                   "updates": [{"type": "TABLE", "name": "db.s.t", "status": "Approved"}]}),
        ),
        ("update_hex_group", json!({"group_id": ID, "name": "g"})),
        (
            "update_hex_project",
            json!({"project_id": ID, "status": "s"}),
        ),
        (
            "update_hex_project_collection_sharing",
            json!({"project_id": ID, "collection_permissions": [{"collection_id": ID, "access": "CAN_VIEW"}]}),
        ),
        (
            "update_hex_project_group_sharing",
            json!({"project_id": ID, "group_permissions": [{"group_id": ID, "access": "CAN_VIEW"}]}),
        ),
        (
            "update_hex_project_user_sharing",
            json!({"project_id": ID, "user_permissions": [{"user_id": ID, "access": "CAN_VIEW"}]}),
        ),
        (
            "update_hex_project_workspace_sharing",
            json!({"project_id": ID, "workspace_access": "CAN_VIEW"}),
        ),
        (
            "update_hex_semantic_project",
            json!({"semantic_project_id": ID,
                   "updates": [{"type": "DATASET", "name": "d", "status": "x"}]}),
        ),
        (
            "upsert_hex_guide_draft",
            json!({"files": [{"file_path": "a.md", "contents": "x"}]}),
        ),
        (
            "update_hex_sharing_bulk",
            json!({"access": "CAN_VIEW", "group_ids": [ID], "project_ids": [ID]}),
        ),
        (
            "update_hex_sharing_bulk",
            json!({"access": "CAN_EDIT", "workspace": true, "collection_id": ID}),
        ),
        ("audit_hex_access", json!({})),
        ("audit_hex_access", project.clone()),
        ("audit_hex_access", json!({"group_id": ID})),
        ("audit_hex_access", json!({"collection_id": ID})),
        ("check_hex_scheduled_runs", json!({})),
    ]
}

/// What the tools and resources work with: no pacing, no retries worth waiting for, and short
/// search walks, talking to `base_url`.
fn context(base_url: String, allowed: &Path) -> ToolContext {
    let target = HexTarget {
        base_url,
        token: Some(SecretString::from("test-token")),
        timeout: Duration::from_secs(20),
        problem: None,
        rate_limits: RateLimits::disabled(),
        rate_store: None,
    };
    let limits = Limits {
        search_pages: 3,
        search_time: Duration::from_secs(20),
        list_text_chars: 4_000,
        allowed_paths: AllowedPaths::from_sources(&[allowed.to_path_buf()], None).unwrap(),
    };
    ToolContext::new(target, limits)
}

/// A server with every tool and no confirmations (the test runs tools, not the gate).
fn server(context: ToolContext) -> HexServer {
    let selection = Selection {
        toolsets: Some(Toolset::ALL.into_iter().collect()),
        ..Selection::default()
    };
    HexServer::new(
        Arc::new(hex_mcp::tools::registry()),
        selection,
        context,
        Gate::new(false, ConfirmKey::random().unwrap()),
        Serving {
            call_timeout: None,
            tasks: false,
        },
    )
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    fake: FakeHex,
    server: HexServer,
    /// The server's context, for what is not a tool (resources).
    context: ToolContext,
    _mock: MockServer,
    /// The semantic project the ingest tool zips.
    _files: temp_dir::TempDir,
}

fn harness() -> Harness {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fake = FakeHex::default();
    let mock = runtime.block_on(async {
        let mock = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(fake.clone())
            .mount(&mock)
            .await;
        mock
    });
    let files = temp_dir::TempDir::with_semantic_project("tolerant");
    let context = context(format!("{}/api/v1", mock.uri()), files.path());
    Harness {
        runtime,
        fake,
        server: server(context.clone()),
        context,
        _mock: mock,
        _files: files,
    }
}

impl Harness {
    fn call(&self, tool: &str, arguments: &Value) -> CallToolResult {
        let arguments = arguments.as_object().unwrap().clone();
        self.runtime
            .block_on(self.server.call_detached(tool, arguments))
            .0
    }
}

fn declared(tool: &str) -> &'static [Operation] {
    hex_mcp::tools::registry()
        .get(tool)
        .unwrap_or_else(|| panic!("no tool {tool}"))
        .spec
        .operations
}

/// The errors a tool may answer with on a valid answer, because of what Hex said rather than
/// how it said it: every change of a sharing edit listed in Hex's `errors` (a partial failure
/// that is total), or a cell whose type (as Hex reports it) takes another source parameter
/// than the one given. Never a decoding failure.
fn refuses_for_what_hex_said(tool: &str, error: &Value) -> bool {
    let kind = error["kind"].as_str().unwrap_or_default();
    match tool {
        "update_hex_project_workspace_sharing"
        | "update_hex_project_user_sharing"
        | "update_hex_project_group_sharing"
        | "update_hex_project_collection_sharing" => kind == "refused",
        "update_hex_cell" => {
            kind == "invalid_input"
                && error["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(" cell: give its new source as ")
        }
        _ => false,
    }
}

fn text_of(result: &CallToolResult) -> String {
    serde_json::to_string(&result.structured_content).unwrap()
}

#[test]
fn every_tool_answers_every_response_the_description_allows() {
    let schemas = Schemas::load();
    let harness = harness();
    let registry = hex_mcp::tools::registry();
    let covered: BTreeSet<&str> = calls().iter().map(|(tool, _)| *tool).collect();
    let all: BTreeSet<&str> = registry.all().map(|tool| tool.spec.name).collect();
    assert_eq!(covered, all, "one call (at least) per tool");

    let cases = cases(CASES);
    let mut failures: Vec<String> = Vec::new();
    for (tool, arguments) in calls() {
        let operations = declared(tool);
        let bodies: Vec<BoxedStrategy<Value>> =
            operations.iter().map(|&op| schemas.body(op)).collect();
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = runner.run(&bodies, |bodies| {
            harness.fake.clear();
            for (&operation, body) in operations.iter().zip(bodies) {
                harness
                    .fake
                    .set(operation, schemas.answer(operation).status, body);
            }
            let result = harness.call(tool, &arguments);
            let output = result.structured_content.clone().unwrap_or(Value::Null);
            if result.is_error == Some(true) {
                prop_assert!(
                    refuses_for_what_hex_said(tool, &output["error"]),
                    "{tool} failed: {}",
                    text_of(&result)
                );
            }
            prop_assert!(
                !output.get("skipped").is_some_and(Value::is_array),
                "{tool} skipped valid items: {output}"
            );
            let undeclared: Vec<Operation> = harness
                .fake
                .called()
                .into_iter()
                .filter(|op| !operations.contains(op))
                .collect();
            prop_assert!(
                undeclared.is_empty(),
                "{tool} called operations it does not declare: {undeclared:?}"
            );
            Ok(())
        });
        if let Err(failure) = outcome {
            failures.push(failure.to_string().chars().take(2_000).collect());
        }
    }
    assert!(
        failures.is_empty(),
        "{} tool calls failed ({cases} cases each):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Calls a tool that must succeed and returns its structured answer.
fn served(harness: &Harness, tool: &str, arguments: &Value) -> Value {
    let result = harness.call(tool, arguments);
    assert_ne!(result.is_error, Some(true), "{}", text_of(&result));
    result.structured_content.unwrap()
}

/// The `id`s of a list in an answer.
fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect()
}

/// Where each skipped item was: its list's path and its index.
fn skipped_at(output: &Value) -> Vec<(&str, u64)> {
    output["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["list"].as_str().unwrap(),
                item["index"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn user(id: &str, email: Value) -> Value {
    json!({"id": id, "name": null, "email": email, "role": "ADMIN", "lastLoginDate": null})
}

#[test]
fn one_malformed_item_costs_that_item_and_the_tool_says_which_and_why() {
    let harness = harness();
    // The second user's email is a number: not what Hex's description allows.
    harness.fake.set(
        Operation::ListUsers,
        200,
        json!({
            "values": [
                user("u1", json!("ana@example.com")),
                user("u2", json!(12345)),
                user("u3", json!("bo@example.com")),
            ],
            "pagination": {"after": null, "before": null},
        }),
    );
    let output = served(&harness, "list_hex_users", &json!({}));
    assert_eq!(ids(&output["values"]), ["u1", "u3"], "{output}");
    let skipped = output["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{output}");
    assert_eq!(skipped[0]["index"], 1);
    assert_eq!(skipped[0]["id"], "u2");
    let reason = skipped[0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("email: invalid type: integer"),
        "{reason}"
    );

    // A run whose status is missing: the other runs are served, the bad one named.
    let run = |id: &str| {
        json!({"projectId": ID, "projectVersion": "1", "runId": id, "runUrl": "u",
               "status": "COMPLETED", "runTrigger": "API", "startTime": null, "endTime": null,
               "elapsedTime": -1.5, "traceId": "t"})
    };
    let mut broken = run("r2");
    broken.as_object_mut().unwrap().remove("status");
    broken["runUrl"] = json!({"secret": "s3cr3t-value"});
    harness.fake.set(
        Operation::GetProjectRuns,
        200,
        json!({"runs": [run("r1"), broken, run("r3")], "nextPage": null,
               "previousPage": null, "traceId": "t"}),
    );
    let result = harness.call("get_hex_project_runs", &json!({"project_id": ID}));
    assert_ne!(result.is_error, Some(true), "{}", text_of(&result));
    let output = result.structured_content.unwrap();
    assert_eq!(output["values"].as_array().unwrap().len(), 2, "{output}");
    assert_eq!(output["skipped"][0]["index"], 1, "{output}");
    assert_eq!(output["skipped"][0]["id"], "r2", "{output}");
    assert!(!output.to_string().contains("s3cr3t"), "{output}");
}

#[test]
fn a_string_where_hex_sends_a_number_is_not_repeated_in_the_reason() {
    let harness = harness();
    let thread = |id: &str, credits: Value| {
        json!({"id": id, "orgId": "o", "url": "u", "userId": null, "type": "THREADS",
               "source": "HEX", "createdAt": "c", "updatedAt": "u", "sensitive": false,
               "creditsUsed": credits})
    };
    harness.fake.set(
        Operation::ListThreads,
        200,
        json!({
            "threads": [thread("t1", json!(-0.25)), thread("t2", json!("p4ssw0rd-like \"quoted\""))],
            "pagination": {"after": null, "before": null},
        }),
    );
    let result = harness.call("list_hex_threads", &json!({}));
    assert_ne!(result.is_error, Some(true), "{}", text_of(&result));
    let output = result.structured_content.unwrap();
    assert_eq!(output["values"][0]["creditsUsed"], -0.25, "{output}");
    assert_eq!(output["skipped"][0]["id"], "t2", "{output}");
    let reason = output["skipped"][0]["reason"].as_str().unwrap();
    // No path here: the member sits behind a serde `flatten`, which hides paths.
    assert!(reason.contains("invalid type: string"), "{reason}");
    assert!(!output.to_string().contains("p4ssw0rd"), "{output}");
}

#[test]
fn a_malformed_item_of_a_list_inside_an_answer_costs_only_that_item() {
    let harness = harness();
    let guide = |id: &str| json!({"id": id, "filePath": format!("{id}.md")});
    // The second file's path is a number; the first warning is not an object.
    harness.fake.set(
        Operation::UpsertGuideDraft,
        200,
        json!({
            "files": [guide("g1"), {"id": "g2", "filePath": 7}, guide("g3")],
            "warnings": ["s3cr3t warning", {"filePath": "g3.md", "message": "synced from github"}],
            "traceId": "t",
        }),
    );
    let output = served(
        &harness,
        "upsert_hex_guide_draft",
        &json!({"files": [{"file_path": "g1.md", "contents": "# hi"}]}),
    );
    assert_eq!(ids(&output["files"]), ["g1", "g3"], "{output}");
    assert_eq!(output["warnings"].as_array().unwrap().len(), 1, "{output}");
    assert_eq!(
        skipped_at(&output),
        [("files", 1), ("warnings", 0)],
        "{output}"
    );
    let skipped = output["skipped"].as_array().unwrap();
    assert_eq!(skipped[0]["id"], "g2", "{output}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("filePath: invalid type: integer"),
        "{output}"
    );
    assert!(!output.to_string().contains("s3cr3t"), "{output}");
}

#[test]
fn bad_items_behind_a_flatten_and_beside_it_are_each_reported_once() {
    let harness = harness();
    harness.fake.set(
        Operation::GetThread,
        200,
        json!({
            "threadId": ID, "status": "IDLE", "url": "u",
            "topics": [{"id": "a", "name": "Sales"}, {"id": "b", "name": 7}],
            "resources": [{"id": "r1", "resourceType": "PROJECT"}, {"resourceType": "PROJECT"}],
            "response": null,
        }),
    );
    let output = served(&harness, "get_hex_thread", &json!({"thread_id": ID}));
    assert_eq!(
        skipped_at(&output),
        [("resources", 1), ("topics", 1)],
        "{output}"
    );
}

#[test]
fn the_notebook_resource_shows_a_cell_that_did_not_read_in_its_place_and_why() {
    let harness = harness();
    let sql = |id: &str, source: &str| {
        json!({"id": id, "staticId": id, "cellType": "SQL", "label": null,
               "dataConnectionId": null, "projectId": ID,
               "contents": {"sqlCell": {"source": source}}})
    };
    // The second cell's type is a number, which Hex's description does not allow.
    harness.fake.set(
        Operation::ListCells,
        200,
        json!({
            "values": [sql("c1", "select 1"), {"id": "c2", "staticId": "c2", "cellType": 7,
                       "projectId": ID}, sql("c3", "select 3")],
            "pagination": {"after": null, "before": null},
        }),
    );
    let uri = format!("hex://projects/{ID}/cells");
    let read = harness
        .runtime
        .block_on(hex_mcp::resources::read(&harness.context, &uri))
        .unwrap();
    let text = serde_json::to_value(&read.contents[0]).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    let first = text.find("select 1").unwrap();
    let second = text.find("## 2. (could not be read)").unwrap();
    let third = text.find("## 3. SQL").unwrap();
    assert!(first < second && second < third, "{text}");
    assert!(
        text.contains("Cell id c2: cellType: invalid type"),
        "{text}"
    );
    assert!(
        text.contains("1 of these cells could not be read"),
        "{text}"
    );
}
