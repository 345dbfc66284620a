//! GetCellOutput (`table` and `cell_run_error`), GetChartImageFromLogic, GetChartImageFromRun:
//! keys, types and error bodies as the digest (§4, §5) gives them.

use base64::Engine;
use serde_json::Value;

use super::{assert_enum, assert_exact, assert_new_error_body, assert_string, assert_uuid};
use crate::common::{Env, UNKNOWN_ID};

/// `{projectId, runId, cell: {id, staticId, cellType}, result}`; returns `result`.
fn assert_output(value: &Value) -> Value {
    assert_exact(
        "GetCellOutput",
        value,
        &["projectId", "runId", "cell", "result"],
    );
    assert_string("projectId", &value["projectId"]);
    assert_string("runId", &value["runId"]);
    assert_exact("cell", &value["cell"], &["id", "staticId", "cellType"]);
    assert_eq!(value["cell"]["cellType"], "SQL");
    value["result"].clone()
}

/// A `table` result: every key required, every row keyed by the column names, every value a
/// string or null.
fn assert_table(result: &Value) {
    assert_exact(
        "table",
        result,
        &[
            "type",
            "rowLimit",
            "rowsReturned",
            "totalRows",
            "totalRowsKind",
            "truncated",
            "columns",
            "rows",
        ],
    );
    assert_eq!(result["type"], "table");
    assert!(result["rowLimit"].is_number() && result["rowsReturned"].is_number());
    assert!(result["totalRows"].is_number() || result["totalRows"].is_null());
    assert_enum(
        "totalRowsKind",
        &result["totalRowsKind"],
        &["EXACT", "LOWER_BOUND", "UNKNOWN"],
    );
    assert!(result["truncated"].is_boolean());
    let columns = result["columns"].as_array().unwrap();
    let mut names = Vec::new();
    for column in columns {
        assert_exact("column", column, &["name", "type"]);
        assert_string("column.type", &column["type"]);
        names.push(column["name"].as_str().unwrap().to_owned());
    }
    let rows = result["rows"].as_array().unwrap();
    assert_eq!(rows.len() as u64, result["rowsReturned"].as_u64().unwrap());
    for row in rows {
        let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            names.iter().collect::<Vec<_>>(),
            "rows keyed by column, in order"
        );
        assert!(
            row.as_object()
                .unwrap()
                .values()
                .all(|v| v.is_string() || v.is_null()),
            "{row}"
        );
    }
}

fn assert_png_base64(what: &str, value: &Value) {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.as_str().unwrap())
        .unwrap_or_else(|e| panic!("{what} is not base64: {e}"));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{what} is not a PNG");
}

#[tokio::test]
async fn cell_output_and_chart_json_match_the_reference() {
    let env = Env::start().await;
    let state = env.sandbox.state();
    let mut kinds = std::collections::BTreeSet::new();
    for cell in state.sql_cells_with_rows(1) {
        let body = env
            .raw_get(&format!("/cells/{cell}/output"))
            .await
            .expect(200);
        let result = assert_output(&body);
        assert_table(&result);
        kinds.insert(result["totalRowsKind"].as_str().unwrap().to_owned());
    }
    assert!(!kinds.is_empty());
    let failing = state.failing_sql_cells()[0].clone();
    let body = env
        .raw_get(&format!("/cells/{failing}/output"))
        .await
        .expect(200);
    let result = assert_output(&body);
    assert_exact("cell_run_error", &result, &["type", "message", "traceback"]);
    assert_eq!(result["type"], "cell_run_error");
    assert_string("message", &result["message"]);
    let missing = env
        .raw_get(&format!("/cells/{UNKNOWN_ID}/output"))
        .await
        .expect(404);
    assert_new_error_body("GetCellOutput 404", &missing, "NOT_FOUND");

    let (project, cell, static_id) = state.chart_cells()[0].clone();
    let image = env
        .raw_get(&format!("/cells/{cell}/image?width=200&height=100"))
        .await
        .expect(200);
    assert_exact(
        "GetChartImageFromLogic",
        &image,
        &["cellId", "imageBase64", "mimeType"],
    );
    assert_eq!(image["mimeType"], "image/png");
    assert_png_base64("imageBase64", &image["imageBase64"]);
    let run = state.completed_run_ids(&project)[0].clone();
    let path = format!("/projects/{project}/runs/{run}/cells/{static_id}/image");
    let image = env.raw_get(&path).await.expect(200);
    assert_exact(
        "GetChartImageFromRun",
        &image,
        &["projectId", "runId", "staticId", "imageBase64", "mimeType"],
    );
    for key in ["projectId", "runId", "staticId"] {
        assert_uuid(key, &image[key]);
    }
    assert_png_base64("imageBase64", &image["imageBase64"]);
    let bad = env
        .raw_get(&format!("/cells/{cell}/image?width=5000&height=100"))
        .await
        .expect(400);
    assert_new_error_body("GetChartImageFromLogic 400", &bad, "BAD_REQUEST");
    let missing = env
        .raw_get(&format!(
            "/projects/{project}/runs/{UNKNOWN_ID}/cells/{static_id}/image"
        ))
        .await
        .expect(404);
    assert_new_error_body("GetChartImageFromRun 404", &missing, "NOT_FOUND");
}
