//! ExportProject (new error body), GetQueriedTables (legacy list with traceId) and
//! CreatePresignedUrl (`{url}`, legacy errors), as the digest (§2, §1.2, §1.3) gives them.

use reqwest::Method;
use serde_json::json;

use super::{assert_error_body, assert_exact, assert_new_error_body, assert_string, assert_uuid};
use crate::common::{Env, UNKNOWN_ID};

#[tokio::test]
async fn export_queried_tables_and_presigned_url_json_match_the_reference() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let project = state.runnable_project_ids()[0].clone();

    let body = json!({"projectId": project, "version": "draft"});
    let export = env
        .raw(Method::POST, "/projects/export", Some(body))
        .await
        .expect(200);
    assert_exact("ExportProject", &export, &["filename", "content"]);
    assert!(export["filename"].as_str().unwrap().ends_with(".hex.yaml"));
    assert_string("content", &export["content"]);
    let bad = json!({"projectId": project, "version": 0});
    let error = env
        .raw(Method::POST, "/projects/export", Some(bad))
        .await
        .expect(400);
    assert_new_error_body("ExportProject 400", &error, "BAD_REQUEST");

    let tables = env
        .raw_get(&format!("/projects/{project}/queriedTables?limit=1"))
        .await
        .expect(200);
    assert_exact(
        "GetQueriedTables",
        &tables,
        &["values", "pagination", "traceId"],
    );
    assert_exact("pagination", &tables["pagination"], &["after", "before"]);
    assert_string("traceId", &tables["traceId"]);
    let values = tables["values"].as_array().unwrap();
    assert_eq!(
        values.len(),
        1,
        "the seeded project's SQL reads at least one table"
    );
    for table in values {
        assert_exact(
            "queried table",
            table,
            &["dataConnectionId", "dataConnectionName", "tableName"],
        );
        assert_uuid("dataConnectionId", &table["dataConnectionId"]);
        assert_string("dataConnectionName", &table["dataConnectionName"]);
        assert_string("tableName", &table["tableName"]);
    }
    let missing = env
        .raw_get(&format!("/projects/{UNKNOWN_ID}/queriedTables"))
        .await
        .expect(404);
    assert_error_body("GetQueriedTables 404", &missing);

    let path = format!("/embedding/createPresignedUrl/{project}");
    let url = env
        .raw(Method::POST, &path, Some(json!({"testMode": true})))
        .await
        .expect(200);
    assert_exact("CreatePresignedUrl", &url, &["url"]);
    assert_string("url", &url["url"]);
    let too_long = json!({"expiresIn": 300_001});
    let error = env
        .raw(Method::POST, &path, Some(too_long))
        .await
        .expect(400);
    assert_error_body("CreatePresignedUrl 400", &error);
    let unpublished = state.unpublished_project_ids()[0].clone();
    let path = format!("/embedding/createPresignedUrl/{unpublished}");
    let error = env
        .raw(Method::POST, &path, Some(json!({})))
        .await
        .expect(422);
    assert_error_body("CreatePresignedUrl 422", &error);
}
