//! IngestSemanticProject (201 `SemanticProjectsSyncResponsePayload`, additionalProperties
//! false; 400 legacy body plus `problems`; 415), UpdateSemanticProject and
//! UpdateDataConnectionSchema (200 `{updated}`; 400/404 `{reason, traceId, details: [{name,
//! type, reason, value?}]}`).

use reqwest::Method;
use serde_json::{Value, json};

use super::{assert_enum, assert_exact, assert_keys, assert_string};
use crate::common::{Env, Raw, UNKNOWN_ID, raw_client};
use crate::semantic::zip_of;

const BOUNDARY: &str = "shape-test-boundary-7d1";

/// A multipart ingest with plain reqwest, to read Hex's JSON as sent.
async fn ingest(env: &Env, family: &str, project: &str, archive: &[u8], dry_run: bool) -> Raw {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dryRun\"\r\n\r\n{dry_run}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"debug\"\r\n\r\ntrue\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.zip\"\r\nContent-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(archive);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let url = format!("{}/{family}/{project}/ingest", env.sandbox.base_url());
    let response = raw_client()
        .post(url)
        .bearer_auth(env.sandbox.token())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    Raw { status, body }
}

fn assert_problem(value: &Value) {
    assert_keys(
        "problem",
        value,
        &[
            "severity",
            "message",
            "cause_paths",
            "impact_paths",
            "display",
        ],
        &["validated_by_json_schema"],
    );
    assert_enum(
        "problem.severity",
        &value["severity"],
        &["fatal", "error", "warning"],
    );
    assert_string("problem.message", &value["message"]);
    for paths in ["cause_paths", "impact_paths"] {
        for path in value[paths].as_array().unwrap() {
            for key in path.as_array().unwrap() {
                assert!(key.is_string() || key.is_number(), "{paths}: {key}");
            }
        }
    }
}

fn assert_batch_error(what: &str, value: &Value, reasons: &[&str]) {
    assert_exact(what, value, &["reason", "traceId", "details"]);
    for item in value["details"].as_array().unwrap() {
        assert_keys(
            &format!("{what}.details[]"),
            item,
            &["name", "type", "reason"],
            &["value"],
        );
        assert_enum(
            &format!("{what}.details[].reason"),
            &item["reason"],
            reasons,
        );
    }
}

#[tokio::test]
async fn ingest_json_matches_the_reference_on_both_paths() {
    let env = Env::start().await;
    let project = env.sandbox.state().semantic_project_ids()[1].clone();
    let good = zip_of(&[
        (
            "sessions.yml",
            "id: sessions\nbase_sql_table: web.sessions\n",
        ),
        ("README.md", "x"),
    ]);
    for family in ["semantic-projects", "semantic-models"] {
        let answer = ingest(&env, family, &project, &good, true)
            .await
            .expect(201);
        assert_keys(
            "IngestSemanticProject",
            &answer,
            &["traceId", "contents"],
            &["warnings", "skipped", "problems", "debug"],
        );
        assert_string("traceId", &answer["traceId"]);
        assert!(
            answer["contents"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string)
        );
        assert!(
            answer["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string)
        );
        assert!(answer["skipped"].is_object());
        assert_keys("debug", &answer["debug"], &[], &["metricflowModelSchemas"]);
    }
    let bad = zip_of(&[("sessions.yml", "base_sql_table: web.sessions\n")]);
    let refused = ingest(&env, "semantic-projects", &project, &bad, false)
        .await
        .expect(400);
    assert_keys(
        "ingest 400",
        &refused,
        &["reason", "traceId", "problems"],
        &["details"],
    );
    refused["problems"]
        .as_array()
        .unwrap()
        .iter()
        .for_each(assert_problem);
    ingest(&env, "semantic-projects", UNKNOWN_ID, &good, true)
        .await
        .expect(404);
    // The body Hex's description declares (JSON flags) carries no archive: 415.
    let json_body = env
        .raw(
            Method::POST,
            &format!("/semantic-projects/{project}/ingest"),
            Some(json!({"dryRun": true})),
        )
        .await
        .expect(415);
    assert_keys(
        "ingest 415",
        &json_body,
        &["reason", "traceId"],
        &["details"],
    );
}

#[tokio::test]
async fn status_batch_json_matches_the_reference() {
    let env = Env::start().await;
    let project = env.sandbox.state().semantic_project_ids()[0].clone();
    let body = json!({"updates": [{"type": "DATASET", "name": "orders", "status": null},
        {"type": "VIEW", "name": "funnel", "status": "Approved"}]});
    for family in ["semantic-projects", "semantic-models"] {
        let path = format!("/{family}/{project}");
        let missing = env
            .raw(Method::PATCH, &path, Some(body.clone()))
            .await
            .expect(404);
        assert_batch_error(
            "UpdateSemanticProject 404",
            &missing,
            &["not_found", "invalid_status"],
        );
    }
    let body = json!({"updates": [{"type": "DATASET", "name": "orders", "status": null},
        {"type": "VIEW", "name": "sales_overview", "status": "Approved"}]});
    let done = env
        .raw(
            Method::PATCH,
            &format!("/semantic-projects/{project}"),
            Some(body),
        )
        .await
        .expect(200);
    assert_exact("UpdateSemanticProject", &done, &["updated"]);
    assert_exact("updated", &done["updated"], &["datasets", "views"]);
    assert_eq!(
        done["updated"]["datasets"],
        json!([{"name": "orders", "status": null}])
    );
    assert_eq!(
        done["updated"]["views"],
        json!([{"name": "sales_overview", "status": "Approved"}])
    );

    let connection = env.sandbox.state().connection_ids()[0].clone();
    let path = format!("/data-connections/{connection}/schema");
    let body = json!({"updates": [{"type": "TABLE", "name": "dev.sales.orders", "status": "Approved"},
        {"type": "TABLE", "name": "a.b.c.d", "status": "Approved"}]});
    let refused = env.raw(Method::PATCH, &path, Some(body)).await.expect(400);
    let reasons = [
        "not_found",
        "invalid_status",
        "ambiguous_name",
        "database_not_supported",
        "invalid_name_format",
    ];
    assert_batch_error("UpdateDataConnectionSchema 400", &refused, &reasons);
    let body = json!({"updates": [{"type": "SCHEMA", "name": "dev.sales", "status": "Approved"}]});
    let done = env.raw(Method::PATCH, &path, Some(body)).await.expect(200);
    assert_exact("UpdateDataConnectionSchema", &done, &["updated"]);
    assert_exact(
        "updated",
        &done["updated"],
        &["databases", "schemas", "tables"],
    );
    assert_eq!(
        done["updated"]["schemas"],
        json!([{"name": "dev.sales", "status": "Approved"}])
    );
}
