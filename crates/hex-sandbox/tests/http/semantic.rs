//! Semantic projects and connection schemas: the two literal paths of Hex's regex, the
//! multipart ingest and its refusals, the 3-per-minute limit, and the status batches' body
//! checks and name resolution.

use std::io::{Cursor, Write};

use hex_sandbox::{RateLimitMode, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Answer, Api, answer, assert_error, assert_legacy, config};

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in files {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn orders() -> Vec<u8> {
    zip_of(&[(
        "orders.yml",
        "id: orders\nbase_sql_table: dev.sales.orders\n",
    )])
}

/// A multipart form of text fields and, optionally, the `file` part.
fn form(fields: &[(&str, &str)], file: Option<&[u8]>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--b0undary\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.zip\"\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--b0undary--\r\n");
    body
}

async fn ingest(api: &Api, path: &str, body: Vec<u8>) -> Answer {
    let response = api
        .client
        .post(api.url(path))
        .bearer_auth(api.sandbox.token())
        .header("content-type", "multipart/form-data; boundary=b0undary")
        .body(body)
        .send()
        .await
        .unwrap();
    answer(response).await
}

#[tokio::test]
async fn both_literal_paths_serve_and_the_regex_itself_is_not_a_route() {
    let api = Api::start().await;
    let project = api.sandbox.state().semantic_project_ids()[0].clone();
    for family in ["semantic-projects", "semantic-models"] {
        let path = format!("/{family}/{project}/ingest");
        let done = ingest(&api, &path, form(&[("dryRun", "true")], Some(&orders()))).await;
        assert_eq!(done.status, 201, "{family}: {}", done.body);
        let body =
            json!({"updates": [{"type": "DATASET", "name": "orders", "status": "Approved"}]});
        let updated = api.patch(&format!("/{family}/{project}"), body).await;
        assert_eq!(updated.status, 200, "{family}: {}", updated.body);
    }
    let literal = format!("/semantic-(projects|models)/{project}/ingest");
    let refused = ingest(&api, &literal, form(&[], Some(&orders()))).await;
    assert_error(&refused, 404, "Route not found");
}

#[tokio::test]
async fn ingest_refuses_what_it_cannot_read() {
    let api = Api::start().await;
    let project = api.sandbox.state().semantic_project_ids()[0].clone();
    let path = format!("/semantic-projects/{project}/ingest");
    let json_body = api
        .post(&path, json!({"dryRun": true, "verbose": true}))
        .await;
    assert_error(&json_body, 415, "multipart/form-data");
    assert_legacy(&json_body, true);
    assert_error(
        &ingest(&api, &path, form(&[("dryRun", "true")], None)).await,
        400,
        "`file`",
    );
    assert_error(
        &ingest(&api, &path, form(&[("dryRun", "yes")], Some(&orders()))).await,
        400,
        "dryRun",
    );
    assert_error(
        &ingest(&api, &path, b"--b0undary\r\nbroken".to_vec()).await,
        400,
        "multipart",
    );
    let bad_id = ingest(
        &api,
        "/semantic-projects/x/ingest",
        form(&[], Some(&orders())),
    )
    .await;
    assert_error(&bad_id, 400, "semanticProjectId");

    let empty = ingest(&api, &path, form(&[], Some(&zip_of(&[("README.md", "x")])))).await;
    assert_error(&empty, 400, "problems");
    assert_eq!(
        empty.body["problems"][0]["severity"], "fatal",
        "{}",
        empty.body
    );
    assert!(!api.sandbox.state().semantic_ingested(&project));
    let written = ingest(&api, &path, form(&[("dryRun", "false")], Some(&orders()))).await;
    assert_eq!(written.status, 201);
    assert!(api.sandbox.state().semantic_ingested(&project));
}

#[tokio::test]
async fn ingest_allows_three_per_minute_across_both_paths() {
    let api = Api::with(SandboxConfig {
        rate_limits: RateLimitMode::Documented,
        ..config()
    })
    .await;
    let project = api.sandbox.state().semantic_project_ids()[0].clone();
    for family in ["semantic-projects", "semantic-models", "semantic-projects"] {
        let path = format!("/{family}/{project}/ingest");
        let done = ingest(&api, &path, form(&[("dryRun", "true")], Some(&orders()))).await;
        assert_eq!(done.status, 201, "{}", done.body);
    }
    let path = format!("/semantic-models/{project}/ingest");
    let refused = ingest(&api, &path, form(&[("dryRun", "true")], Some(&orders()))).await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(refused.headers.get("retry-after").is_some());
}

#[tokio::test]
async fn status_batches_check_their_body() {
    let api = Api::start().await;
    let project = api.sandbox.state().semantic_project_ids()[0].clone();
    let path = format!("/semantic-projects/{project}");
    let cases: [(Value, &str); 3] = [
        (
            json!({"updates": [{"type": "DATASET", "name": "orders"}]}),
            "status is required",
        ),
        (
            json!({"updates": [{"type": "TABLE", "name": "orders", "status": null}]}),
            "DATASET, VIEW",
        ),
        (json!({"changes": []}), "updates"),
    ];
    for (body, needle) in cases {
        assert_error(&api.patch(&path, body).await, 400, needle);
    }
    let empty = api.patch(&path, json!({"updates": []})).await;
    assert_eq!(
        empty.body,
        json!({"updated": {"datasets": [], "views": []}})
    );
    let unknown = uuid::Uuid::new_v4();
    let missing = api
        .patch(
            &format!("/semantic-projects/{unknown}"),
            json!({"updates": []}),
        )
        .await;
    assert_error(&missing, 404, "Semantic project");
}

#[tokio::test]
async fn schema_names_resolve_per_warehouse_and_new_connections_have_no_catalog() {
    let api = Api::start().await;
    let ids = api.sandbox.state().connection_ids();
    let update = |kind: &str, name: &str| json!({"updates": [{"type": kind, "name": name, "status": "Approved"}]});
    let postgres = format!("/data-connections/{}/schema", ids[2]);
    for (kind, name, expected) in [
        ("SCHEMA", "audit", "audit"),
        ("SCHEMA", "app.audit", "audit"),
        ("TABLE", "app.public.users", "public.users"),
    ] {
        let done = api.patch(&postgres, update(kind, name)).await;
        assert_eq!(done.status, 200, "{name}: {}", done.body);
        let key = if kind == "SCHEMA" {
            "schemas"
        } else {
            "tables"
        };
        assert_eq!(done.body["updated"][key][0]["name"], expected);
    }
    let other_db = api.patch(&postgres, update("SCHEMA", "other.audit")).await;
    assert_eq!(
        other_db.body["details"][0]["reason"], "not_found",
        "{}",
        other_db.body
    );
    let bigquery = format!("/data-connections/{}/schema", ids[1]);
    let ambiguous = api.patch(&bigquery, update("SCHEMA", "marketing")).await;
    assert_eq!(ambiguous.body["details"][0]["reason"], "ambiguous_name");
    let blank = api.patch(&bigquery, update("TABLE", "a..b")).await;
    assert_eq!(blank.body["details"][0]["reason"], "invalid_name_format");

    let created = api
        .post(
            "/data-connections",
            json!({"name": "Fresh", "type": "postgres", "connectionDetails": {"postgres":
                {"hostname": "h", "port": 5432, "database": "d", "username": "u", "password": "p"}}}),
        )
        .await;
    let fresh = created.body["id"].as_str().unwrap();
    let none = api
        .patch(
            &format!("/data-connections/{fresh}/schema"),
            update("TABLE", "public.users"),
        )
        .await;
    assert_error(&none, 404, "nothing was changed");
    let unknown = uuid::Uuid::new_v4();
    let missing = api
        .patch(
            &format!("/data-connections/{unknown}/schema"),
            update("TABLE", "a.b"),
        )
        .await;
    assert_error(&missing, 404, "Data connection");
    let call = api
        .call(
            Method::PATCH,
            &format!("/data-connections/{}/schema", ids[0]),
            Some(json!({"updates": [{"type": "TABLE", "name": "dev.sales.orders", "status": 3}]})),
        )
        .await;
    assert_error(&call, 400, "Invalid request body");
}
