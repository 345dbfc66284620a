//! Semantic projects and connection schemas: IngestSemanticProject (a multipart upload of a zip;
//! dry run, write, problems), UpdateSemanticProject and UpdateDataConnectionSchema (all or
//! nothing, rejected items as `ErrorDetails::Items`).

use std::io::{Cursor, Write};

use hex_client::api::connections::{
    SchemaObjectType, SchemaObjectUpdate, UpdateConnectionSchemaRequest,
};
use hex_client::api::semantic::{
    IngestOptions, ProblemSeverity, SemanticObjectType, SemanticObjectUpdate,
    UpdateSemanticProjectRequest,
};
use hex_client::{ErrorDetails, HexError};

use crate::common::{Env, UNKNOWN_ID, api_error, no_hang};

pub fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in files {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

const ORDERS: (&str, &str) = (
    "orders.yml",
    "id: orders\nbase_sql_table: dev.sales.orders\n",
);

#[tokio::test]
async fn ingest_validates_on_a_dry_run_and_writes_otherwise() {
    let env = Env::start().await;
    let project = env.sandbox.state().semantic_project_ids()[0].clone();
    let before = env.sandbox.state().semantic_statuses(&project);
    let archive = zip_of(&[ORDERS, ("notes.txt", "x")]);
    let semantic = env.client.semantic();
    let dry = IngestOptions {
        dry_run: Some(true),
        ..IngestOptions::default()
    };
    let answer = env.ok(no_hang(semantic.ingest(&project, &archive, &dry)).await);
    assert_eq!(answer.contents, ["dataset orders"]);
    assert!(answer.skipped.as_ref().unwrap().contains_key("notes.txt"));
    assert!(!answer.warnings.is_empty(), "removals are announced");
    assert!(answer.trace_id.is_some());
    assert_eq!(env.sandbox.state().semantic_statuses(&project), before);

    let quiet = IngestOptions {
        verbose: Some(false),
        debug: Some(true),
        dry_run: Some(false),
    };
    let answer = env.ok(no_hang(semantic.ingest(&project, &archive, &quiet)).await);
    assert!(answer.contents.is_empty(), "verbose false: no contents");
    assert!(answer.debug.is_some());
    let after = env.sandbox.state().semantic_statuses(&project);
    assert_eq!(after.keys().collect::<Vec<_>>(), ["DATASET orders"]);
    assert_eq!(after["DATASET orders"], before["DATASET orders"]);
}

#[tokio::test]
async fn a_malformed_project_answers_problems_and_writes_nothing() {
    let env = Env::start().await;
    let project = env.sandbox.state().semantic_project_ids()[0].clone();
    let before = env.sandbox.state().semantic_statuses(&project);
    let archive = zip_of(&[
        ORDERS,
        ("overview.yml", "id: overview\ntype: view\nbase: nowhere\n"),
    ]);
    let write = IngestOptions {
        dry_run: Some(false),
        ..IngestOptions::default()
    };
    let err = env.err(no_hang(env.client.semantic().ingest(&project, &archive, &write)).await);
    let HexError::Api {
        status: 400,
        details: Some(details),
        ..
    } = &err
    else {
        panic!("expected a 400 with problems: {err:?}");
    };
    let ErrorDetails::Problems { problems, .. } = details.as_ref() else {
        panic!("expected problems: {details:?}");
    };
    assert_eq!(problems[0].severity, ProblemSeverity::Error);
    assert!(problems[0].message.contains("nowhere"));
    assert!(!problems[0].cause_paths.is_empty());
    assert!(
        err.to_string().contains("error: view \"overview\""),
        "{err}"
    );
    assert_eq!(env.sandbox.state().semantic_statuses(&project), before);

    let err = env.err(no_hang(env.client.semantic().ingest(&project, b"not a zip", &write)).await);
    assert!(
        err.to_string()
            .contains("fatal: the archive is not a readable zip"),
        "{err}"
    );
    let err = env.err(no_hang(env.client.semantic().ingest(UNKNOWN_ID, &archive, &write)).await);
    api_error(&err, 404);
    let err = env.err(env.client.semantic().ingest(&project, b"", &write).await);
    assert!(matches!(err, HexError::InvalidInput { .. }));
}

fn semantic_update(
    kind: SemanticObjectType,
    name: &str,
    status: Option<&str>,
) -> SemanticObjectUpdate {
    SemanticObjectUpdate {
        kind,
        name: name.to_owned(),
        status: status.map(str::to_owned),
    }
}

#[tokio::test]
async fn semantic_status_batches_apply_all_or_nothing() {
    let env = Env::start().await;
    let project = env.sandbox.state().semantic_project_ids()[0].clone();
    let before = env.sandbox.state().semantic_statuses(&project);
    let semantic = env.client.semantic();
    let bad = UpdateSemanticProjectRequest {
        updates: vec![
            semantic_update(SemanticObjectType::Dataset, "customers", Some("Approved")),
            semantic_update(SemanticObjectType::View, "missing", None),
        ],
    };
    let err = env.err(no_hang(semantic.update(&project, &bad)).await);
    let HexError::Api {
        status: 404,
        details: Some(details),
        ..
    } = &err
    else {
        panic!("expected a 404 with items: {err:?}");
    };
    let ErrorDetails::Items(items) = details.as_ref() else {
        panic!("expected items: {details:?}");
    };
    assert_eq!(
        (
            items[0].name.as_deref(),
            items[0].kind.as_deref(),
            items[0].reason.as_deref()
        ),
        (Some("missing"), Some("VIEW"), Some("not_found"))
    );
    assert_eq!(env.sandbox.state().semantic_statuses(&project), before);

    let good = UpdateSemanticProjectRequest {
        updates: vec![
            semantic_update(SemanticObjectType::Dataset, "customers", Some("Approved")),
            semantic_update(SemanticObjectType::View, "sales_overview", None),
        ],
    };
    let answer = env.ok(no_hang(semantic.update(&project, &good)).await);
    assert_eq!(
        answer.updated.datasets[0].status.as_deref(),
        Some("Approved")
    );
    assert_eq!(answer.updated.views[0].status, None);
    let after = env.sandbox.state().semantic_statuses(&project);
    assert_eq!(after["DATASET customers"].as_deref(), Some("Approved"));
    assert_eq!(after["VIEW sales_overview"], None);
    let empty = UpdateSemanticProjectRequest::default();
    assert!(matches!(
        env.err(semantic.update(&project, &empty).await),
        HexError::InvalidInput { .. }
    ));
}

#[tokio::test]
async fn schema_status_batches_apply_all_or_nothing() {
    let env = Env::start().await;
    let snowflake = env.sandbox.state().connection_ids()[0].clone();
    let before = env.sandbox.state().schema_statuses(&snowflake);
    let update = |kind, name: &str, status: Option<&str>| SchemaObjectUpdate {
        kind,
        name: name.to_owned(),
        status: status.map(str::to_owned),
    };
    let bad = UpdateConnectionSchemaRequest {
        updates: vec![
            update(
                SchemaObjectType::Table,
                "dev.sales.orders",
                Some("Approved"),
            ),
            update(SchemaObjectType::Schema, "dev.sales", Some("Gold")),
        ],
    };
    let connections = env.client.connections();
    let err = env.err(no_hang(connections.update_schema(&snowflake, &bad)).await);
    assert_eq!(err.status(), Some(400));
    assert!(
        err.to_string()
            .contains("SCHEMA dev.sales: invalid_status (Gold)"),
        "{err}"
    );
    assert_eq!(env.sandbox.state().schema_statuses(&snowflake), before);

    let good = UpdateConnectionSchemaRequest {
        updates: vec![
            update(
                SchemaObjectType::Table,
                "dev.sales.orders",
                Some("Approved"),
            ),
            update(SchemaObjectType::Database, "prod", None),
        ],
    };
    let answer = env.ok(no_hang(connections.update_schema(&snowflake, &good)).await);
    assert_eq!(answer.updated.tables[0].name, "dev.sales.orders");
    assert_eq!(answer.updated.databases[0].status, None);
    let after = env.sandbox.state().schema_statuses(&snowflake);
    let status_of = |kind: &str, name: &str| {
        after
            .iter()
            .find(|(k, n, _)| k == kind && n == name)
            .map(|(_, _, status)| status.clone())
            .unwrap()
    };
    assert_eq!(
        status_of("TABLE", "dev.sales.orders").as_deref(),
        Some("Approved")
    );
    assert_eq!(status_of("DATABASE", "prod"), None);
    let err = env.err(no_hang(connections.update_schema(UNKNOWN_ID, &good)).await);
    api_error(&err, 404);
}
